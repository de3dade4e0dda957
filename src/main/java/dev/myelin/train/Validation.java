package dev.myelin.train;

import dev.myelin.autograd.Ops;
import dev.myelin.backend.Backend;
import dev.myelin.backend.ReduceOp;
import dev.myelin.data.Dataset;
import dev.myelin.nn.Module;
import dev.myelin.tensor.GradRecording;
import dev.myelin.tensor.Scope;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

/** Mean cross-entropy loss and accuracy of a classifier on a dataset (a validation split), in eval mode, without gradients. */
public final class Validation {
    public record Result(double loss, double accuracy) {
    }

    private Validation() {
    }

    public static Result evaluate(Module model, Dataset data, int batchSize) {
        Backend backend = model.parameters().get(0).data().backend();
        boolean wasTraining = model.isTraining();
        model.eval();
        long correct = 0;
        float[] predictions = new float[Math.min(batchSize, Math.max(1, data.count()))];
        double lossSum = 0;
        try (var noGrad = GradRecording.noGrad(); Tensor labelsAll = Tensor.owned(backend, Shape.of(Math.max(1, data.count())))) {
            backend.upload(data.labels(), 0, labelsAll.buffer(), 0, data.count());
            for (int from = 0; from < data.count(); from += batchSize) {
                int size = Math.min(batchSize, data.count() - from);
                try (var scope = Scope.open()) {
                    Tensor x = Tensor.empty(backend, size, data.featureSize());
                    backend.upload(data.features(), from * data.featureSize(), x.buffer(), 0, x.size());
                    Tensor y = Tensor.empty(backend, size);
                    backend.copy(labelsAll.buffer(), from, y.buffer(), 0, size);
                    Tensor logits = model.forward(x);
                    Tensor loss = Ops.crossEntropy(logits, y);
                    Tensor predicted = Tensor.empty(backend, size);
                    backend.argmaxRows(logits.buffer(), predicted.buffer(), size, logits.shape().cols());
                    backend.download(predicted.buffer(), 0, predictions, 0, size);
                    lossSum += (double) loss.item() * size;
                }
                for (int i = 0; i < size; i++) {
                    if (predictions[i] == data.labels()[from + i]) {
                        correct++;
                    }
                }
            }
        } finally {
            model.train(wasTraining);
        }
        return new Result(lossSum / Math.max(1, data.count()), (double) correct / Math.max(1, data.count()));
    }
}

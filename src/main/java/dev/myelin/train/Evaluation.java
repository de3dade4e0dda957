package dev.myelin.train;

import dev.myelin.backend.Backend;
import dev.myelin.data.Dataset;
import dev.myelin.nn.Module;
import dev.myelin.tensor.GradRecording;
import dev.myelin.tensor.Scope;
import dev.myelin.tensor.Tensor;

/**
 * A classifier's results on a dataset: the confusion matrix (rows: true class, columns: predicted),
 * computed the way {@link Trainer#accuracy} computes accuracy, so the two agree exactly.
 */
public record Evaluation(long[][] confusion, int count) {
    public static Evaluation of(Module model, Dataset data, int batchSize) {
        Backend backend = model.parameters().get(0).data().backend();
        boolean wasTraining = model.isTraining();
        model.eval();
        long[][] confusion = new long[data.classes()][data.classes()];
        float[] predictions = new float[Math.min(batchSize, data.count())];
        try (var noGrad = GradRecording.noGrad()) {
            for (int from = 0; from < data.count(); from += batchSize) {
                int size = Math.min(batchSize, data.count() - from);
                try (var scope = Scope.open()) {
                    Tensor x = Tensor.empty(backend, size, data.featureSize());
                    backend.upload(data.features(), from * data.featureSize(), x.buffer(), 0, x.size());
                    Tensor logits = model.forward(x);
                    Tensor predicted = Tensor.empty(backend, size);
                    backend.argmaxRows(logits.buffer(), predicted.buffer(), size, logits.shape().cols());
                    backend.download(predicted.buffer(), 0, predictions, 0, size);
                }
                for (int i = 0; i < size; i++) {
                    int truth = (int) data.labels()[from + i];
                    int guess = (int) predictions[i];
                    if (truth >= 0 && truth < confusion.length && guess >= 0 && guess < confusion.length) {
                        confusion[truth][guess]++;
                    }
                }
            }
        } finally {
            model.train(wasTraining);
        }
        return new Evaluation(confusion, data.count());
    }

    public long correct() {
        long c = 0;
        for (int i = 0; i < confusion.length; i++) {
            c += confusion[i][i];
        }
        return c;
    }

    /** Fraction right, as {@link Trainer#accuracy} gives it. */
    public double accuracy() {
        return (double) correct() / count;
    }
}

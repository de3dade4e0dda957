import dev.myelin.backend.Backend;
import dev.myelin.backend.Backends;
import dev.myelin.data.DataLoader;
import dev.myelin.nn.Sequential;
import dev.myelin.optim.Sgd;
import dev.myelin.train.Models;
import dev.myelin.train.Trainer;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Training steps per second of the 784-4096-4096-10 MLP at batch 256 with SGD (momentum 0.9, lr 0.01)
 * on one backend, the same work as torch_mlp.py does in PyTorch. Random inputs and labels: the data
 * does not change the arithmetic, and uploading a fresh batch per step is part of a real step.
 * Compiled against myelin.jar by benchmarks/gpu/prepare.sh; kept out of src/ so it ships only in the
 * GPU check folder.
 *
 * <p>Usage: java ... -cp myelin.jar:bench MlpStepRate [backend] [steps] [warmup]
 */
public final class MlpStepRate {
    public static void main(String[] args) {
        String backendName = args.length > 0 ? args[0] : "cuda";
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int batch = 256;
        SplittableRandom random = new SplittableRandom(1);
        float[] x = new float[batch * 784];
        float[] y = new float[batch];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble();
        }
        for (int i = 0; i < batch; i++) {
            y[i] = random.nextInt(10);
        }
        DataLoader.Batch b = new DataLoader.Batch(x, y, batch);
        try (Backend backend = Backends.open(backendName).backend()) {
            System.out.println("backend: " + backend.description());
            Sequential net = Models.mlp(backend, new SplittableRandom(42), 784, 4096, 4096, 10);
            Sgd sgd = new Sgd(net.parameters(), 0.01f, 0.9f, 0f, false);
            try (Trainer trainer = new Trainer(net, sgd)) {
                for (int i = 0; i < warmup; i++) {
                    trainer.step(b, 784);
                }
                backend.synchronize();
                long start = System.nanoTime();
                for (int i = 0; i < steps; i++) {
                    trainer.step(b, 784);
                }
                backend.synchronize();
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf(Locale.ROOT, "myelin %s: %d steps in %.3f s = %.2f steps/s (784-4096-4096-10, batch 256, SGD momentum 0.9)%n",
                        backend.kind().id(), steps, seconds, steps / seconds);
            }
        }
    }
}

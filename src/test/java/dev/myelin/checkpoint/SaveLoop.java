package dev.myelin.checkpoint;

import dev.myelin.backend.cpu.CpuBackend;
import dev.myelin.nn.Module;
import dev.myelin.optim.Adam;
import dev.myelin.train.Models;

import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/** Child process for {@link CrashDuringSaveTest}: saves a big checkpoint over and over, saying when each is done. */
public final class SaveLoop {
    public static void main(String[] args) {
        Path last = Path.of(args[0]).resolve(Checkpoints.LAST);
        var cpu = new CpuBackend();
        Module net = Models.mlp(cpu, new SplittableRandom(1), 1024, 2048, 2048, 10);
        try (var opt = new Adam(net.parameters(), 1e-3f)) {
            CheckpointsTest.oneStep(net, opt, cpu, 1024);
            for (int i = 1; ; i++) {
                Checkpoints.save(last, net, opt, Map.of("epoch", Integer.toString(i)));
                System.out.println("saved " + i);
                System.out.flush();
            }
        }
    }
}

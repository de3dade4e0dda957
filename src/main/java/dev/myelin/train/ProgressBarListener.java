package dev.myelin.train;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;

/** Shows a progress bar per epoch on a console stream (stderr, so stdout stays for results). */
public final class ProgressBarListener implements TrainingListener {
    private final PrintStream out;
    private ProgressBar bar;

    public ProgressBarListener(PrintStream out) {
        this.out = out;
    }

    @Override
    public void epochStarted(int epoch, int epochs, int batches) {
        bar = new ProgressBarBuilder()
                .setTaskName("epoch " + epoch + "/" + epochs)
                .setInitialMax(batches)
                .setUnit(" batches", 1)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(out))
                .build();
    }

    @Override
    public void stepFinished(int epoch, int batch, double recentLoss) {
        if (bar == null) {
            return;
        }
        bar.stepTo(batch);
        if (!Double.isNaN(recentLoss)) {
            bar.setExtraMessage(String.format(" loss %.4f", recentLoss));
        }
        if (batch >= bar.getMax()) {
            // Close on the last step, so the bar's clock stops before evaluation starts.
            close();
        }
    }

    @Override
    public void epochFinished(EpochResult result) {
        close();
    }

    private void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}

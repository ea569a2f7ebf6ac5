package io.vecnn.train.cli;

import io.vecnn.train.EpochMetrics;
import io.vecnn.train.TrainingListener;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.time.Duration;
import java.util.Locale;

/**
 * The live progress bar (one per epoch: step, loss, samples/s, time left in the epoch and in the run)
 * and one line per epoch with the validation metrics.
 */
final class Progress implements TrainingListener {
    private final int epochs;
    private final boolean live;
    private ProgressBar bar;
    private int barEpoch;
    private long epochStart;
    private long lastUpdate;
    private long samples;
    private double lossSum;
    private int lossCount;
    private double secondsPerEpoch = Double.NaN;

    Progress(int epochs, boolean live) {
        this.epochs = epochs;
        this.live = live;
    }

    @Override
    public void onStep(int epoch, long step, int batchInEpoch, int batchesPerEpoch, double loss, int batchSize) {
        long now = System.nanoTime();
        if (epoch != barEpoch) {
            closeBar();
            barEpoch = epoch;
            epochStart = now;
            samples = 0;
            lossSum = 0;
            lossCount = 0;
            if (live) {
                bar = new ProgressBarBuilder()
                        .setTaskName(String.format("epoch %d/%d", epoch, epochs))
                        .setInitialMax(batchesPerEpoch)
                        .setStyle(ProgressBarStyle.ASCII)
                        .setUpdateIntervalMillis(200)
                        .setMaxRenderedLength(120)
                        .continuousUpdate()
                        .build();
            }
        }
        samples += batchSize;
        lossSum += loss;
        lossCount++;
        if (bar != null && (now - lastUpdate > 100_000_000L || batchInEpoch == batchesPerEpoch)) {
            lastUpdate = now;
            double elapsed = (now - epochStart) / 1e9;
            double rate = samples / Math.max(elapsed, 1e-9);
            double epochLeft = elapsed / batchInEpoch * (batchesPerEpoch - batchInEpoch);
            double perEpoch = Double.isNaN(secondsPerEpoch) ? elapsed / batchInEpoch * batchesPerEpoch : secondsPerEpoch;
            double runLeft = epochLeft + perEpoch * (epochs - epoch);
            bar.stepTo(batchInEpoch);
            // The first batches of an epoch say nothing reliable about speed.
            bar.setExtraMessage(batchInEpoch < 3 ? String.format(Locale.ROOT, "loss %.4f", lossSum / lossCount)
                    : String.format(Locale.ROOT, "loss %.4f, %,.0f samples/s, run left %s", lossSum / lossCount, rate, format(runLeft)));
        }
    }

    private static String format(double seconds) {
        Duration d = Duration.ofMillis((long) (seconds * 1000));
        return d.toHours() > 0 ? String.format("%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart())
                : String.format("%d:%02d", d.toMinutesPart(), d.toSecondsPart());
    }

    private void closeBar() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }

    @Override
    public void onEpoch(EpochMetrics m) {
        closeBar();
        secondsPerEpoch = Double.isNaN(secondsPerEpoch) ? m.seconds() : 0.7 * secondsPerEpoch + 0.3 * m.seconds();
        System.out.printf(Locale.ROOT, "epoch %3d/%d  loss %.4f  accuracy %6.2f%%  validation loss %.4f  validation accuracy %6.2f%%"
                        + "  lr %.2e  %.1f s  %,.0f samples/s%n", m.epoch(), epochs, m.trainLoss(), 100 * m.trainScore(),
                m.validationLoss(), 100 * m.validationScore(), m.learningRate(), m.seconds(), m.samplesPerSecond());
    }

    void close() {
        closeBar();
    }
}

package io.vecnn.train.cli;

import io.vecnn.train.EpochMetrics;
import io.vecnn.train.TrainingListener;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Training progress: one line per epoch with the validation metrics and, between them, either a
 * live progress bar (on a terminal: step, loss, samples/s, time left in the run) or, when the
 * output goes to a file or a pipe, a plain line every {@link #LINE_INTERVAL_SECONDS} seconds, so
 * that logs hold no carriage-return frames.
 */
final class Progress implements TrainingListener {
    /** Seconds between two plain progress lines within an epoch. */
    static final int LINE_INTERVAL_SECONDS = 10;

    /** How progress is shown. */
    enum Mode {
        /** A live bar redrawn in place (a terminal). */
        BAR,
        /** A plain line every {@link #LINE_INTERVAL_SECONDS} seconds (a file or a pipe). */
        LINES,
        /** Epoch lines only. */
        EPOCHS
    }

    private final int epochs;
    private final Mode mode;
    private final PrintStream out;
    private final LongSupplier clock;
    private final long intervalNanos;
    private ProgressBar bar;
    private int currentEpoch;
    private long epochStart;
    private long lastUpdate;
    private long lastLine;
    private long samples;
    private double lossSum;
    private int lossCount;
    private double secondsPerEpoch = Double.NaN;

    Progress(int epochs, Mode mode, PrintStream out, LongSupplier clock, long intervalNanos) {
        this.epochs = epochs;
        this.mode = mode;
        this.out = out;
        this.clock = clock;
        this.intervalNanos = intervalNanos;
    }

    /** Progress on standard output: a bar if it is a terminal (and {@code quiet} is false), else plain lines. */
    static Progress standard(int epochs, boolean quiet) {
        Mode m = quiet ? Mode.EPOCHS : onTerminal() ? Mode.BAR : Mode.LINES;
        return new Progress(epochs, m, System.out, System::nanoTime, LINE_INTERVAL_SECONDS * 1_000_000_000L);
    }

    /** Whether standard input and output are a terminal (JDK 22+: no console object otherwise, or one that says so). */
    static boolean onTerminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    @Override
    public void onStep(int epoch, long step, int batchInEpoch, int batchesPerEpoch, double loss, int batchSize) {
        long now = clock.getAsLong();
        if (epoch != currentEpoch) {
            closeBar();
            currentEpoch = epoch;
            epochStart = now;
            lastLine = now;
            samples = 0;
            lossSum = 0;
            lossCount = 0;
            if (mode == Mode.BAR) {
                bar = newBar(epoch, batchesPerEpoch);
            }
        }
        samples += batchSize;
        lossSum += loss;
        lossCount++;
        if (mode == Mode.BAR && (now - lastUpdate > 100_000_000L || batchInEpoch == batchesPerEpoch)) {
            lastUpdate = now;
            bar.stepTo(batchInEpoch);
            // The first batches of an epoch say nothing reliable about speed.
            bar.setExtraMessage(batchInEpoch < 3 ? String.format(Locale.ROOT, "loss %.4f", lossSum / lossCount)
                    : String.format(Locale.ROOT, "loss %.4f, %,.0f samples/s, run left %s", lossSum / lossCount,
                            rate(now), format(runLeft(now, batchInEpoch, batchesPerEpoch))));
        } else if (mode == Mode.LINES && now - lastLine >= intervalNanos && batchInEpoch < batchesPerEpoch) {
            lastLine = now;
            out.printf(Locale.ROOT, "epoch %d/%d  step %d/%d  loss %.4f  %,.0f samples/s  run left %s%n", epoch, epochs,
                    batchInEpoch, batchesPerEpoch, lossSum / lossCount, rate(now), format(runLeft(now, batchInEpoch, batchesPerEpoch)));
        }
    }

    private double rate(long now) {
        return samples / Math.max((now - epochStart) / 1e9, 1e-9);
    }

    private double runLeft(long now, int batchInEpoch, int batchesPerEpoch) {
        double elapsed = (now - epochStart) / 1e9;
        double epochLeft = elapsed / batchInEpoch * (batchesPerEpoch - batchInEpoch);
        double perEpoch = Double.isNaN(secondsPerEpoch) ? elapsed / batchInEpoch * batchesPerEpoch : secondsPerEpoch;
        return epochLeft + perEpoch * (epochs - currentEpoch);
    }

    private ProgressBar newBar(int epoch, int batchesPerEpoch) {
        // jline (which progressbar asks for the terminal's width) would load a JNI library, and the JVM warns
        // about native access on every run; its exec provider asks stty instead.
        setIfAbsent("org.jline.terminal.providers", "exec,dumb");
        setIfAbsent("org.jline.terminal.exec.redirectPipeCreationMode", "reflection");
        setIfAbsent("org.jline.terminal.pty.fileDescriptorCreationMode", "reflection");
        return new ProgressBarBuilder()
                .setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs))
                .setInitialMax(batchesPerEpoch)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200)
                .setConsumer(new ConsoleProgressBarConsumer(out))
                .continuousUpdate()
                .build();
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    static String format(double seconds) {
        Duration d = Duration.ofMillis((long) (seconds * 1000));
        return d.toHours() > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart())
                : String.format(Locale.ROOT, "%d:%02d", d.toMinutesPart(), d.toSecondsPart());
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
        out.printf(Locale.ROOT, "epoch %3d/%d  loss %.4f  accuracy %6.2f%%  validation loss %.4f  validation accuracy %6.2f%%"
                        + "  lr %.2e  %.1f s  %,.0f samples/s%n", m.epoch(), epochs, m.trainLoss(), 100 * m.trainScore(),
                m.validationLoss(), 100 * m.validationScore(), m.learningRate(), m.seconds(), m.samplesPerSecond());
    }

    /** Ends a bar still drawn (training stopped inside an epoch). */
    void close() {
        closeBar();
    }
}

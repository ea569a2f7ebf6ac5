package io.vecnn.train.cli;

import io.vecnn.train.EpochMetrics;
import io.vecnn.train.TrainingListener;
import io.vecnn.api.internal.AtomicWrite;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Draws the training curves (loss and accuracy per epoch) as a PNG: after an epoch when the last
 * drawing is {@link #REDRAW_SECONDS} seconds old, and when training ends ({@link #finish}). Drawing
 * takes 50 ms to 2 s (the first loads AWT and fonts); after every epoch it would cost a short
 * run most of its time.
 */
final class CurvesListener implements TrainingListener {
    /** The least time between two drawings during training. */
    static final int REDRAW_SECONDS = 3;

    private final Path file;
    private final LongSupplier clock;
    private final long intervalNanos;
    private final List<EpochMetrics> epochs = new ArrayList<>();
    private long lastDrawn;
    private int epochsDrawn;

    CurvesListener(Path file) {
        this(file, System::nanoTime, REDRAW_SECONDS * 1_000_000_000L);
    }

    CurvesListener(Path file, LongSupplier clock, long intervalNanos) {
        this.file = file;
        this.clock = clock;
        this.intervalNanos = intervalNanos;
        this.lastDrawn = clock.getAsLong();
        // ImageIO would otherwise buffer the PNG in a temporary file of its own (in java.io.tmpdir).
        ImageIO.setUseCache(false);
    }

    @Override
    public void onEpoch(EpochMetrics m) {
        epochs.add(m);
        if (clock.getAsLong() - lastDrawn >= intervalNanos) {
            draw();
        }
    }

    /** Draws the epochs not drawn yet (at the end of training). */
    void finish() {
        if (epochsDrawn < epochs.size()) {
            draw();
        }
    }

    /** How many epochs the file shows. */
    int epochsDrawn() {
        return epochsDrawn;
    }

    private void draw() {
        int n = epochs.size();
        double[] x = new double[n];
        double[] trainLoss = new double[n];
        double[] valLoss = new double[n];
        double[] trainAcc = new double[n];
        double[] valAcc = new double[n];
        for (int i = 0; i < n; i++) {
            EpochMetrics e = epochs.get(i);
            x[i] = e.epoch();
            trainLoss[i] = e.trainLoss();
            valLoss[i] = e.validationLoss();
            trainAcc[i] = 100 * e.trainScore();
            valAcc[i] = 100 * e.validationScore();
        }
        XYChart loss = new XYChartBuilder().width(640).height(420).title("loss").xAxisTitle("epoch").yAxisTitle("cross-entropy").build();
        loss.addSeries("training", x, trainLoss);
        loss.addSeries("validation", x, valLoss);
        XYChart acc = new XYChartBuilder().width(640).height(420).title("accuracy").xAxisTitle("epoch").yAxisTitle("%").build();
        acc.addSeries("training", x, trainAcc);
        acc.addSeries("validation", x, valAcc);
        try {
            // Through the one atomic-write path: a viewer never sees half a picture, a full disk leaves no temporary file.
            AtomicWrite.write(file, o -> BitmapEncoder.saveBitmap(List.of(loss, acc), 1, 2, o, BitmapEncoder.BitmapFormat.PNG));
            epochsDrawn = n;
            lastDrawn = clock.getAsLong();
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);   // AtomicWrite's message names the file
        }
    }
}

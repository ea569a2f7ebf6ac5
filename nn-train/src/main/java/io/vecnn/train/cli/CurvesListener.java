package io.vecnn.train.cli;

import io.vecnn.train.EpochMetrics;
import io.vecnn.train.TrainingListener;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/** Redraws the training curves (loss and accuracy per epoch) as a PNG after every epoch. */
final class CurvesListener implements TrainingListener {
    private final Path file;
    private final List<EpochMetrics> epochs = new ArrayList<>();

    CurvesListener(Path file) {
        this.file = file;
    }

    @Override
    public void onEpoch(EpochMetrics m) {
        epochs.add(m);
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
            // Drawn to a temporary file and moved, so a viewer never sees half a picture.
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            String base = tmp.toString();
            BitmapEncoder.saveBitmap(List.of(loss, acc), 1, 2, base, BitmapEncoder.BitmapFormat.PNG);
            Files.move(Path.of(base + ".png"), file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the training curves to " + file, e);
        }
    }
}

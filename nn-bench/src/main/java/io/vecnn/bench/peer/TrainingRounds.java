package io.vecnn.bench.peer;

import io.vecnn.api.Model;
import io.vecnn.train.Architectures;
import io.vecnn.api.Optimizer;
import io.vecnn.kernels.Kernels;
import io.vecnn.layers.Activations;
import io.vecnn.layers.Dense;
import io.vecnn.layers.Losses;
import io.vecnn.train.Dataset;
import io.vecnn.train.Datasets;
import io.vecnn.train.EpochMetrics;
import io.vecnn.train.Evaluation;
import io.vecnn.train.LearningRateSchedule;
import io.vecnn.train.Optimizers;
import io.vecnn.train.Trainer;
import io.vecnn.train.TrainingListener;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * The vecnn side of {@code nn-bench/scripts/compare_pytorch.py}: trains 784-256-128-10 (ReLU, softmax
 * cross-entropy, constant learning rate), the built-in CNN ({@link Architectures#cnn}), or the seeds' 784-100-10 sigmoid network with the quadratic
 * cost and plain SGD, on Fashion-MNIST one epoch per {@code epoch} line read from
 * standard input, so that a driver can interleave it with another framework in rounds while both stay
 * warm. Each epoch answers one JSON line with the {@link Trainer}'s own timing (shuffling, batching,
 * forward, backward, update; no loading, no evaluation). {@code evaluate} answers the test accuracy;
 * {@code quit} or end of input ends the process.
 *
 * <p>The kernel thread count is fixed at start-up: run with {@code -Dvecnn.threads=N}.
 */
@Command(name = "training-rounds", mixinStandardHelpOptions = true,
        description = "Train a network on Fashion-MNIST one epoch per 'epoch' line on stdin; one JSON line per answer.")
public final class TrainingRounds implements Callable<Integer> {
    @Option(names = "--net", defaultValue = "mlp", description = "mlp: 784-256-128-10 ReLU, softmax cross-entropy; "
            + "cnn: the built-in CNN (Architectures.cnn), softmax cross-entropy; classic: the seeds' 784-100-10 sigmoid, quadratic cost, plain SGD with lr 3 (--optimizer ignored).")
    String net;

    @Option(names = "--optimizer", defaultValue = "adam", description = "adam (lr 1e-3) or sgd (momentum 0.9, lr 0.01).")
    String optimizer;

    @Option(names = "--batch", defaultValue = "128", description = "Samples per step.")
    int batch;

    @Option(names = "--epochs", defaultValue = "5", description = "How many 'epoch' commands will come.")
    int epochs;

    @Option(names = "--seed", defaultValue = "1", description = "Initial weights and shuffling.")
    long seed;

    @Option(names = "--data", description = "IDX directory (default: Debian's dataset-fashion-mnist).")
    Path data = Datasets.FASHION_MNIST;

    private final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    private final PrintStream out = System.out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new TrainingRounds()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        if (batch < 1 || epochs < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--batch and --epochs must be >= 1, got " + batch + " and " + epochs);
        }
        boolean classic = switch (net.toLowerCase(Locale.ROOT)) {
            case "mlp", "cnn" -> false;
            case "classic" -> true;
            default -> throw new CommandLine.ParameterException(new CommandLine(this), "--net must be mlp, cnn or classic, got "
                    + net);
        };
        Optimizer opt;
        double lr;
        if (classic) {
            opt = Optimizers.sgd(0f);
            lr = 3.0;
        } else {
            switch (optimizer.toLowerCase(Locale.ROOT)) {
                case "adam" -> {
                    opt = Optimizers.adam(0f);
                    lr = 1e-3;
                }
                case "sgd" -> {
                    opt = Optimizers.sgd(0.9f, false, 0f);
                    lr = 0.01;
                }
                default -> throw new CommandLine.ParameterException(new CommandLine(this), "--optimizer must be adam or sgd, got " + optimizer);
            }
        }
        Datasets.TrainTest d = Datasets.idxDirectory(data);
        Model.Builder mb = Model.builder(d.train().features()).seed(seed);
        if (classic) {
            mb.add(Dense.of(100, Activations.sigmoid())).add(Dense.of(d.train().classes(), Activations.sigmoid()));
        } else {
            mb.add(Dense.of(256, Activations.relu())).add(Dense.of(128, Activations.relu())).add(Dense.of(d.train().classes()));
        }
        Model model = net.equalsIgnoreCase("cnn") ? Architectures.cnn(d.train().featureShape(), d.train().classes(), seed)
                : mb.build();
        Trainer trainer = Trainer.builder(model, classic ? Losses.quadratic() : Losses.softmaxCrossEntropy(), opt)
                .schedule(LearningRateSchedule.constant(lr)).batchSize(batch).epochs(epochs).seed(seed)
                .listener(new TrainingListener() {
                    @Override
                    public void onEpoch(EpochMetrics m) {
                        out.printf(Locale.ROOT, "{\"epoch\": %d, \"seconds\": %.6f, \"samples\": %d, \"loss\": %.6f}%n",
                                m.epoch(), m.seconds(), d.train().size(), m.trainLoss());
                        out.flush();
                        if (m.epoch() < epochs) {
                            expect("epoch");
                        }
                    }
                }).build();
        out.printf(Locale.ROOT, "{\"ready\": true, \"framework\": \"vecnn\", \"kernels\": \"%s\", \"threads\": %d, \"train\": %d, \"test\": %d}%n",
                Kernels.get(), Kernels.get().threads(), d.train().size(), d.test().size());
        out.flush();
        expect("epoch");
        trainer.fit(d.train(), null);
        String line;
        while ((line = in.readLine()) != null && !line.strip().equals("quit")) {
            if (!line.strip().equals("evaluate")) {
                throw new IllegalStateException("expected 'evaluate' or 'quit' after the last epoch, got '" + line + "'");
            }
            Evaluation e = trainer.evaluate(d.test());
            out.printf(Locale.ROOT, "{\"accuracy\": %.6f, \"loss\": %.6f}%n", e.accuracy(), e.loss());
            out.flush();
        }
        return 0;
    }

    /** Reads the next command: returns if it is {@code want}, ends the process at quit or end of input. */
    private void expect(String want) {
        String line;
        try {
            line = in.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (line == null || line.strip().equals("quit")) {
            out.flush();
            System.exit(0);
        }
        if (!line.strip().equals(want)) {
            throw new IllegalStateException("expected '" + want + "', got '" + line + "'");
        }
    }
}

package io.vecnn.train.cli;

import io.vecnn.api.Loss;
import io.vecnn.api.Model;
import io.vecnn.api.Optimizer;
import io.vecnn.kernels.Kernels;
import io.vecnn.layers.Activations;
import io.vecnn.layers.Dense;
import io.vecnn.layers.Dropout;
import io.vecnn.layers.Losses;
import io.vecnn.train.Checkpoint;
import io.vecnn.train.Csv;
import io.vecnn.train.Dataset;
import io.vecnn.train.Datasets;
import io.vecnn.train.EpochMetrics;
import io.vecnn.train.Evaluation;
import io.vecnn.train.LearningRateSchedule;
import io.vecnn.train.Optimizers;
import io.vecnn.train.Trainer;
import io.vecnn.train.TrainingDivergedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** The vecnn command line: {@code train}, {@code evaluate}, {@code predict}, {@code summary}. */
@Command(name = "vecnn", mixinStandardHelpOptions = true, version = "vecnn 0.1.0",
        description = "Train and use neural networks on the JVM's Vector API kernels.",
        subcommands = {Main.Train.class, Main.Evaluate.class, Main.Predict.class, Main.Summary.class})
public final class Main implements Runnable {
    @Spec
    CommandLine.Model.CommandSpec spec;

    /** Entry point. */
    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code: 0 success, 1 error, 2 bad usage, 3 divergence. */
    static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parse) -> {
            PrintWriter err = cmd.getErr();
            if (e instanceof IOException || e instanceof IllegalArgumentException || e instanceof TrainingDivergedException
                    || e instanceof IllegalStateException) {
                err.println("error: " + message(e));
                return e instanceof TrainingDivergedException ? 3 : 1;
            }
            throw e;
        });
        return cl.execute(args);
    }

    private static String message(Throwable e) {
        if (e instanceof java.nio.file.NoSuchFileException n) {
            return n.getFile() + ": " + (n.getReason() == null ? "no such file" : n.getReason());
        }
        if (e instanceof java.nio.file.AccessDeniedException a) {
            return a.getFile() + ": permission denied";
        }
        return e.getMessage();
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is needed: train, evaluate, predict or summary");
    }

    /** Options that say which data to use. */
    static final class DataOptions {
        @Option(names = "--data", defaultValue = "digits", paramLabel = "SOURCE",
                description = "digits (embedded, default), fashion-mnist (Debian's dataset-fashion-mnist), a directory of "
                        + "MNIST-style IDX files, or a CSV file (label in the last column; a seeded 20%% is held out as the test set).")
        String data;

        @Option(names = "--allow-non-finite", description = "Accept NaN and infinite values in CSV files.")
        boolean allowNonFinite;

        /** Loads the source: train and test sets. */
        Datasets.TrainTest load(long seed) throws IOException {
            switch (data.toLowerCase(Locale.ROOT)) {
                case "digits":
                    Dataset all = Datasets.digits();
                    Dataset.Split s = all.split(0.2, 1998);
                    return new Datasets.TrainTest(s.first().named("digits-train"), s.second().named("digits-test"));
                case "fashion-mnist":
                    if (!Files.isDirectory(Datasets.FASHION_MNIST)) {
                        throw new IOException(Datasets.FASHION_MNIST + " does not exist: install Debian's dataset-fashion-mnist "
                                + "(apt-get install dataset-fashion-mnist) or pass --data DIR");
                    }
                    return Datasets.idxDirectory(Datasets.FASHION_MNIST);
                default:
            }
            Path p = Path.of(data);
            if (Files.isDirectory(p)) {
                return Datasets.idxDirectory(p);
            }
            if (!Files.exists(p)) {
                throw new java.nio.file.NoSuchFileException(data, null,
                        "no such file or directory (expected digits, fashion-mnist, an IDX directory or a CSV file)");
            }
            Dataset csv = Csv.read(p, Csv.Options.defaults().withAllowNonFinite(allowNonFinite)).dataset();
            Dataset.Split s = csv.split(0.2, seed);
            return new Datasets.TrainTest(s.first().named(p.getFileName() + "-train"), s.second().named(p.getFileName() + "-test"));
        }

        String shortName() {
            String n = data.toLowerCase(Locale.ROOT);
            if (n.equals("digits") || n.equals("fashion-mnist")) {
                return n;
            }
            Path f = Path.of(data).getFileName();
            return f == null ? "data" : f.toString().replaceAll("[^A-Za-z0-9._-]", "_");
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Train a classifier and save it. With no options: the embedded digits, about ten seconds.")
    static final class Train implements Callable<Integer> {
        @CommandLine.Mixin
        DataOptions dataOpts;

        @Option(names = "--hidden", split = ",", paramLabel = "N", description = "Hidden layer widths (digits: 128,64; others: 256,128).")
        List<Integer> hidden;

        @Option(names = "--activation", defaultValue = "relu", description = "Hidden activation: relu, tanh, sigmoid, gelu, silu, elu, leaky_relu, softplus.")
        String activation;

        @Option(names = "--dropout", defaultValue = "0", description = "Dropout rate after each hidden layer (default ${DEFAULT-VALUE}).")
        float dropout;

        @Option(names = "--epochs", description = "Epochs (digits: 40; others: 20).")
        Integer epochs;

        @Option(names = "--batch-size", description = "Samples per batch (digits: 32; others: 128).")
        Integer batchSize;

        @Option(names = "--optimizer", defaultValue = "adam", description = "sgd, momentum, nesterov, adam, adamw, rmsprop, adagrad (default ${DEFAULT-VALUE}).")
        String optimizer;

        @Option(names = "--lr", defaultValue = "1e-3", description = "Learning rate (default ${DEFAULT-VALUE}).")
        double lr;

        @Option(names = "--schedule", defaultValue = "cosine", description = "constant, cosine, step (x0.5 every 5 epochs), exponential (x0.9 per epoch); default ${DEFAULT-VALUE}.")
        String schedule;

        @Option(names = "--warmup", defaultValue = "0", description = "Linear warm-up steps (default ${DEFAULT-VALUE}).")
        long warmup;

        @Option(names = "--weight-decay", defaultValue = "0", description = "Weight decay (L2; decoupled for adamw).")
        float weightDecay;

        @Option(names = "--clip", defaultValue = "0", description = "Clip gradients to this global norm (0: off).")
        double clip;

        @Option(names = "--validation", defaultValue = "0.1", description = "Fraction of the training set held out for validation (default ${DEFAULT-VALUE}).")
        double validation;

        @Option(names = "--patience", defaultValue = "0", description = "Early stopping after this many epochs without a better validation loss (0: off).")
        int patience;

        @Option(names = "--seed", defaultValue = "42", description = "Seed of initial weights, shuffling and splits (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--out", paramLabel = "FILE", description = "Where to save the model (default runs/<data>/model.vecnn; its directory must exist if given).")
        Path out;

        @Option(names = "--resume", description = "Continue from the checkpoint at --out (same options) instead of starting afresh.")
        boolean resume;

        @Option(names = "--threads", paramLabel = "N", description = "Kernel threads (default: all processors).")
        Integer threads;

        @Option(names = "--replicas", defaultValue = "1", paramLabel = "R",
                description = "Model replicas training each batch's shards side by side, one thread each (default ${DEFAULT-VALUE}).")
        int replicas;

        @Option(names = "--shards", defaultValue = "0", paramLabel = "S",
                description = "Shards per batch, each with its own gradients summed in order (default: the replica count). "
                        + "Weights depend on the shards, not on the replicas.")
        int shards;

        @Option(names = "--no-progress", description = "No live progress bar (one line per epoch only).")
        boolean noProgress;

        @Override
        public Integer call() throws Exception {
            boolean digits = dataOpts.data.equalsIgnoreCase("digits");
            int ep = epochs != null ? epochs : digits ? 40 : 20;
            int bs = batchSize != null ? batchSize : digits ? 32 : 128;
            List<Integer> widths = hidden != null ? hidden : digits ? List.of(128, 64) : List.of(256, 128);
            CommandLine cmd = new CommandLine(this);
            if (!(lr > 0) || Double.isInfinite(lr)) {
                throw new ParameterException(cmd, "--lr must be a finite number > 0, got " + lr);
            }
            if (bs < 1) {
                throw new ParameterException(cmd, "--batch-size must be >= 1, got " + bs);
            }
            if (ep < 1) {
                throw new ParameterException(cmd, "--epochs must be >= 1, got " + ep);
            }
            if (!(validation > 0 && validation < 1)) {
                throw new ParameterException(cmd, "--validation must be in (0, 1), got " + validation);
            }
            for (int w : widths) {
                if (w < 1) {
                    throw new ParameterException(cmd, "--hidden widths must be >= 1, got " + widths);
                }
            }
            if (threads != null && threads < 1) {
                throw new ParameterException(cmd, "--threads must be >= 1, got " + threads);
            }
            if (replicas < 1 || shards < 0 || (shards > 0 && shards < replicas)) {
                throw new ParameterException(cmd, "--replicas must be >= 1 and --shards >= --replicas, got " + replicas
                        + " and " + shards);
            }
            Kernels kernels = threads == null ? Kernels.get() : Kernels.get().withThreads(threads);
            Path target = out;
            if (target == null) {
                Path dir = Path.of("runs", dataOpts.shortName());
                Files.createDirectories(dir);
                target = dir.resolve("model.vecnn");
            }
            Checkpoint.checkWritable(target);
            Optimizer opt = Optimizers.named(optimizer, weightDecay);
            LearningRateSchedule sched = switch (schedule.toLowerCase(Locale.ROOT)) {
                case "constant" -> LearningRateSchedule.constant(lr);
                case "cosine" -> LearningRateSchedule.cosine(lr, lr / 100, ep);
                case "step" -> LearningRateSchedule.step(lr, 5, 0.5);
                case "exponential" -> LearningRateSchedule.exponential(lr, 0.9);
                default -> throw new ParameterException(cmd, "--schedule must be constant, cosine, step or exponential, got " + schedule);
            };
            if (warmup > 0) {
                sched = sched.withWarmup(warmup);
            }

            Datasets.TrainTest data = dataOpts.load(seed);
            Dataset.Split split = data.train().split(validation, seed);
            Dataset train = split.first();
            Dataset val = split.second();
            Model model;
            Trainer.State resumeState = null;
            Checkpoint.Loaded loaded = null;
            if (resume) {
                loaded = Checkpoint.load(target);
                model = loaded.model();
                resumeState = loaded.state();
            } else {
                Model.Builder mb = Model.builder(train.features()).seed(seed);
                for (int w : widths) {
                    mb.add(Dense.of(w, Activations.named(activation)));
                    if (dropout > 0) {
                        mb.add(Dropout.of(dropout));
                    }
                }
                model = mb.add(Dense.of(train.targetWidth())).build();
            }
            Loss loss = Losses.softmaxCrossEntropy();
            Path curves = target.resolveSibling(stripExtension(target.getFileName().toString()) + "-curves.png");
            Progress progress = new Progress(ep, !noProgress);
            Trainer.Builder tb = Trainer.builder(model, loss, opt).kernels(kernels).replicas(replicas)
                    .shards(Math.max(shards, replicas))
                    .schedule(sched).batchSize(bs).epochs(ep).seed(seed).clipGradientNorm(clip)
                    .checkpoint(target).listener(progress).listener(new CurvesListener(curves));
            if (patience > 0) {
                tb.earlyStopping("val_loss", patience);
            }
            Trainer trainer = tb.build();
            if (loaded != null) {
                Checkpoint.restoreOptimizer(loaded, opt, model.parameters());
                trainer.resumeFrom(resumeState);
            }
            System.out.printf("vecnn: %s, %d training / %d validation / %d test samples; kernels: %s%n",
                    dataOpts.shortName(), train.size(), val.size(), data.test().size(), kernels
                            + (replicas > 1 || shards > 1 ? ", " + replicas + " replicas over " + Math.max(shards, replicas) + " shards" : ""));
            System.out.print(model.summary());
            System.out.printf("optimizer %s, lr %s (%s), batch %d, %d epochs, seed %d%n", opt.name(), lr, schedule, bs, ep, seed);
            long t0 = System.nanoTime();
            List<EpochMetrics> history = trainer.fit(train, val);
            double seconds = (System.nanoTime() - t0) / 1e9;
            progress.close();
            Evaluation test = trainer.evaluate(data.test());
            System.out.printf("test accuracy %.2f%% (loss %.4f) on %d samples after %d epochs, %.1f s%s%n", 100 * test.accuracy(),
                    test.loss(), data.test().size(), history.size(), seconds, trainer.stoppedEarly() ? " (stopped early)" : "");
            System.out.print(test.confusionTable());
            System.out.println("model saved to " + target.toAbsolutePath());
            System.out.println("training curves: " + curves.toAbsolutePath());
            return 0;
        }
    }

    static String stripExtension(String n) {
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    @Command(name = "evaluate", mixinStandardHelpOptions = true, description = "Accuracy, loss and confusion matrix of a saved model on a test set.")
    static final class Evaluate implements Callable<Integer> {
        @CommandLine.Mixin
        DataOptions dataOpts;

        @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model saved by train.")
        Path model;

        @Override
        public Integer call() throws Exception {
            Checkpoint.Loaded loaded = Checkpoint.load(model);
            Datasets.TrainTest data = dataOpts.load(42);
            Evaluation e = Trainer.evaluate(loaded.model(), Losses.softmaxCrossEntropy(), data.test());
            System.out.printf("%s on %s: accuracy %.2f%%, loss %.4f (%d samples)%n", model, data.test().name(), 100 * e.accuracy(),
                    e.loss(), data.test().size());
            System.out.print(e.confusionTable());
            return 0;
        }
    }

    @Command(name = "predict", mixinStandardHelpOptions = true, description = "Predicted classes (and probabilities) of test samples.")
    static final class Predict implements Callable<Integer> {
        @CommandLine.Mixin
        DataOptions dataOpts;

        @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model saved by train.")
        Path model;

        @Option(names = "--count", defaultValue = "10", description = "How many test samples (default ${DEFAULT-VALUE}).")
        int count;

        @Override
        public Integer call() throws Exception {
            if (count < 1) {
                throw new IllegalArgumentException("--count must be >= 1, got " + count);
            }
            Checkpoint.Loaded loaded = Checkpoint.load(model);
            Dataset test = dataOpts.load(42).test();
            int n = Math.min(count, test.size());
            io.vecnn.api.Matrix logits = loaded.model().predict(test.features(0, n));
            io.vecnn.api.Matrix p = io.vecnn.api.Matrix.zeros(n, logits.cols());
            Activations.softmax().forward(logits, p, Kernels.get());
            System.out.println("sample,label,predicted,probability");
            for (int i = 0; i < n; i++) {
                int arg = p.argMax(i);
                System.out.printf(Locale.ROOT, "%d,%d,%d,%.4f%n", i, test.label(i), arg, p.get(i, arg));
            }
            return 0;
        }
    }

    @Command(name = "summary", mixinStandardHelpOptions = true, description = "The layers and parameter counts of a saved model.")
    static final class Summary implements Callable<Integer> {
        @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model saved by train.")
        Path model;

        @Override
        public Integer call() throws Exception {
            Checkpoint.Loaded loaded = Checkpoint.load(model);
            System.out.print(loaded.model().summary());
            Trainer.State s = loaded.state();
            System.out.printf("optimizer %s after %d steps; %d epochs done%n", loaded.optimizer(), loaded.iterations(), s.epochsDone());
            for (EpochMetrics m : s.history()) {
                System.out.printf("epoch %d: loss %.4f, score %.4f, validation loss %.4f, validation score %.4f%n",
                        m.epoch(), m.trainLoss(), m.trainScore(), m.validationLoss(), m.validationScore());
            }
            return 0;
        }
    }
}

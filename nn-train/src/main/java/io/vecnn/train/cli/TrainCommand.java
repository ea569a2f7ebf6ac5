package io.vecnn.train.cli;

import io.vecnn.api.Loss;
import io.vecnn.api.Model;
import io.vecnn.api.Optimizer;
import io.vecnn.kernels.Kernels;
import io.vecnn.layers.Activations;
import io.vecnn.layers.Losses;
import io.vecnn.train.Architectures;
import io.vecnn.train.Checkpoint;
import io.vecnn.train.Dataset;
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
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code train}: trains a classifier and saves it (with its data's record) after every epoch. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a classifier and save it. With no options: the embedded digits, about ten seconds.")
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", defaultValue = "digits", paramLabel = "SOURCE",
            description = "digits (embedded, default), fashion-mnist (Debian's dataset-fashion-mnist), a directory of "
                    + "MNIST-style IDX files, or a CSV file (a seeded 20%% is held out as the test set).")
    String data;

    @CommandLine.Mixin
    CsvOptions csv;

    @Option(names = "--standardize", negatable = true,
            description = "Standardise each feature to mean 0 and variance 1, fitted on the training part alone and saved "
                    + "with the model (default: on for CSV, off for images).")
    Boolean standardize;

    @Option(names = "--model", defaultValue = "mlp", paramLabel = "ARCHITECTURE",
            description = "The built-in architecture: mlp (dense layers, --hidden) or cnn (images: conv3x3 32 + batch norm "
                    + "+ ReLU + max pool 2, conv3x3 64 + batch norm + ReLU + max pool 2, dense 128 ReLU, one output per "
                    + "class); default ${DEFAULT-VALUE}.")
    String architecture;

    @Option(names = "--hidden", split = ",", paramLabel = "N", converter = Values.PositiveInt.class,
            description = "Hidden layer widths (digits: 128,64; others: 256,128).")
    List<Integer> hidden;

    @Option(names = "--activation", defaultValue = "relu",
            description = "Hidden activation: relu, tanh, sigmoid, gelu, silu, elu, leaky_relu, softplus.")
    String activation;

    @Option(names = "--dropout", defaultValue = "0", converter = Values.Rate.class,
            description = "Dropout rate after each hidden layer, in [0, 1) (default ${DEFAULT-VALUE}).")
    double dropout;

    @Option(names = "--epochs", converter = Values.PositiveInt.class, description = "Epochs (digits: 40; others: 20).")
    Integer epochs;

    @Option(names = "--batch-size", converter = Values.PositiveInt.class, description = "Samples per batch (digits: 32; others: 128).")
    Integer batchSize;

    @Option(names = "--optimizer", defaultValue = "adam",
            description = "sgd, momentum, nesterov, adam, adamw, rmsprop, adagrad (default ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--lr", defaultValue = "1e-3", converter = Values.PositiveFloat.class,
            description = "Learning rate, finite and > 0 as a float (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--schedule", defaultValue = "cosine",
            description = "constant, cosine, step (x0.5 every 5 epochs), exponential (x0.9 per epoch); default ${DEFAULT-VALUE}.")
    String schedule;

    @Option(names = "--warmup", defaultValue = "0", converter = Values.NonNegativeLong.class,
            description = "Linear warm-up steps (default ${DEFAULT-VALUE}).")
    long warmup;

    @Option(names = "--weight-decay", defaultValue = "0", converter = Values.NonNegativeFloat.class,
            description = "Weight decay (L2; decoupled for adamw).")
    double weightDecay;

    @Option(names = "--clip", defaultValue = "0", converter = Values.NonNegativeFloat.class,
            description = "Clip gradients to this global norm (0: off).")
    double clip;

    @Option(names = "--validation", converter = Values.OpenFraction.class,
            description = "Fraction of the training part held out for validation (default 0.1).")
    Double validation;

    @Option(names = "--patience", defaultValue = "0", converter = Values.NonNegativeInt.class,
            description = "Early stopping after this many epochs without a better validation loss (0: off).")
    int patience;

    @Option(names = "--seed", defaultValue = "42", converter = Values.AnyLong.class,
            description = "Seed of initial weights, shuffling and splits (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Where to save the model (default runs/<data>/model.vecnn; its directory must exist if given). "
                    + "The training curves go beside it as <name>-curves.png.")
    Path out;

    @Option(names = "--resume", description = "Continue from the checkpoint at --out (same data and seed) instead of starting afresh.")
    boolean resume;

    @Option(names = "--threads", paramLabel = "N", converter = Values.Threads.class,
            description = "Kernel threads, 1 to " + Values.MAX_THREADS + " (default: all processors).")
    Integer threads;

    @Option(names = "--replicas", defaultValue = "1", paramLabel = "R", converter = Values.PositiveInt.class,
            description = "Model replicas training each batch's shards side by side, one thread each (default ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--shards", defaultValue = "0", paramLabel = "S", converter = Values.NonNegativeInt.class,
            description = "Shards per batch, each with its own gradients summed in order (default: the replica count). "
                    + "Weights depend on the shards, not on the replicas.")
    int shards;

    @Option(names = "--no-progress", description = "No progress bar or progress lines (one line per epoch only).")
    boolean noProgress;

    /** The default validation share. */
    static final double DEFAULT_VALIDATION = 0.1;

    @Override
    public Integer call() throws Exception {
        TrainingData.Source source = TrainingData.Source.of(data, csv.headerRule(), csv.label, csv.allowNonFinite);
        boolean digits = source.kind() == TrainingData.Kind.DIGITS;
        int ep = epochs != null ? epochs : digits ? 40 : 20;
        int bs = batchSize != null ? batchSize : digits ? 32 : 128;
        List<Integer> widths = hidden != null ? hidden : digits ? List.of(128, 64) : List.of(256, 128);
        if (!architecture.equals("mlp") && !architecture.equals("cnn")) {
            throw new ParameterException(spec.commandLine(), "--model must be mlp or cnn, got " + architecture);
        }
        if (shards > 0 && shards < replicas) {
            throw new ParameterException(spec.commandLine(), "--shards must be >= --replicas, got " + shards + " and " + replicas);
        }
        Optimizer opt = Optimizers.named(optimizer, (float) weightDecay);
        LearningRateSchedule sched = schedule(ep);
        Kernels kernels = threads == null ? Kernels.get() : Kernels.get().withThreads(threads);
        Path target = out != null ? out : Path.of("runs", source.shortName(), "model.vecnn");
        String who = target.toString();

        Checkpoint.Loaded loaded = null;
        TrainingData.Provenance recorded = null;
        TrainingData.Plan plan = TrainingData.Plan.of(source, validation != null ? validation : DEFAULT_VALIDATION, seed,
                standardize != null ? standardize : source.kind() == TrainingData.Kind.CSV);
        if (resume) {
            loaded = Checkpoint.load(target);
            recorded = TrainingData.Provenance.of(loaded.extras(), target);
            if (recorded != null) {
                plan = resumedPlan(recorded.plan(), who);
            }
        }
        // Every input is read and checked before anything is written.
        TrainingData.Splits splits = TrainingData.prepare(source, plan, recorded, who);
        Dataset train = splits.train();
        Model model = loaded != null ? loaded.model() : buildModel(train, widths);
        requireFits(model, train, who);

        if (out == null) {
            Files.createDirectories(target.getParent());
        }
        Checkpoint.checkWritable(target);
        Path curves = target.resolveSibling(stripExtension(target.getFileName().toString()) + "-curves.png");
        if (Files.isDirectory(curves)) {
            throw new IOException("cannot write the training curves to " + curves + ": it is a directory");
        }
        Loss loss = Losses.softmaxCrossEntropy();
        Progress progress = Progress.standard(ep, noProgress);
        CurvesListener curvesListener = new CurvesListener(curves);
        Trainer.Builder tb = Trainer.builder(model, loss, opt).kernels(kernels).replicas(replicas)
                .shards(Math.max(shards, replicas))
                .schedule(sched).batchSize(bs).epochs(ep).seed(seed).clipGradientNorm(clip)
                .checkpoint(target, splits.provenance().toExtras()).listener(progress).listener(curvesListener);
        if (patience > 0) {
            tb.earlyStopping("val_loss", patience);
        }
        Trainer trainer = tb.build();
        if (loaded != null) {
            Checkpoint.restoreOptimizer(loaded, opt, model.parameters());
            trainer.resumeFrom(loaded.state());
        }
        printHeader(splits, kernels, model, opt, ep, bs);
        long t0 = System.nanoTime();
        List<EpochMetrics> history;
        try {
            history = trainer.fit(train, splits.validation());
        } catch (TrainingDivergedException e) {
            progress.close();
            try {
                curvesListener.finish();   // the curves up to the last good epoch show what happened
            } catch (UncheckedIOException notDrawn) {
                e.addSuppressed(notDrawn);
            }
            throw e;
        } finally {
            progress.close();
        }
        curvesListener.finish();
        double seconds = (System.nanoTime() - t0) / 1e9;
        Evaluation test = trainer.evaluate(splits.test());
        System.out.printf(Locale.ROOT, "test accuracy %.2f%% (loss %.4f) on %d samples after %d epochs, %.1f s%s%n",
                100 * test.accuracy(), test.loss(), splits.test().size(), history.size(), seconds,
                trainer.stoppedEarly() ? " (stopped early)" : "");
        System.out.print(test.confusionTable());
        printClassLegend(train.classNames());
        System.out.println("model saved to " + target.toAbsolutePath());
        System.out.println("training curves: " + curves.toAbsolutePath());
        return 0;
    }

    /**
     * The network to train on {@code train}: the one place that decides the architecture (a
     * multilayer perceptron: {@code --hidden} widths of {@code --activation}, {@code --dropout} after
     * each, then one output per class).
     */
    Model buildModel(Dataset train, List<Integer> widths) {
        if (architecture.equals("cnn")) {
            return Architectures.cnn(train.featureShape(), train.targetWidth(), seed);
        }
        return Architectures.mlp(train.features(), widths, Activations.named(activation), dropout, train.targetWidth(), seed);
    }

    /** Throws unless the model takes the data's features and has one output per class. */
    static void requireFits(Model model, Dataset d, String who) {
        if (model.inputSize() != d.features() || model.outputSize() != d.targetWidth()) {
            throw new IllegalArgumentException(who + ": the model takes " + model.inputSize() + " features and has "
                    + model.outputSize() + " outputs; " + d.name() + " has " + d.features() + " features and " + d.targetWidth()
                    + " classes");
        }
    }

    private LearningRateSchedule schedule(int ep) {
        LearningRateSchedule sched = switch (schedule.toLowerCase(Locale.ROOT)) {
            case "constant" -> LearningRateSchedule.constant(lr);
            case "cosine" -> LearningRateSchedule.cosine(lr, lr / 100, ep);
            case "step" -> LearningRateSchedule.step(lr, 5, 0.5);
            case "exponential" -> LearningRateSchedule.exponential(lr, 0.9);
            default -> throw new ParameterException(spec.commandLine(),
                    "--schedule must be constant, cosine, step or exponential, got " + schedule);
        };
        return warmup > 0 ? sched.withWarmup(warmup) : sched;
    }

    /** A resumed run continues on the recorded split and standardization; options that contradict them are refused. */
    private TrainingData.Plan resumedPlan(TrainingData.Plan recorded, String who) {
        if (validation != null && validation != recorded.validationFraction()) {
            throw new IllegalArgumentException(who + " was trained with --validation " + recorded.validationFraction()
                    + "; resuming with " + validation + " would change the training samples");
        }
        if (standardize != null && standardize != recorded.standardize()) {
            throw new IllegalArgumentException(who + " was trained " + (recorded.standardize() ? "with" : "without")
                    + " standardised features; resuming cannot change that");
        }
        if (recorded.validationSeed() != seed) {
            throw new IllegalArgumentException(who + " was trained with --seed " + recorded.validationSeed() + ", not " + seed);
        }
        return recorded;
    }

    private void printHeader(TrainingData.Splits splits, Kernels kernels, Model model, Optimizer opt, int ep, int bs) {
        System.out.printf("vecnn: %s, %d training / %d validation / %d test samples; kernels: %s%n",
                splits.provenance().source().shortName(), splits.train().size(), splits.validation().size(), splits.test().size(),
                kernels + (replicas > 1 || shards > 1 ? ", " + replicas + " replicas over " + Math.max(shards, replicas) + " shards" : ""));
        if (splits.standardization() != null) {
            System.out.printf("features standardised (mean and variance of the %d training samples, saved with the model)%n",
                    splits.train().size());
        }
        System.out.print(model.summary());
        System.out.printf("optimizer %s, lr %s (%s), batch %d, %d epochs, seed %d%n", opt.name(), lr, schedule, bs, ep, seed);
    }

    /** Names the classes when they are not simply their numbers. */
    static void printClassLegend(List<String> classNames) {
        boolean numbered = true;
        for (int i = 0; i < classNames.size(); i++) {
            numbered &= classNames.get(i).equals(Integer.toString(i));
        }
        if (!numbered) {
            StringBuilder sb = new StringBuilder("classes:");
            for (int i = 0; i < classNames.size(); i++) {
                sb.append(i == 0 ? " " : ", ").append(i).append(' ').append(classNames.get(i));
            }
            System.out.println(sb);
        }
    }

    static String stripExtension(String n) {
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}

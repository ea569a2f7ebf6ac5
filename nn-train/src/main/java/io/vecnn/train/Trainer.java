package io.vecnn.train;

import io.vecnn.api.Loss;
import io.vecnn.api.Matrix;
import io.vecnn.api.Mode;
import io.vecnn.api.Model;
import io.vecnn.api.Optimizer;
import io.vecnn.api.Parameter;
import io.vecnn.kernels.Kernels;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The mini-batch training loop for classifiers: each epoch shuffles the training set from the seed,
 * runs forward, loss, backward and one optimizer step per batch, then evaluates the validation set,
 * saves a checkpoint (if a path is set), calls the listeners and checks early stopping.
 *
 * <h2>Reproducibility</h2>
 * The shuffle of epoch e depends only on (seed, e), dropout masks only on the step, the schedule only
 * on the step, and the kernels give bit-identical results for any thread count. So the same seed
 * gives bit-identical weights whatever the number of threads, and a run resumed from an epoch's
 * checkpoint ({@link #resumeFrom}) continues exactly as the uninterrupted run.
 *
 * <h2>Threads</h2>
 * Training runs on the calling thread; the matrix products inside use the kernels' thread pool (all
 * processors by default, {@code -Dvecnn.threads=N}).
 *
 * <h2>Failure</h2>
 * A NaN or infinite loss or gradient throws {@link TrainingDivergedException} naming the step and the
 * parameter before the update is applied; the last checkpoint on disk is the last good epoch's.
 */
public final class Trainer {
    private static final Kernels KERNELS = Kernels.get();

    private final Model model;
    private final Loss loss;
    private final Optimizer optimizer;
    private final LearningRateSchedule schedule;
    private final int batchSize;
    private final int epochs;
    private final long seed;
    private final double clipNorm;
    private final String monitor;
    private final int patience;
    private final Path checkpoint;
    private final List<TrainingListener> listeners;

    private int epochsDone;
    private long step;
    private double best = Double.NaN;
    private int badEpochs;
    private final List<EpochMetrics> history = new ArrayList<>();

    private Trainer(Builder b) {
        this.model = b.model;
        this.loss = b.loss;
        this.optimizer = b.optimizer;
        this.schedule = b.schedule;
        this.batchSize = b.batchSize;
        this.epochs = b.epochs;
        this.seed = b.seed;
        this.clipNorm = b.clipNorm;
        this.monitor = b.monitor;
        this.patience = b.patience;
        this.checkpoint = b.checkpoint;
        this.listeners = List.copyOf(b.listeners);
    }

    /** A builder for training {@code model} with {@code loss} and {@code optimizer}. */
    public static Builder builder(Model model, Loss loss, Optimizer optimizer) {
        return new Builder(model, loss, optimizer);
    }

    /** The state that a checkpoint saves besides parameters and optimizer state. */
    public record State(long seed, int epochsDone, long step, double best, int badEpochs, List<EpochMetrics> history) {
        /** A copy with an unmodifiable history. */
        public State {
            history = List.copyOf(history);
        }
    }

    /** The current training state. */
    public State state() {
        return new State(seed, epochsDone, step, best, badEpochs, history);
    }

    /** The epochs measured so far. */
    public List<EpochMetrics> history() {
        return List.copyOf(history);
    }

    /** The model trained. */
    public Model model() {
        return model;
    }

    /** The optimizer. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /**
     * Continues from a checkpoint's state: its optimizer state must already be in {@link #optimizer()}
     * ({@link Checkpoint#restoreOptimizer}) and its parameters in the model.
     */
    public void resumeFrom(State s) {
        if (s.seed() != seed) {
            throw new IllegalArgumentException("the checkpoint was trained with seed " + s.seed() + ", this trainer uses " + seed);
        }
        epochsDone = s.epochsDone();
        step = s.step();
        best = s.best();
        badEpochs = s.badEpochs();
        history.clear();
        history.addAll(s.history());
    }

    /** Whether early stopping ended training. */
    public boolean stoppedEarly() {
        return patience > 0 && badEpochs >= patience;
    }

    /**
     * Trains until {@code epochs} epochs are done or early stopping triggers.
     *
     * @param train      the training set
     * @param validation the validation set, or null
     * @return the metrics of every epoch so far
     * @throws TrainingDivergedException on a non-finite loss or gradient (the update is not applied)
     * @throws IOException               if a checkpoint cannot be written (the previous one stays intact)
     */
    public List<EpochMetrics> fit(Dataset train, Dataset validation) throws IOException {
        Objects.requireNonNull(train, "train");
        checkData(train, "training set");
        if (validation != null) {
            checkData(validation, "validation set");
        }
        int n = train.size();
        int features = train.features();
        int classes = train.classes();
        int batches = (n + batchSize - 1) / batchSize;
        float[] xBuf = new float[Math.min(batchSize, n) * features];
        float[] yBuf = new float[Math.min(batchSize, n) * classes];
        float[] gBuf = new float[Math.min(batchSize, n) * classes];
        Matrix xFull = Matrix.wrap(Math.min(batchSize, n), features, xBuf);
        Matrix yFull = Matrix.wrap(Math.min(batchSize, n), classes, yBuf);
        Matrix gFull = Matrix.wrap(Math.min(batchSize, n), classes, gBuf);
        int tail = n % batchSize;
        Matrix xTail = tail == 0 ? null : Matrix.wrap(tail, features, xBuf);
        Matrix yTail = tail == 0 ? null : Matrix.wrap(tail, classes, yBuf);
        Matrix gTail = tail == 0 ? null : Matrix.wrap(tail, classes, gBuf);
        int[] order = new int[n];
        List<Parameter> params = model.parameters();

        try (Model.Workspace ws = model.newTrainingWorkspace()) {
            while (epochsDone < epochs && !stoppedEarly()) {
                int epoch = epochsDone + 1;
                for (int i = 0; i < n; i++) {
                    order[i] = i;
                }
                Dataset.shuffle(order, new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * epoch)));
                double lossSum = 0;
                long correct = 0;
                double lr = 0;
                long start = System.nanoTime();
                for (int b = 0; b < batches; b++) {
                    int from = b * batchSize;
                    int rows = Math.min(batchSize, n - from);
                    Matrix x = rows == xFull.rows() ? xFull : xTail;
                    Matrix y = rows == yFull.rows() ? yFull : yTail;
                    Matrix g = rows == gFull.rows() ? gFull : gTail;
                    train.gather(order, from, rows, x, y);
                    long thisStep = step + 1;
                    model.zeroGradients();
                    Matrix out = ws.forward(x, Mode.TRAINING, thisStep);
                    correct += countCorrect(out, y);
                    double l = loss.compute(out, y, g);
                    if (!Double.isFinite(l)) {
                        throw new TrainingDivergedException(thisStep, "step " + thisStep + " (epoch " + epoch + ", batch " + (b + 1)
                                + "): the loss is " + l + "; the update was not applied");
                    }
                    ws.backward(g);
                    double norm = gradientNorm(params, thisStep, epoch, b + 1);
                    if (clipNorm > 0 && norm > clipNorm) {
                        scaleGradients(params, (float) (clipNorm / norm));
                    }
                    lr = schedule.rate(step, batches);
                    optimizer.step(params, (float) lr);
                    step = thisStep;
                    lossSum += l * rows;
                    for (TrainingListener listener : listeners) {
                        listener.onStep(epoch, step, b + 1, batches, l, rows);
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                Evaluation val = validation == null ? null : evaluate(validation);
                EpochMetrics m = new EpochMetrics(epoch, lossSum / n, (double) correct / n,
                        val == null ? Double.NaN : val.loss(), val == null ? Double.NaN : val.accuracy(), lr, seconds, n / seconds);
                history.add(m);
                epochsDone = epoch;
                updateEarlyStopping(m);
                if (checkpoint != null) {
                    Checkpoint.save(checkpoint, model, optimizer, state());
                }
                for (TrainingListener listener : listeners) {
                    listener.onEpoch(m);
                }
            }
        }
        return history();
    }

    private void checkData(Dataset d, String what) {
        if (d.features() != model.inputSize()) {
            throw new IllegalArgumentException(what + " '" + d.name() + "' has " + d.features() + " features, the model takes "
                    + model.inputSize());
        }
        if (d.classes() != model.outputSize()) {
            throw new IllegalArgumentException(what + " '" + d.name() + "' has " + d.classes() + " classes, the model outputs "
                    + model.outputSize());
        }
        if (d.size() == 0) {
            throw new IllegalArgumentException(what + " '" + d.name() + "' is empty");
        }
    }

    private void updateEarlyStopping(EpochMetrics m) {
        if (patience <= 0) {
            return;
        }
        boolean maximize = monitor.endsWith("accuracy");
        double v = switch (monitor) {
            case "val_loss" -> m.validationLoss();
            case "val_accuracy" -> m.validationAccuracy();
            case "loss" -> m.trainLoss();
            default -> m.trainAccuracy();
        };
        if (Double.isNaN(best) || (maximize ? v > best : v < best)) {
            best = v;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
    }

    /** √Σg² over every parameter; throws if a gradient is not finite, naming it. Allocation-free. */
    private static double gradientNorm(List<Parameter> params, long step, int epoch, int batch) {
        double total = 0;
        for (int p = 0; p < params.size(); p++) {
            Parameter param = params.get(p);
            float[] g = param.gradient().data();
            double s = KERNELS.sumOfSquares(param.size(), g, 0);
            if (!Double.isFinite(s)) {
                int bad = param.gradient().firstNonFinite();
                String where = bad >= 0 ? "element " + bad + " is " + g[bad] : "its squared norm overflows";
                throw new TrainingDivergedException(step, "step " + step + " (epoch " + epoch + ", batch " + batch
                        + "): the gradient of " + param.name() + " is not finite (" + where + "); the update was not applied");
            }
            total += s;
        }
        return Math.sqrt(total);
    }

    private static void scaleGradients(List<Parameter> params, float factor) {
        for (Parameter p : params) {
            float[] g = p.gradient().data();
            for (int i = 0, n = p.size(); i < n; i++) {
                g[i] *= factor;
            }
        }
    }

    private static int countCorrect(Matrix out, Matrix oneHot) {
        int c = 0;
        for (int r = 0; r < out.rows(); r++) {
            if (oneHot.get(r, out.argMax(r)) == 1f) {
                c++;
            }
        }
        return c;
    }

    /** Loss, accuracy and confusion matrix of the model on a dataset (inference mode). */
    public Evaluation evaluate(Dataset d) {
        return evaluate(model, loss, d);
    }

    /** Loss, accuracy and confusion matrix of any model on a dataset, in batches of 1,024. */
    public static Evaluation evaluate(Model model, Loss loss, Dataset d) {
        int k = d.classes();
        int[][] confusion = new int[k][k];
        Model.Workspace ws = model.newWorkspace();
        int chunk = 1024;
        int[] identity = new int[d.size()];
        for (int i = 0; i < identity.length; i++) {
            identity[i] = i;
        }
        double lossSum = 0;
        long correct = 0;
        Matrix xBuf = Matrix.zeros(Math.min(chunk, d.size()), d.features());
        Matrix yBuf = Matrix.zeros(Math.min(chunk, d.size()), k);
        for (int from = 0; from < d.size(); from += chunk) {
            int rows = Math.min(chunk, d.size() - from);
            Matrix x = rows == xBuf.rows() ? xBuf : Matrix.wrap(rows, d.features(), xBuf.data());
            Matrix y = rows == yBuf.rows() ? yBuf : Matrix.wrap(rows, k, yBuf.data());
            d.gather(identity, from, rows, x, y);
            Matrix out = ws.forward(x, Mode.INFERENCE, 0);
            lossSum += loss.compute(out, y, null) * rows;
            for (int r = 0; r < rows; r++) {
                int arg = out.argMax(r);
                int actual = d.label(from + r);
                confusion[actual][arg]++;
                if (arg == actual) {
                    correct++;
                }
            }
        }
        return new Evaluation(lossSum / d.size(), (double) correct / d.size(), confusion);
    }

    /** Configures a {@link Trainer}. */
    public static final class Builder {
        private final Model model;
        private final Loss loss;
        private final Optimizer optimizer;
        private LearningRateSchedule schedule = LearningRateSchedule.constant(1e-3);
        private int batchSize = 128;
        private int epochs = 10;
        private long seed = 42;
        private double clipNorm;
        private String monitor = "val_loss";
        private int patience;
        private Path checkpoint;
        private final List<TrainingListener> listeners = new ArrayList<>();

        private Builder(Model model, Loss loss, Optimizer optimizer) {
            this.model = Objects.requireNonNull(model, "model");
            this.loss = Objects.requireNonNull(loss, "loss");
            this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        }

        /** The learning-rate schedule (default constant 1e-3). */
        public Builder schedule(LearningRateSchedule s) {
            this.schedule = Objects.requireNonNull(s, "schedule");
            return this;
        }

        /** Constant learning rate. */
        public Builder learningRate(double lr) {
            return schedule(LearningRateSchedule.constant(lr));
        }

        /** Samples per batch (default 128). */
        public Builder batchSize(int b) {
            if (b < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, got " + b);
            }
            this.batchSize = b;
            return this;
        }

        /** Number of epochs (default 10). */
        public Builder epochs(int e) {
            if (e < 1) {
                throw new IllegalArgumentException("epochs must be >= 1, got " + e);
            }
            this.epochs = e;
            return this;
        }

        /** The shuffling seed (default 42). */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** Clip gradients to this global L2 norm (0, the default, disables clipping). */
        public Builder clipGradientNorm(double max) {
            if (!(max >= 0) || Double.isInfinite(max)) {
                throw new IllegalArgumentException("gradient clipping norm must be finite and >= 0, got " + max);
            }
            this.clipNorm = max;
            return this;
        }

        /**
         * Stop after {@code patience} epochs without improvement of {@code metric}: {@code val_loss},
         * {@code val_accuracy}, {@code loss} or {@code accuracy}.
         */
        public Builder earlyStopping(String metric, int patience) {
            if (!List.of("val_loss", "val_accuracy", "loss", "accuracy").contains(metric)) {
                throw new IllegalArgumentException("unknown metric '" + metric + "'; known: val_loss, val_accuracy, loss, accuracy");
            }
            if (patience < 1) {
                throw new IllegalArgumentException("patience must be >= 1, got " + patience);
            }
            this.monitor = metric;
            this.patience = patience;
            return this;
        }

        /** Save a checkpoint to this file after every epoch (atomically replacing the previous one). */
        public Builder checkpoint(Path file) {
            this.checkpoint = file;
            return this;
        }

        /** Adds a listener. */
        public Builder listener(TrainingListener l) {
            listeners.add(Objects.requireNonNull(l, "listener"));
            return this;
        }

        /** The trainer. */
        public Trainer build() {
            if (checkpoint != null) {
                Checkpoint.checkWritable(checkpoint);
            }
            return new Trainer(this);
        }
    }
}

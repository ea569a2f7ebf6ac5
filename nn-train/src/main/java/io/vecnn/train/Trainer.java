package io.vecnn.train;

import io.vecnn.api.Gradients;
import io.vecnn.api.Loss;
import io.vecnn.api.Matrix;
import io.vecnn.api.Mode;
import io.vecnn.api.Model;
import io.vecnn.api.Node;
import io.vecnn.api.Optimizer;
import io.vecnn.api.Parameter;
import io.vecnn.kernels.Kernels;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * The mini-batch training loop: each epoch shuffles the training set from the seed, runs forward,
 * loss, backward and one optimizer step per batch, then evaluates the validation set, saves a
 * checkpoint (if a path is set), calls the listeners and checks early stopping. It trains any
 * single-input model on any {@link Dataset} task: classification, regression or multi-label.
 *
 * <h2>Shards and replicas (data parallelism on one machine)</h2>
 * Each batch is cut into {@link Builder#shards(int) shards} (contiguous row ranges, sizes fixed by
 * the batch size), each computed by a training workspace of its own: a model replica with its own
 * gradient buffer. The step's gradient is the sum g₁ + g₂ + … of the shards' buffers, in shard
 * order, and one update is applied to the shared parameters. {@link Builder#replicas(int) Replicas}
 * are the threads that run the shards side by side, each on kernels of its own. Because every
 * shard is computed the same way whoever runs it, and the sum has a fixed order, <b>the weights
 * depend on the shard count, never on the number of replicas</b>: a run with 6 shards gives
 * bit-identical weights on 1, 2 or 3 replicas. (Float addition is not associative, so different
 * shard counts give results that differ in the last bits.) The default, one shard on one replica,
 * splits each matrix product across the kernels' threads instead.
 *
 * <h2>Reproducibility</h2>
 * The shuffle of epoch e depends only on (seed, e), dropout masks only on the step, the schedule only
 * on the step, and the kernels give bit-identical results for any thread count. So the same seed and
 * shard count give bit-identical weights whatever the number of threads or replicas, and a run
 * resumed from an epoch's checkpoint ({@link #resumeFrom}) continues exactly as the uninterrupted run.
 *
 * <h2>Failure</h2>
 * A NaN or infinite loss or gradient throws {@link TrainingDivergedException} naming the step and the
 * parameter before the update is applied; parameters are checked finite before every checkpoint, so
 * the last checkpoint on disk is always the last good epoch's.
 */
public final class Trainer {
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
    private final Checkpoint.Extras checkpointExtras;
    private final List<TrainingListener> listeners;
    private final Kernels kernels;
    private final int replicas;
    private final int shards;
    private final StepEngine.Factory engine;

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
        this.checkpointExtras = b.checkpointExtras;
        this.listeners = List.copyOf(b.listeners);
        this.kernels = b.kernels != null ? b.kernels : Kernels.get();
        this.replicas = b.replicas;
        this.shards = Math.max(b.shards, b.replicas);
        this.engine = b.engine;
    }

    /**
     * A builder for training {@code model} with {@code loss} and {@code optimizer}.
     *
     * @param model the model to train
     * @param loss the loss to minimize
     * @param optimizer the optimizer
     * @return a new builder
     */
    public static Builder builder(Model model, Loss loss, Optimizer optimizer) {
        return new Builder(model, loss, optimizer);
    }

    /**
     * The state that a checkpoint saves besides parameters and optimizer state.
     *
     * @param seed the shuffling seed
     * @param epochsDone the number of epochs finished
     * @param step the number of steps taken
     * @param best the best value of the early-stopping metric so far
     * @param badEpochs the epochs since it last improved
     * @param history the metrics of every epoch so far
     */
    public record State(long seed, int epochsDone, long step, double best, int badEpochs, List<EpochMetrics> history) {
        /** A copy with an unmodifiable history. */
        public State {
            history = List.copyOf(history);
        }
    }

    /**
     * The current training state.
     *
     * @return the state
     */
    public State state() {
        return new State(seed, epochsDone, step, best, badEpochs, history);
    }

    /**
     * The epochs measured so far.
     *
     * @return the metrics of each epoch (unmodifiable)
     */
    public List<EpochMetrics> history() {
        return List.copyOf(history);
    }

    /**
     * The model trained.
     *
     * @return the model
     */
    public Model model() {
        return model;
    }

    /**
     * The optimizer.
     *
     * @return the optimizer
     */
    public Optimizer optimizer() {
        return optimizer;
    }

    /**
     * The kernels the trainer computes with (replicas get kernels of their own with a share of its
     * threads).
     *
     * @return the kernels
     */
    public Kernels kernels() {
        return kernels;
    }

    /**
     * Continues from a checkpoint's state: its optimizer state must already be in {@link #optimizer()}
     * ({@link Checkpoint#restoreOptimizer}) and its parameters in the model.
     *
     * @param s the checkpoint's trainer state
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

    /**
     * Whether early stopping ended training.
     *
     * @return true if training stopped early
     */
    public boolean stoppedEarly() {
        return patience > 0 && badEpochs >= patience;
    }

    /**
     * Trains until {@code epochs} epochs are done or early stopping triggers.
     *
     * @param train      the training set
     * @param validation the validation set, or null
     * @return the metrics of every epoch so far
     * @throws TrainingDivergedException on a non-finite loss or gradient (the update is not applied), or
     *                                   non-finite parameters at the end of an epoch (not saved)
     * @throws IOException               if a checkpoint cannot be written (the previous one stays intact)
     */
    public List<EpochMetrics> fit(Dataset train, Dataset validation) throws IOException {
        Objects.requireNonNull(train, "train");
        checkData(train, "training set");
        if (validation != null) {
            checkData(validation, "validation set");
            if (validation.task() != train.task()) {
                throw new IllegalArgumentException("the validation set is " + validation.task() + ", the training set "
                        + train.task());
            }
        }
        int n = train.size();
        int batches = (n + batchSize - 1) / batchSize;
        int[] order = new int[n];
        List<Parameter> params = model.parameters();
        Evaluation.Accumulator score = new Evaluation.Accumulator(train);
        boolean hasBuffers = model.nodes().stream().anyMatch(node -> !node.buffers().isEmpty());

        try (StepEngine runner = engine != null ? engine.open(model, loss, train, batchSize, kernels) : new LocalEngine(train)) {
            while (epochsDone < epochs && !stoppedEarly()) {
                int epoch = epochsDone + 1;
                epochOrder(seed, epoch, order);
                double lossSum = 0;
                double lr = 0;
                score.reset();
                long start = System.nanoTime();
                for (int b = 0; b < batches; b++) {
                    int from = b * batchSize;
                    int rows = Math.min(batchSize, n - from);
                    long thisStep = step + 1;
                    double l = runner.step(epoch, order, from, rows, thisStep, score);
                    if (!Double.isFinite(l)) {
                        throw new TrainingDivergedException(thisStep, "step " + thisStep + " (epoch " + epoch + ", batch " + (b + 1)
                                + "): the loss is " + l + "; the update was not applied");
                    }
                    Gradients grads = runner.gradients();
                    double norm = gradientNorm(params, grads, thisStep, epoch, b + 1);
                    if (clipNorm > 0 && norm > clipNorm) {
                        grads.scale((float) (clipNorm / norm));
                    }
                    lr = schedule.rate(step, batches);
                    optimizer.step(params, grads, (float) lr, kernels);
                    if (hasBuffers) {
                        runner.updateBuffers();
                    }
                    step = thisStep;
                    lossSum += l * rows;
                    for (TrainingListener listener : listeners) {
                        listener.onStep(epoch, step, b + 1, batches, l, rows);
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                requireFiniteParameters(epoch);
                Evaluation val = validation == null ? null : evaluate(validation);
                EpochMetrics m = new EpochMetrics(epoch, lossSum / n, score.result(lossSum / n).score(),
                        val == null ? Double.NaN : val.loss(), val == null ? Double.NaN : val.score(), lr, seconds, n / seconds);
                history.add(m);
                epochsDone = epoch;
                updateEarlyStopping(m);
                if (checkpoint != null) {
                    Checkpoint.save(checkpoint, model, optimizer, state(), checkpointExtras);
                }
                for (TrainingListener listener : listeners) {
                    listener.onEpoch(m);
                }
            }
        }
        return history();
    }

    /**
     * The sample order of an epoch: 0 … n−1 shuffled by a generator that depends only on the seed
     * and the epoch, so any process computes the same order.
     *
     * @param seed  the trainer's seed
     * @param epoch the epoch (1-based)
     * @param order filled with the order (its length is the training set's size)
     */
    public static void epochOrder(long seed, int epoch, int[] order) {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Dataset.shuffle(order, new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * epoch)));
    }

    /**
     * The built-in engine: one {@link ShardWorker} per shard, run by the replica threads, the
     * shards' buffers summed into the first one's in shard order. Reused for every step: nothing is
     * allocated per step.
     */
    private final class LocalEngine implements StepEngine, IntConsumer {
        private final ShardWorker[] workers;
        /** Runs the replicas: one thread each, whatever the kernels' own thread count. */
        private final Kernels replicaThreads;
        private final IntConsumer reduceRange;
        private int[] order;
        private int from;
        private int rows;
        private long thisStep;
        private int reduceParts;

        LocalEngine(Dataset train) {
            // Replicas split the kernels' threads among them; one replica keeps them all for its GEMMs.
            Kernels replicaKernels = replicas > 1 ? kernels.withThreads(Math.max(1, kernels.threads() / replicas)) : kernels;
            replicaThreads = kernels.withThreads(replicas);
            workers = new ShardWorker[shards];
            for (int j = 0; j < shards; j++) {
                workers[j] = new ShardWorker(model, loss, train, batchSize, j, shards, replicaKernels);
            }
            reduceRange = this::reduceRange;
            List<Node> nodes = model.nodes();
            for (int i = 0; i < nodes.size(); i++) {
                if (!nodes.get(i).buffers().isEmpty()) {
                    List<Node.State> states = new ArrayList<>(shards);
                    for (ShardWorker w : workers) {
                        states.add(w.state(i));
                    }
                    bufferNodes.add(nodes.get(i));
                    bufferStates.add(states);
                }
            }
        }

        // Nodes with buffers (batch normalization's running statistics) and their states in shard order.
        private final List<Node> bufferNodes = new ArrayList<>();
        private final List<List<Node.State>> bufferStates = new ArrayList<>();

        @Override
        public void updateBuffers() {
            for (int i = 0; i < bufferNodes.size(); i++) {
                bufferNodes.get(i).updateBuffers(bufferStates.get(i));
            }
        }

        @Override
        public double step(int epoch, int[] order, int from, int rows, long thisStep, Evaluation.Accumulator score) {
            this.order = order;
            this.from = from;
            this.rows = rows;
            this.thisStep = thisStep;
            if (replicas > 1) {
                replicaThreads.parallelFor(replicas, this);
            } else {
                accept(0);
            }
            double l = 0;
            for (ShardWorker w : workers) {
                l += w.lastLoss() * w.lastRows();
                score.add(w.score());
                w.score().reset();
            }
            reduce();
            return l / rows;
        }

        /** Replica r runs its block of shards, in order. */
        @Override
        public void accept(int r) {
            for (int j = shards * r / replicas, end = shards * (r + 1) / replicas; j < end; j++) {
                workers[j].compute(order, from, rows, thisStep);
            }
        }

        @Override
        public Gradients gradients() {
            return workers[0].gradients();
        }

        /** Sums the shards' gradients into the first shard's buffer, in shard order. */
        private void reduce() {
            if (shards > 1) {
                reduceParts = replicas;
                if (replicas > 1) {
                    replicaThreads.parallelFor(replicas, reduceRange);
                } else {
                    reduceRange(0);
                }
            }
        }

        // Element range p of the buffer: every element gets ((g₁ + g₂) + g₃) + … whoever sums it.
        private void reduceRange(int p) {
            float[] acc = workers[0].gradients().buffer();
            int len = acc.length;
            int from = (int) ((long) len * p / reduceParts) & ~15;
            int to = p == reduceParts - 1 ? len : (int) ((long) len * (p + 1) / reduceParts) & ~15;
            for (int j = 1; j < shards; j++) {
                float[] other = workers[j].gradients().buffer();
                for (int i = from; i < to; i++) {
                    acc[i] += other[i];
                }
            }
        }

        @Override
        public void close() {
            for (ShardWorker w : workers) {
                w.close();
            }
        }
    }

    private void checkData(Dataset d, String what) {
        if (model.inputNames().size() != 1) {
            throw new IllegalArgumentException("the trainer trains single-input models; this one has inputs " + model.inputNames());
        }
        if (d.features() != model.inputSize()) {
            throw new IllegalArgumentException(what + " '" + d.name() + "' has " + d.features() + " values per sample ("
                    + d.featureShape() + "), the model takes " + model.inputSize() + " (" + model.inputShape() + ")");
        }
        if (d.targetWidth() != model.outputSize()) {
            String t = d.task() == Dataset.Task.CLASSIFICATION ? d.targetWidth() + " classes" : d.targetWidth() + " targets";
            throw new IllegalArgumentException(what + " '" + d.name() + "' has " + t + ", the model outputs " + model.outputSize());
        }
        if (d.size() == 0) {
            throw new IllegalArgumentException(what + " '" + d.name() + "' is empty");
        }
    }

    private void updateEarlyStopping(EpochMetrics m) {
        if (patience <= 0) {
            return;
        }
        boolean maximize = !monitor.endsWith("loss");
        double v = switch (monitor) {
            case "val_loss" -> m.validationLoss();
            case "val_score" -> m.validationScore();
            case "loss" -> m.trainLoss();
            default -> m.trainScore();
        };
        if (Double.isNaN(best) || (maximize ? v > best : v < best)) {
            best = v;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
    }

    /** √Σg² over every parameter; throws if a gradient is not finite, naming it. Allocation-free. */
    private double gradientNorm(List<Parameter> params, Gradients grads, long step, int epoch, int batch) {
        double total = 0;
        float[] g = grads.buffer();
        for (int p = 0; p < params.size(); p++) {
            Parameter param = params.get(p);
            double s = kernels.sumOfSquares(param.size(), g, grads.offset(p));
            if (!Double.isFinite(s)) {
                int bad = grads.get(p).firstNonFinite();
                String where = bad >= 0 ? "element " + bad + " is " + g[grads.offset(p) + bad] : "its squared norm overflows";
                throw new TrainingDivergedException(step, "step " + step + " (epoch " + epoch + ", batch " + batch
                        + "): the gradient of " + param.name() + " is not finite (" + where + "); the update was not applied");
            }
            total += s;
        }
        return Math.sqrt(total);
    }

    // An update can overflow although its gradient was finite: never let such weights reach a checkpoint.
    private void requireFiniteParameters(int epoch) {
        for (Parameter p : model.parameters()) {
            int bad = p.value().firstNonFinite();
            if (bad >= 0) {
                throw new TrainingDivergedException(step, "after epoch " + epoch + " (step " + step + ") parameter " + p.name()
                        + " holds " + p.value().data()[p.value().offset() + bad] + " at element " + bad
                        + "; this epoch was not saved" + (checkpoint != null ? " (" + checkpoint + " keeps the last good epoch)" : ""));
            }
        }
    }

    /**
     * The model's metrics on a dataset (inference mode), on this trainer's kernels.
     *
     * @param d the dataset
     * @return the metrics
     */
    public Evaluation evaluate(Dataset d) {
        return evaluate(model, loss, d, kernels);
    }

    /**
     * Any model's metrics on a dataset, in batches of 1,024, on the default kernels.
     *
     * @param model the model
     * @param loss the loss
     * @param d the dataset
     * @return the metrics
     */
    public static Evaluation evaluate(Model model, Loss loss, Dataset d) {
        return evaluate(model, loss, d, Kernels.get());
    }

    /**
     * Any model's metrics on a dataset, in batches of 1,024, on the given kernels.
     *
     * @param model the model
     * @param loss the loss
     * @param d the dataset
     * @param kernels the kernels to compute with
     * @return the metrics
     */
    public static Evaluation evaluate(Model model, Loss loss, Dataset d, Kernels kernels) {
        if (d.size() == 0) {
            throw new IllegalArgumentException("cannot evaluate the empty dataset '" + d.name() + "'");
        }
        if (d.targetWidth() != model.outputSize()) {
            throw new IllegalArgumentException("dataset '" + d.name() + "' has targets of width " + d.targetWidth()
                    + ", the model outputs " + model.outputSize());
        }
        Model.Workspace ws = model.newWorkspace(kernels);
        int chunk = 1024;
        int[] identity = new int[d.size()];
        for (int i = 0; i < identity.length; i++) {
            identity[i] = i;
        }
        Evaluation.Accumulator acc = new Evaluation.Accumulator(d);
        double lossSum = 0;
        Matrix xBuf = Matrix.zeros(Math.min(chunk, d.size()), d.features());
        Matrix yBuf = Matrix.zeros(Math.min(chunk, d.size()), d.targetWidth());
        for (int from = 0; from < d.size(); from += chunk) {
            int rows = Math.min(chunk, d.size() - from);
            Matrix x = rows == xBuf.rows() ? xBuf : xBuf.rows(0, rows);
            Matrix y = rows == yBuf.rows() ? yBuf : yBuf.rows(0, rows);
            d.gather(identity, from, rows, x, y);
            Matrix out = ws.forward(x, Mode.INFERENCE, 0);
            lossSum += loss.compute(out, y, null, kernels) * rows;
            acc.add(out, y);
        }
        return acc.result(lossSum / d.size());
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
        private Checkpoint.Extras checkpointExtras = Checkpoint.Extras.NONE;
        private final List<TrainingListener> listeners = new ArrayList<>();
        private Kernels kernels;
        private int replicas = 1;
        private int shards = 1;
        private StepEngine.Factory engine;

        private Builder(Model model, Loss loss, Optimizer optimizer) {
            this.model = Objects.requireNonNull(model, "model");
            this.loss = Objects.requireNonNull(loss, "loss");
            this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        }

        /**
         * The learning-rate schedule (default constant 1e-3).
         *
         * @param s the schedule
         * @return this builder
         */
        public Builder schedule(LearningRateSchedule s) {
            this.schedule = Objects.requireNonNull(s, "schedule");
            return this;
        }

        /**
         * Constant learning rate.
         *
         * @param lr the learning rate
         * @return this builder
         */
        public Builder learningRate(double lr) {
            return schedule(LearningRateSchedule.constant(lr));
        }

        /**
         * Samples per batch (default 128).
         *
         * @param b the batch size
         * @return this builder
         */
        public Builder batchSize(int b) {
            if (b < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, got " + b);
            }
            this.batchSize = b;
            return this;
        }

        /**
         * Number of epochs (default 10).
         *
         * @param e the number of epochs
         * @return this builder
         */
        public Builder epochs(int e) {
            if (e < 1) {
                throw new IllegalArgumentException("epochs must be >= 1, got " + e);
            }
            this.epochs = e;
            return this;
        }

        /**
         * The shuffling seed (default 42).
         *
         * @param s the seed
         * @return this builder
         */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /**
         * Clip gradients to this global L2 norm (0, the default, disables clipping).
         *
         * @param max the largest global gradient norm, or 0
         * @return this builder
         */
        public Builder clipGradientNorm(double max) {
            if (!(max >= 0) || Double.isInfinite(max)) {
                throw new IllegalArgumentException("gradient clipping norm must be finite and >= 0, got " + max);
            }
            this.clipNorm = max;
            return this;
        }

        /**
         * Stop after {@code patience} epochs without improvement of {@code metric}: {@code val_loss},
         * {@code val_score}, {@code loss} or {@code score} (the score is accuracy, or R² for
         * regression; {@code val_accuracy} and {@code accuracy} are accepted as its names).
         *
         * @param metric the metric watched
         * @param patience the epochs without improvement tolerated
         * @return this builder
         */
        public Builder earlyStopping(String metric, int patience) {
            String m = switch (Objects.requireNonNull(metric, "metric")) {
                case "val_accuracy", "val_r2" -> "val_score";
                case "accuracy", "r2" -> "score";
                default -> metric;
            };
            if (!List.of("val_loss", "val_score", "loss", "score").contains(m)) {
                throw new IllegalArgumentException("unknown metric '" + metric + "'; known: val_loss, val_score (val_accuracy), "
                        + "loss, score (accuracy)");
            }
            if (patience < 1) {
                throw new IllegalArgumentException("patience must be >= 1, got " + patience);
            }
            this.monitor = m;
            this.patience = patience;
            return this;
        }

        /**
         * Save a checkpoint to this file after every epoch (atomically replacing the previous one).
         *
         * @param file the checkpoint file
         * @return this builder
         */
        public Builder checkpoint(Path file) {
            return checkpoint(file, Checkpoint.Extras.NONE);
        }

        /**
         * Save a checkpoint to this file after every epoch with these extras (what the model needs
         * besides its weights, e.g. class names and a standardization), atomically replacing the
         * previous one.
         *
         * @param file the checkpoint file
         * @param extras what the checkpoint saves besides the weights
         * @return this builder
         */
        public Builder checkpoint(Path file, Checkpoint.Extras extras) {
            this.checkpoint = file;
            this.checkpointExtras = Objects.requireNonNull(extras, "extras");
            return this;
        }

        /**
         * Adds a listener.
         *
         * @param l the listener
         * @return this builder
         */
        public Builder listener(TrainingListener l) {
            listeners.add(Objects.requireNonNull(l, "listener"));
            return this;
        }

        /**
         * The kernels to compute with (default {@link Kernels#get()}, with its threads).
         *
         * @param k the kernels
         * @return this builder
         */
        public Builder kernels(Kernels k) {
            this.kernels = Objects.requireNonNull(k, "kernels");
            return this;
        }

        /**
         * Replicas: threads that run the batch's shards side by side, each on its own training
         * workspace and kernels (default 1). Raises the shard count to at least this.
         *
         * @param r the number of replicas
         * @return this builder
         */
        public Builder replicas(int r) {
            if (r < 1) {
                throw new IllegalArgumentException("replicas must be >= 1, got " + r);
            }
            this.replicas = r;
            return this;
        }

        /**
         * Shards: parts of each batch whose gradients are computed separately and summed in order
         * (default 1, or the replica count if larger). The weights depend on it, not on the replicas.
         *
         * @param s the number of shards
         * @return this builder
         */
        public Builder shards(int s) {
            if (s < 1) {
                throw new IllegalArgumentException("shards must be >= 1, got " + s);
            }
            this.shards = s;
            return this;
        }

        /**
         * The engine that computes each step's gradient (default: this trainer's own
         * {@link #shards shards} on its {@link #replicas replica} threads). An engine that runs
         * {@link ShardWorker}s and sums them in shard order gives the same weights as the default
         * with as many shards.
         *
         * @param factory opens the engine at the start of every {@link Trainer#fit}
         * @return this builder
         */
        public Builder engine(StepEngine.Factory factory) {
            this.engine = Objects.requireNonNull(factory, "engine");
            return this;
        }

        /**
         * The trainer.
         *
         * @return the trainer
         */
        public Trainer build() {
            if (checkpoint != null) {
                Checkpoint.checkWritable(checkpoint);
            }
            if (shards > 1 && shards < replicas) {
                throw new IllegalArgumentException(shards + " shards cannot keep " + replicas + " replicas busy; use >= "
                        + replicas + " shards");
            }
            return new Trainer(this);
        }
    }
}

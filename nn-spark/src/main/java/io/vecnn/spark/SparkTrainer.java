package io.vecnn.spark;

import io.vecnn.api.Loss;
import io.vecnn.api.Model;
import io.vecnn.kernels.Kernels;
import io.vecnn.layers.Losses;
import io.vecnn.train.Checkpoint;
import io.vecnn.train.Dataset;
import io.vecnn.train.EpochMetrics;
import io.vecnn.train.ShardWorker;
import io.vecnn.train.Trainer;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * Synchronous data-parallel training on Spark with the weights of the single-JVM {@link Trainer}.
 *
 * <p>Each of the {@link Builder#workers(int) workers} is a Spark task holding a model replica; each
 * step, worker j computes shard j of the global batch ({@link ShardWorker}), the gradients are summed
 * in worker order, and every replica (or the driver) applies the same update. So a run with N
 * workers gives weights bit-identical to {@code setup.configure(model).shards(N).build().fit(...)}
 * on one JVM, with the same seed, data order and global batch.
 *
 * <h2>Transports</h2>
 * <ul>
 *   <li>{@link Transport#BARRIER} (the default): one barrier stage for the whole run. The tasks
 *       exchange their addresses once ({@code BarrierTaskContext.allGather}), then every step
 *       all-reduces the gradient buffers over TCP round a ring in fixed order; each task runs its
 *       own trainer. One Spark job per run.</li>
 *   <li>{@link Transport#TREE_AGGREGATE}: the driver runs the trainer and every step is one Spark
 *       job: the weights are broadcast, each task returns its shard's gradient, and
 *       {@code treeAggregate} folds them in shard order.</li>
 * </ul>
 *
 * <h2>Data</h2>
 * The training (and validation) set is broadcast once: every executor holds the whole set, and each
 * worker gathers the rows of its shard from the epoch's order, which every process computes from the
 * seed ({@link Trainer#epochOrder}).
 *
 * <h2>Faults</h2>
 * With a {@link Builder#checkpoint(Path) checkpoint} on a path all executors share, worker 0 saves
 * it atomically after every epoch ({@link Checkpoint}). A failed barrier stage is retried by Spark
 * (a barrier stage needs {@code local[N,F]} with F ≥ 2, or {@code spark.task.maxFailures} ≥ 2), and
 * every task resumes from the last checkpoint: the final weights are those of an uninterrupted run.
 * Tree-aggregate steps are stateless tasks that Spark retries on its own. A worker that stops
 * answering fails the step after the {@link Builder#timeout(Duration) timeout} with an error
 * naming it.
 */
public final class SparkTrainer {

    /** How the workers' gradients are summed. */
    public enum Transport {
        /** A barrier stage for the whole run with a TCP ring all-reduce per step (the default, faster). */
        BARRIER,
        /** One Spark job per step: weights broadcast, gradients brought back by {@code treeAggregate}. */
        TREE_AGGREGATE
    }

    private final JavaSparkContext sc;
    private final TrainerSetup setup;
    private final int workers;
    private final Transport transport;
    private final Path checkpoint;
    private final long timeoutMillis;
    private final Fault fault;

    private SparkTrainer(Builder b) {
        this.sc = b.sc;
        this.setup = b.setup;
        this.workers = b.workers;
        this.transport = b.transport;
        this.checkpoint = b.checkpoint;
        this.timeoutMillis = b.timeout.toMillis();
        this.fault = b.fault;
    }

    /**
     * A builder for training with {@code setup} on {@code sc}.
     *
     * @param sc    the Spark context
     * @param setup the trainer configuration every worker uses (loss, optimizer, batch, epochs, seed…)
     * @return the builder
     */
    public static Builder builder(JavaSparkContext sc, TrainerSetup setup) {
        return new Builder(sc, setup);
    }

    /**
     * Trains {@code model} in place: on return its parameters (and buffers) are the trained ones.
     *
     * @param model      the model, as built on the driver (its initial weights are every worker's)
     * @param train      the training set
     * @param validation the validation set, or null
     * @return the metrics of every epoch (as the {@link Trainer} reports them)
     * @throws IOException if a checkpoint cannot be written or read, a worker stops answering, or the
     *                     Spark job fails for good (Spark's exception is the cause)
     */
    public List<EpochMetrics> fit(Model model, Dataset train, Dataset validation) throws IOException {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(train, "train");
        if (train.size() < workers) {
            throw new IllegalArgumentException("the training set '" + train.name() + "' has " + train.size() + " samples, fewer than the "
                    + workers + " workers");
        }
        if (checkpoint != null) {
            Checkpoint.checkWritable(checkpoint);
        }
        return transport == Transport.BARRIER ? fitBarrier(model, train, validation) : fitTree(model, train, validation);
    }

    private List<EpochMetrics> fitTree(Model model, Dataset train, Dataset validation) throws IOException {
        byte[] bytes = Payloads.modelBytes(model, setup);
        Payloads.DatasetPayload data = Payloads.DatasetPayload.of(train);
        Trainer.Builder b = setup.configure(model).engine((m, loss, d, batch, k) ->
                new TreeAggregateEngine(sc, workers, bytes, loss, data, m, batch, fault, timeoutMillis));
        if (checkpoint != null) {
            b.checkpoint(checkpoint);
        }
        Trainer t = b.build();
        if (checkpoint != null && Files.exists(checkpoint)) {
            Checkpoint.Loaded loaded = Checkpoint.load(checkpoint);
            Payloads.copyParameters(loaded.model(), model);
            Checkpoint.restoreOptimizer(loaded, t.optimizer(), model.parameters());
            t.resumeFrom(loaded.state());
        }
        return t.fit(train, validation);
    }

    private List<EpochMetrics> fitBarrier(Model model, Dataset train, Dataset validation) throws IOException {
        Broadcast<byte[]> bytes = sc.broadcast(Payloads.modelBytes(model, setup));
        Broadcast<Payloads.DatasetPayload> trainData = sc.broadcast(Payloads.DatasetPayload.of(train));
        Broadcast<Payloads.DatasetPayload> valData = validation == null ? null : sc.broadcast(Payloads.DatasetPayload.of(validation));
        try {
            BarrierTask task = new BarrierTask(setup, bytes, trainData, valData, workers,
                    checkpoint == null ? null : checkpoint.toAbsolutePath().toString(), timeoutMillis, fault);
            JavaRDD<Integer> ids = sc.parallelize(IntStream.range(0, workers).boxed().toList(), workers);
            // The shuffle after the barrier stage makes it a map stage, which Spark retries on failure.
            JavaRDD<byte[]> trained = ids.rdd().barrier().mapPartitions(new ScalaPartitionFunction<>(task), false,
                    scala.reflect.ClassTag$.MODULE$.apply(byte[].class)).toJavaRDD();
            BarrierFailures failures = new BarrierFailures();
            sc.sc().addSparkListener(failures);
            List<byte[]> out;
            try {
                out = trained.repartition(1).collect();
            } catch (Exception e) {   // SparkException is checked but thrown undeclared by Scala code
                String why = failures.describe();
                if (why == null) {
                    throw e;
                }
                throw new IOException("training on Spark failed: " + why, e);
            } finally {
                sc.sc().removeSparkListener(failures);
            }
            byte[] result = out.stream().filter(a -> a.length > 0).findFirst()
                    .orElseThrow(() -> new IllegalStateException("worker 0 returned no model"));
            Checkpoint.Loaded loaded = Payloads.load(result);
            Payloads.copyParameters(loaded.model(), model);
            return loaded.state().history();
        } finally {
            bytes.destroy();
            trainData.destroy();
            if (valData != null) {
                valData.destroy();
            }
        }
    }

    /** The loss named {@code name} ({@link Loss#name()} round-trips through {@link Losses#named}). */
    static Loss lossNamed(String name) {
        try {
            return Losses.named(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the loss '" + name + "' cannot be rebuilt on the workers from its name: " + e.getMessage(), e);
        }
    }

    /** Kernels with the task's CPUs ({@code spark.task.cpus}, default 1) as threads. */
    static Kernels taskKernels(TaskContext ctx) {
        int cpus = 1;
        try {
            cpus = Math.max(1, Integer.parseInt(ctx.getLocalProperty("spark.task.cpus") == null
                    ? org.apache.spark.SparkEnv.get().conf().get("spark.task.cpus", "1")
                    : ctx.getLocalProperty("spark.task.cpus")));
        } catch (RuntimeException ignored) {
            // not in a Spark executor (or no such setting): one thread
        }
        return Kernels.get().withThreads(cpus);
    }

    /** The body of one barrier task: connect the ring, resume from the checkpoint if any, train. */
    static final class BarrierTask implements FlatMapFunction<Iterator<Integer>, byte[]> {
        private static final long serialVersionUID = 1L;
        private final TrainerSetup setup;
        private final Broadcast<byte[]> model;
        private final Broadcast<Payloads.DatasetPayload> train;
        private final Broadcast<Payloads.DatasetPayload> validation;
        private final int workers;
        private final String checkpoint;
        private final long timeoutMillis;
        private final Fault fault;

        BarrierTask(TrainerSetup setup, Broadcast<byte[]> model, Broadcast<Payloads.DatasetPayload> train,
                    Broadcast<Payloads.DatasetPayload> validation, int workers, String checkpoint, long timeoutMillis, Fault fault) {
            this.setup = setup;
            this.model = model;
            this.train = train;
            this.validation = validation;
            this.workers = workers;
            this.checkpoint = checkpoint;
            this.timeoutMillis = timeoutMillis;
            this.fault = fault;
        }

        @Override
        public Iterator<byte[]> call(Iterator<Integer> ignored) throws Exception {
            BarrierTaskContext ctx = BarrierTaskContext.get();
            int rank = ctx.partitionId();
            Path ck = checkpoint == null ? null : Path.of(checkpoint);
            boolean resume = ck != null && Files.exists(ck);
            Checkpoint.Loaded start = resume ? Checkpoint.load(ck) : Payloads.load(model.value());
            Model m = start.model();
            Dataset trainSet = train.value().toDataset();
            Dataset valSet = validation == null ? null : validation.value().toDataset();
            String host = hostOf(ctx.getTaskInfos()[rank].address());
            try (ServerSocket server = new ServerSocket()) {
                server.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
                long startStep = resume ? start.state().step() : 0;
                String[] all = ctx.allGather(host + ":" + server.getLocalPort() + " " + startStep);
                String[] addresses = new String[workers];
                for (int i = 0; i < workers; i++) {
                    String[] parts = all[i].split(" ");
                    addresses[i] = parts[0];
                    if (Long.parseLong(parts[1]) != startStep) {
                        throw new IllegalStateException("worker " + rank + " resumes at step " + startStep + ", worker " + i + " at "
                                + parts[1] + ": they read different checkpoints from " + ck);
                    }
                }
                try (RingAllReduce ring = RingAllReduce.connect(rank, addresses, server, timeoutMillis)) {
                    Thread watchdog = watch(ctx, ring);
                    try {
                        Trainer.Builder b = setup.configure(m).engine((mm, loss, d, batch, k) ->
                                new BarrierEngine(new ShardWorker(mm, loss, d, batch, rank, workers, taskKernels(ctx)), ring, fault,
                                        ctx.stageAttemptNumber()));
                        if (rank == 0 && ck != null) {
                            b.checkpoint(ck);
                        }
                        Trainer t = b.build();
                        if (resume) {
                            Checkpoint.restoreOptimizer(start, t.optimizer(), m.parameters());
                            t.resumeFrom(start.state());
                        }
                        t.fit(trainSet, valSet);
                        if (rank != 0) {
                            return List.of(new byte[0]).iterator();
                        }
                        Path tmp = Files.createTempFile("vecnn-spark-result", ".ckpt");
                        try {
                            Checkpoint.save(tmp, m, t.optimizer(), t.state());
                            return List.of(Files.readAllBytes(tmp)).iterator();
                        } finally {
                            Files.deleteIfExists(tmp);
                        }
                    } finally {
                        watchdog.interrupt();
                    }
                }
            }
        }

        private static String hostOf(String address) {
            int colon = address.lastIndexOf(':');
            return colon > 0 ? address.substring(0, colon) : address;
        }

        // A killed task may be blocked in a socket write: close the ring so that it returns.
        private static Thread watch(TaskContext ctx, RingAllReduce ring) {
            Thread t = new Thread(() -> {
                try {
                    while (!ctx.isInterrupted()) {
                        Thread.sleep(100);
                    }
                    ring.close();
                } catch (InterruptedException done) {
                    // the task ended
                }
            }, "vecnn-spark-ring-watchdog");
            t.setDaemon(true);
            t.start();
            return t;
        }
    }

    /**
     * A Java partition function as the Scala function {@code RDDBarrier.mapPartitions} takes.
     *
     * @param <T> the partition's element type
     * @param <R> the result's element type
     */
    static final class ScalaPartitionFunction<T, R> extends scala.runtime.AbstractFunction1<scala.collection.Iterator<T>,
            scala.collection.Iterator<R>> implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final FlatMapFunction<Iterator<T>, R> f;

        ScalaPartitionFunction(FlatMapFunction<Iterator<T>, R> f) {
            this.f = f;
        }

        @Override
        public scala.collection.Iterator<R> apply(scala.collection.Iterator<T> in) {
            try {
                return scala.jdk.javaapi.CollectionConverters.asScala(f.call(scala.jdk.javaapi.CollectionConverters.asJava(in)));
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
    }

    /** Configures a {@link SparkTrainer}. */
    public static final class Builder {
        private final JavaSparkContext sc;
        private final TrainerSetup setup;
        private int workers = 2;
        private Transport transport = Transport.BARRIER;
        private Path checkpoint;
        private Duration timeout = Duration.ofSeconds(60);
        private Fault fault;

        private Builder(JavaSparkContext sc, TrainerSetup setup) {
            this.sc = Objects.requireNonNull(sc, "spark context");
            this.setup = Objects.requireNonNull(setup, "setup");
        }

        /**
         * The number of workers (Spark tasks, one shard of each batch each; default 2). A barrier
         * stage needs this many task slots at once.
         *
         * @param n workers, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code n < 1}
         */
        public Builder workers(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("workers must be >= 1, got " + n);
            }
            this.workers = n;
            return this;
        }

        /**
         * How gradients are summed (default {@link Transport#BARRIER}).
         *
         * @param t the transport
         * @return this builder
         */
        public Builder transport(Transport t) {
            this.transport = Objects.requireNonNull(t, "transport");
            return this;
        }

        /**
         * A checkpoint saved after every epoch, on a path every executor reads (a shared file
         * system); a retried or restarted run resumes from it.
         *
         * @param file the checkpoint file
         * @return this builder
         */
        public Builder checkpoint(Path file) {
            this.checkpoint = Objects.requireNonNull(file, "checkpoint");
            return this;
        }

        /**
         * How long a worker may stay silent before the step fails (default 60 s).
         *
         * @param t a positive duration
         * @return this builder
         * @throws IllegalArgumentException if it is not positive
         */
        public Builder timeout(Duration t) {
            if (t.isNegative() || t.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, got " + t);
            }
            this.timeout = t;
            return this;
        }

        /** Injects a fault (tests). */
        Builder fault(Fault f) {
            this.fault = f;
            return this;
        }

        /**
         * The trainer.
         *
         * @return a new trainer
         */
        public SparkTrainer build() {
            return new SparkTrainer(this);
        }
    }
}

package io.vecnn.spark;

import io.vecnn.api.Gradients;
import io.vecnn.api.Loss;
import io.vecnn.api.Model;
import io.vecnn.api.Parameter;
import io.vecnn.kernels.Kernels;
import io.vecnn.train.Checkpoint;
import io.vecnn.train.Dataset;
import io.vecnn.train.Evaluation;
import io.vecnn.train.ShardWorker;
import io.vecnn.train.StepEngine;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.CollectionAccumulator;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * Transport (a): the driver runs the trainer; each step is one Spark job. The weights go out as a
 * broadcast, each task (one per shard) computes its shard's gradient with a {@link ShardWorker}
 * kept per executor, and {@code treeAggregate} brings the buffers back, folded in shard order
 * (a partial sum folds a shard only onto the sum of all shards before it, so the result is the left
 * fold the local trainer computes).
 */
final class TreeAggregateEngine implements StepEngine {
    private final JavaSparkContext sc;
    private final int workers;
    private final Model model;
    private final Gradients sum;
    private final float[] weights;
    private final Broadcast<byte[]> modelBytes;
    private final String lossName;
    private final Broadcast<Payloads.DatasetPayload> data;
    private final JavaRDD<Integer> shards;
    private final String run = UUID.randomUUID().toString();
    private final int batchSize;
    private final Fault fault;
    private final long timeoutMillis;
    private final ScheduledExecutorService watchdog;
    private Broadcast<int[]> order;
    private int orderEpoch = -1;

    TreeAggregateEngine(JavaSparkContext sc, int workers, byte[] modelBytes, Loss loss, Payloads.DatasetPayload data,
                        Model model, int batchSize, Fault fault, long timeoutMillis) {
        this.lossName = loss.name();
        SparkTrainer.lossNamed(lossName);   // a loss that cannot be rebuilt from its name fails here, on the driver
        this.sc = sc;
        this.workers = workers;
        this.model = model;
        this.sum = model.newGradients();
        this.weights = new float[(int) model.parameterCount()];
        this.modelBytes = sc.broadcast(modelBytes);
        this.data = sc.broadcast(data);
        this.shards = sc.parallelize(IntStream.range(0, workers).boxed().toList(), workers);
        this.batchSize = batchSize;
        this.fault = fault;
        this.timeoutMillis = timeoutMillis;
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vecnn-spark-step-watchdog");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public double step(int epoch, int[] order, int from, int rows, long step, Evaluation.Accumulator score) throws IOException {
        if (epoch != orderEpoch) {
            if (this.order != null) {
                this.order.destroy();
            }
            this.order = sc.broadcast(order.clone());
            orderEpoch = epoch;
        }
        int at = 0;
        for (Parameter p : model.parameters()) {
            System.arraycopy(p.value().data(), p.value().offset(), weights, at, p.size());
            at += p.size();
        }
        Broadcast<float[]> w = sc.broadcast(weights);
        CollectionAccumulator<Integer> answered = sc.sc().collectionAccumulator("vecnn shards answered");
        ShardTask task = new ShardTask(run, modelBytes, lossName, data, this.order, w, answered, batchSize, workers, from, rows, step, fault);
        String group = "vecnn-step-" + run + "-" + step;
        sc.setJobGroup(group, "vecnn step " + step, true);
        ScheduledFuture<?> cancel = watchdog.schedule(() -> sc.cancelJobGroup(group), timeoutMillis, TimeUnit.MILLISECONDS);
        GradientSum total;
        try {
            total = shards.mapPartitions(task).treeAggregate(new GradientSum(), GradientSum::add, GradientSum::merge, 2);
        } catch (Exception e) {   // SparkException is checked but thrown undeclared by Scala code
            boolean timedOut = cancel.isDone() && !cancel.isCancelled();
            cancel.cancel(false);
            if (timedOut || String.valueOf(e.getMessage()).contains("cancelled")) {
                TreeSet<Integer> missing = new TreeSet<>();
                for (int j = 0; j < workers; j++) {
                    missing.add(j);
                }
                missing.removeAll(answered.value());
                String names = missing.toString().replace("[", "").replace("]", "");
                throw new IOException("step " + step + ": worker" + (missing.size() == 1 ? " " : "s ") + names
                        + " did not answer within " + timeoutMillis + " ms (stopped answering); the step was cancelled", e);
            }
            throw new IOException("step " + step + ": the Spark job failed: " + e.getMessage(), e);
        } finally {
            cancel.cancel(false);
            sc.clearJobGroup();
            w.destroy();
        }
        if (total.next != workers) {
            throw new IllegalStateException("step " + step + ": " + total.next + " of " + workers + " shards came back");
        }
        System.arraycopy(total.folded, 0, sum.buffer(), 0, sum.buffer().length);
        for (Evaluation.Accumulator a : total.scores) {
            score.add(a);
        }
        return total.loss / rows;
    }

    @Override
    public Gradients gradients() {
        return sum;
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
        if (order != null) {
            order.destroy();
        }
        modelBytes.destroy();
        data.destroy();
        // Executors drop this run's workers when the next run arrives (ShardTask.CACHE holds one run).
    }

    /**
     * One shard's answer.
     *
     * @param shard         the shard
     * @param gradient      its gradient buffer (a copy)
     * @param lossTimesRows its mean loss × its rows
     * @param score         its training-score statistics
     */
    record ShardGradient(int shard, float[] gradient, double lossTimesRows, Evaluation.Accumulator score) implements Serializable {
    }

    /**
     * A partial sum: the shards 0 … next − 1 folded in order into {@code folded}, and shards received
     * out of order kept aside until the ones before them arrive.
     */
    static final class GradientSum implements Serializable {
        private static final long serialVersionUID = 1L;
        int next;
        float[] folded;
        double loss;
        final List<Evaluation.Accumulator> scores = new ArrayList<>();
        final TreeMap<Integer, ShardGradient> pending = new TreeMap<>();

        GradientSum add(ShardGradient g) {
            pending.put(g.shard(), g);
            fold();
            return this;
        }

        GradientSum merge(GradientSum other) {
            GradientSum into = other.next > next ? other : this;
            GradientSum from = into == this ? other : this;
            if (from.next > 0) {
                throw new IllegalStateException("two partial sums both hold shard 0");
            }
            into.pending.putAll(from.pending);
            into.fold();
            return into;
        }

        private void fold() {
            ShardGradient g;
            while ((g = pending.remove(next)) != null) {
                if (folded == null) {
                    folded = g.gradient();
                } else {
                    float[] a = folded;
                    float[] b = g.gradient();
                    for (int i = 0; i < a.length; i++) {
                        a[i] += b[i];
                    }
                }
                loss += g.lossTimesRows();
                scores.add(g.score());
                next++;
            }
        }
    }

    /** The task of one shard in one step. */
    static final class ShardTask implements FlatMapFunction<Iterator<Integer>, ShardGradient> {
        private static final long serialVersionUID = 1L;
        /** Per executor JVM: the shard workers of the current run (a new run replaces them). */
        static final Map<String, Replica> CACHE = new ConcurrentHashMap<>();

        private final String run;
        private final Broadcast<byte[]> modelBytes;
        private final String lossName;
        private final Broadcast<Payloads.DatasetPayload> data;
        private final Broadcast<int[]> order;
        private final Broadcast<float[]> weights;
        private final CollectionAccumulator<Integer> answered;
        private final int batchSize;
        private final int workers;
        private final int from;
        private final int rows;
        private final long step;
        private final Fault fault;

        ShardTask(String run, Broadcast<byte[]> modelBytes, String lossName, Broadcast<Payloads.DatasetPayload> data, Broadcast<int[]> order,
                  Broadcast<float[]> weights, CollectionAccumulator<Integer> answered, int batchSize, int workers, int from,
                  int rows, long step, Fault fault) {
            this.run = run;
            this.modelBytes = modelBytes;
            this.lossName = lossName;
            this.data = data;
            this.order = order;
            this.weights = weights;
            this.answered = answered;
            this.batchSize = batchSize;
            this.workers = workers;
            this.from = from;
            this.rows = rows;
            this.step = step;
            this.fault = fault;
        }

        @Override
        public Iterator<ShardGradient> call(Iterator<Integer> shardIds) {
            TaskContext ctx = TaskContext.get();
            int j = ctx.partitionId();
            if (fault != null) {
                fault.maybeStrike(j, step, ctx.attemptNumber());
            }
            Replica r = replica(j, ctx);
            synchronized (r) {
                float[] w = weights.value();
                int at = 0;
                for (Parameter p : r.model.parameters()) {
                    System.arraycopy(w, at, p.value().data(), p.value().offset(), p.size());
                    at += p.size();
                }
                r.worker.compute(order.value(), from, rows, step);
                ShardGradient g = new ShardGradient(j, r.worker.gradients().buffer().clone(),
                        r.worker.lastLoss() * r.worker.lastRows(), copy(r.worker.score()));
                r.worker.score().reset();
                answered.add(j);
                return List.of(g).iterator();
            }
        }

        private static Evaluation.Accumulator copy(Evaluation.Accumulator a) {
            return Payloads.deserialize(Payloads.serialize(a), Evaluation.Accumulator.class);
        }

        private Replica replica(int j, TaskContext ctx) {
            String key = run + "/" + j;
            Replica r = CACHE.get(key);
            if (r != null) {
                return r;
            }
            synchronized (CACHE) {
                CACHE.keySet().removeIf(k -> !k.startsWith(run + "/"));
                return CACHE.computeIfAbsent(key, k -> {
                    Checkpoint.Loaded loaded = Payloads.load(modelBytes.value());
                    Dataset train = data.value().toDataset();
                    return new Replica(loaded.model(), new ShardWorker(loaded.model(), SparkTrainer.lossNamed(lossName), train,
                            batchSize, j, workers, SparkTrainer.taskKernels(ctx)));
                });
            }
        }
    }

    record Replica(Model model, ShardWorker worker) {
    }
}

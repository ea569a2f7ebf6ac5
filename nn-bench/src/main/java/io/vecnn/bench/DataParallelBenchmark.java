package io.vecnn.bench;

import io.vecnn.api.Model;
import io.vecnn.kernels.Kernels;
import io.vecnn.layers.Activations;
import io.vecnn.layers.Dense;
import io.vecnn.layers.Losses;
import io.vecnn.train.Dataset;
import io.vecnn.train.Optimizers;
import io.vecnn.train.Trainer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Data parallelism on one machine, measured through the {@link Trainer} itself: one epoch of
 * {@value #SAMPLES} samples (784-256-128-10 ReLU, Adam) per operation, so the score × {@value #SAMPLES}
 * is samples/s of the whole loop (shuffle, gather, forward, loss, backward, reduction, update).
 *
 * <ul>
 * <li>{@code one}: one replica, kernels on one thread (the reference).</li>
 * <li>{@code split}: one replica, every matrix product split across two kernel threads (the default).</li>
 * <li>{@code replicas}: two replicas, each with one kernel thread, on two shards of every batch.</li>
 * </ul>
 * On two cores the ratio split/replicas at a batch size says which the default should be.
 */
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC"})
@State(Scope.Thread)
public class DataParallelBenchmark {
    static final int SAMPLES = 8192;

    /** Samples per batch. */
    @Param({"32", "128", "512"})
    public int batch;

    /** How the two cores are used. */
    @Param({"one", "split", "replicas"})
    public String mode;

    private Trainer.Builder trainer;
    private Dataset data;

    @Setup(Level.Trial)
    public void setUp() {
        Random r = new Random(3);
        float[] x = new float[SAMPLES * 784];
        int[] labels = new int[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            labels[i] = r.nextInt(10);
            for (int j = 0; j < 784; j++) {
                // A learnable signal: the label lights up a band of pixels.
                x[i * 784 + j] = r.nextFloat() * 0.5f + (j / 78 == labels[i] ? 0.5f : 0f);
            }
        }
        data = Dataset.of("synthetic", x, 784, labels, 10);
        Model model = Model.builder(784).seed(1)
                .add(Dense.of(256, Activations.relu())).add(Dense.of(128, Activations.relu())).add(Dense.of(10)).build();
        Kernels base = Kernels.get();
        // One optimizer for every operation: each epoch continues the training of the last.
        trainer = Trainer.builder(model, Losses.softmaxCrossEntropy(), Optimizers.adam(0f))
                .learningRate(1e-3).batchSize(batch).epochs(1);
        switch (mode) {
            case "one" -> trainer.kernels(base.withThreads(1));
            case "split" -> trainer.kernels(base.withThreads(2));
            case "replicas" -> trainer.kernels(base.withThreads(2)).replicas(2);
            default -> throw new IllegalArgumentException(mode);
        }
    }

    /** One epoch (a trainer of one epoch over the same model and optimizer: the same work as an epoch of a long run). */
    @Benchmark
    public double epoch() throws IOException {
        return trainer.build().fit(data, null).getLast().trainLoss();
    }
}

package io.vecnn.train;

import io.vecnn.api.Model;
import io.vecnn.kernels.Kernels;
import io.vecnn.layers.Activations;
import io.vecnn.layers.Dense;
import io.vecnn.layers.Embedding;
import io.vecnn.layers.Flatten;
import io.vecnn.layers.LayerNorm;
import io.vecnn.layers.Losses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An embedding model on integer-id data: a toy sentiment task it must learn from the data (which
 * tokens are positive is not given to it), determinism across thread and replica counts, and a
 * bit-exact checkpoint round trip.
 */
class EmbeddingTrainingTest {
    static final int VOCABULARY = 20, LENGTH = 5;

    /**
     * Sequences of 5 tokens drawn uniformly from 20; tokens 0–9 are "positive", 10–19 "negative"
     * (a fixed secret the model has to discover), and the label is the majority: 1 if 3 or more of
     * the 5 tokens are positive. Chance is 50 %; 20^5 = 3.2 million sequences, so test sequences
     * are almost all unseen.
     */
    static Dataset sentiment(String name, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] x = new int[n * LENGTH];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int positive = 0;
            for (int t = 0; t < LENGTH; t++) {
                int token = r.nextInt(VOCABULARY);
                x[i * LENGTH + t] = token;
                positive += token < 10 ? 1 : 0;
            }
            labels[i] = positive >= 3 ? 1 : 0;
        }
        return Dataset.builder(name).ids(LENGTH, x).labels(labels, 2).build();
    }

    static Model model(long seed) {
        return Model.builder(LENGTH).seed(seed).add(Embedding.of(VOCABULARY, 4)).add(Flatten.of())
                .add(Dense.of(16, Activations.relu())).add(Dense.of(2)).build();
    }

    @Test
    void learnsWhichTokensArePositiveFromTheData() throws IOException {
        Dataset train = sentiment("train", 3000, 1), test = sentiment("test", 2000, 2);
        Model m = model(7);
        double before = Trainer.evaluate(m, Losses.softmaxCrossEntropy(), test).accuracy();
        Trainer.builder(m, Losses.softmaxCrossEntropy(), Optimizers.adam(0f)).learningRate(1e-2).batchSize(32).epochs(8)
                .build().fit(train, null);
        double after = Trainer.evaluate(m, Losses.softmaxCrossEntropy(), test).accuracy();
        System.out.printf("embedding sentiment: test accuracy %.2f%% before training, %.2f%% after 8 epochs%n",
                100 * before, 100 * after);
        assertTrue(after >= 0.95, "test accuracy " + after + " (before training " + before + ")");
    }

    /** The same weights whatever the kernel threads and replicas (with the shard count fixed at 4). */
    @Test
    void weightsDoNotDependOnThreadsOrReplicas() throws IOException {
        Dataset train = sentiment("train", 400, 3);
        float[][] reference = null;
        for (int[] setting : new int[][]{{1, 1}, {2, 1}, {1, 2}, {2, 4}}) {
            Model m = Model.builder(LENGTH).seed(5).add(Embedding.of(VOCABULARY, 6)).add(LayerNorm.of()).add(Flatten.of())
                    .add(Dense.of(2)).build();
            Trainer.builder(m, Losses.crossEntropy(new float[]{1f, 2f}, 0.1f), Optimizers.adamW(0.01f)).learningRate(1e-2)
                    .batchSize(50).epochs(2).shards(4).replicas(setting[1]).kernels(Kernels.get().withThreads(setting[0]))
                    .build().fit(train, null);
            float[][] w = TestData.weights(m);
            if (reference == null) {
                reference = w;
            } else {
                for (int i = 0; i < w.length; i++) {
                    assertArrayEquals(reference[i], w[i], "threads " + setting[0] + ", replicas " + setting[1]);
                }
            }
        }
    }

    /** Bytes allocated by this thread while {@code r} runs (HotSpot's per-thread counter, by reflection). */
    private static long allocatedBy(Runnable r) throws Exception {
        Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        java.lang.reflect.Method counter = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        long before = (long) counter.invoke(bean);
        r.run();
        return (long) counter.invoke(bean) - before;
    }

    /**
     * A training step through embedding, layer norm (40 wide: its vector path), exact GELU and the
     * weighted, smoothed loss allocates nothing.
     */
    @Test
    void aTrainingStepAllocatesNothing() throws Exception {
        Model m = Model.builder(LENGTH).seed(5).add(Embedding.of(VOCABULARY, 40)).add(LayerNorm.of()).add(Flatten.of())
                .add(Dense.of(24, Activations.geluErf())).add(Dense.of(3)).build();
        io.vecnn.api.Loss loss = Losses.crossEntropy(new float[]{1f, 2f, 0.5f}, 0.1f);
        io.vecnn.api.Optimizer opt = Optimizers.adam(0f);
        Model.Workspace ws = m.newTrainingWorkspace();
        SplittableRandom r = new SplittableRandom(1);
        io.vecnn.api.Matrix x = io.vecnn.api.Matrix.zeros(32, LENGTH);
        io.vecnn.api.Matrix y = io.vecnn.api.Matrix.zeros(32, 3);
        for (int i = 0; i < 32; i++) {
            for (int t = 0; t < LENGTH; t++) {
                x.set(i, t, r.nextInt(VOCABULARY));
            }
            y.set(i, r.nextInt(3), 1f);
        }
        io.vecnn.api.Matrix g = io.vecnn.api.Matrix.zeros(32, 3);
        long[] step = {0};
        Runnable steps = () -> {
            for (int s = 0; s < 200; s++) {
                ws.zeroGradients();
                io.vecnn.api.Matrix out = ws.forward(x, io.vecnn.api.Mode.TRAINING, ++step[0]);
                loss.compute(out, y, g, ws.kernels());
                ws.backward(g);
                opt.step(m.parameters(), ws.gradients(), 1e-3f, ws.kernels());
            }
        };
        for (int warm = 0; warm < 30; warm++) { // past C2's compile thresholds
            steps.run();
        }
        // Steady state: C2 compiles in the background and may recompile after a deoptimisation, so a
        // window can still run partly interpreted (boxing vectors); a step that allocates would
        // allocate in every window. The counter's own boxing through reflection is subtracted.
        long overhead = allocatedBy(() -> { });
        long best = Long.MAX_VALUE;
        for (int window = 0; window < 20 && best > 0; window++) {
            best = Math.min(best, allocatedBy(steps) - overhead);
        }
        assertTrue(best <= 0, best + " bytes allocated over 200 steps in the best of 20 windows");
    }

    @Test
    void roundTripsBitExact(@TempDir Path dir) throws IOException {
        NewLayersCheckpointTest.roundTrip(dir, model(11), sentiment("train", 300, 4), sentiment("test", 100, 5));
    }
}

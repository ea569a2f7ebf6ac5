package io.vecnn.train;

import io.vecnn.api.Matrix;
import io.vecnn.api.Mode;
import io.vecnn.api.Model;
import io.vecnn.api.Node;
import io.vecnn.api.Shape;
import io.vecnn.kernels.Kernels;
import io.vecnn.layers.Activations;
import io.vecnn.layers.BatchNorm;
import io.vecnn.layers.Conv2D;
import io.vecnn.layers.Dense;
import io.vecnn.layers.Flatten;
import io.vecnn.layers.Losses;
import io.vecnn.layers.Pool2D;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Convolutional models in training: a task only spatial structure solves, weights and running
 * statistics independent of threads and replicas, zero allocation per step, a bit-exact checkpoint
 * round trip with the batch norm's buffers.
 */
class ConvTrainingTest {
    static final int SIDE = 8;

    /**
     * 1 × 8 × 8 images of noise with one bright 2 × 2 blob; the class is the quadrant the blob lies in
     * (4 classes, chance 25 %). The blob's position varies inside its quadrant.
     */
    static Dataset quadrants(String name, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * SIDE * SIDE];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < SIDE * SIDE; p++) {
                x[i * SIDE * SIDE + p] = (float) (r.nextDouble() * 0.5);
            }
            int q = r.nextInt(4);
            int y0 = (q / 2) * 4 + r.nextInt(3), x0 = (q % 2) * 4 + r.nextInt(3);
            for (int dy = 0; dy < 2; dy++) {
                for (int dx = 0; dx < 2; dx++) {
                    x[i * SIDE * SIDE + (y0 + dy) * SIDE + x0 + dx] += 1.5f;
                }
            }
            labels[i] = q;
        }
        return Dataset.builder(name).features(Shape.image(1, SIDE, SIDE), x).labels(labels, 4).build();
    }

    static Model cnn(long seed) {
        return Model.builder(Shape.image(1, SIDE, SIDE)).seed(seed)
                .add(Conv2D.of(4, 3).padding(1).bias(false))
                .add(BatchNorm.of(Activations.relu()))
                .add(Pool2D.max(2))
                .add(Conv2D.of(6, 3).padding(1).activation(Activations.relu()))
                .add(Pool2D.average(2))
                .add(Flatten.of())
                .add(Dense.of(12))
                .add(BatchNorm.of(Activations.relu()))
                .add(Dense.of(4))
                .build();
    }

    @Test
    void learnsWhereTheBlobIs() throws IOException {
        Dataset train = quadrants("train", 2000, 1), test = quadrants("test", 1000, 2);
        Model m = cnn(3);
        double before = Trainer.evaluate(m, Losses.softmaxCrossEntropy(), test).accuracy();
        Trainer.builder(m, Losses.softmaxCrossEntropy(), Optimizers.adam(0f)).learningRate(3e-3).batchSize(32).epochs(4)
                .build().fit(train, null);
        double after = Trainer.evaluate(m, Losses.softmaxCrossEntropy(), test).accuracy();
        System.out.printf("cnn quadrants: test accuracy %.2f%% before training, %.2f%% after 4 epochs%n", 100 * before,
                100 * after);
        assertTrue(after >= 0.95, "test accuracy " + after + " (before training " + before + ")");
    }

    private static float[][] weightsAndBuffers(Model m) {
        float[][] w = TestData.weights(m);
        float[][] all = new float[w.length + m.buffers().size()][];
        System.arraycopy(w, 0, all, 0, w.length);
        for (int i = 0; i < m.buffers().size(); i++) {
            all[w.length + i] = m.buffers().get(i).value().data().clone();
        }
        return all;
    }

    /** The same weights and running statistics for 1 and 2 kernel threads and 1, 2 and 3 replicas (6 shards). */
    @Test
    void weightsAndRunningStatisticsDoNotDependOnThreadsOrReplicas() throws IOException {
        Dataset train = quadrants("train", 300, 3);
        float[][] reference = null;
        for (int[] setting : new int[][]{{1, 1}, {2, 1}, {1, 2}, {1, 3}, {2, 3}}) {
            Model m = cnn(5);
            Trainer.builder(m, Losses.softmaxCrossEntropy(), Optimizers.adam(0f)).learningRate(3e-3).batchSize(50)
                    .epochs(2).shards(6).replicas(setting[1]).kernels(Kernels.get().withThreads(setting[0])).build()
                    .fit(train, null);
            float[][] w = weightsAndBuffers(m);
            if (reference == null) {
                reference = w;
                BatchNorm bn = (BatchNorm) m.nodes().get(1);
                assertTrue(bn.runningMean().data()[0] != 0f && bn.runningVar().data()[0] != 1f, "running statistics updated");
            } else {
                for (int i = 0; i < w.length; i++) {
                    assertArrayEquals(reference[i], w[i], "threads " + setting[0] + ", replicas " + setting[1] + ", tensor " + i);
                }
            }
        }
    }

    private static long allocatedBy(Runnable r) throws Exception {
        Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        java.lang.reflect.Method counter = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        long before = (long) counter.invoke(bean);
        r.run();
        return (long) counter.invoke(bean) - before;
    }

    /** A training step of the CNN (convolutions, batch norms with their buffer update, pools) allocates nothing. */
    @Test
    void aTrainingStepAllocatesNothing() throws Exception {
        Model m = cnn(7);
        io.vecnn.api.Loss loss = Losses.softmaxCrossEntropy();
        io.vecnn.api.Optimizer opt = Optimizers.adam(0f);
        Model.Workspace ws = m.newTrainingWorkspace(Kernels.get().withThreads(1));
        Dataset d = quadrants("steps", 16, 9);
        Matrix x = Matrix.zeros(16, SIDE * SIDE), y = Matrix.zeros(16, 4), g = Matrix.zeros(16, 4);
        d.gather(new int[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 0, 16, x, y);
        long[] step = {0};
        Runnable steps = () -> {
            for (int s = 0; s < 100; s++) {
                ws.zeroGradients();
                Matrix out = ws.forward(x, Mode.TRAINING, ++step[0]);
                loss.compute(out, y, g, ws.kernels());
                ws.backward(g);
                opt.step(m.parameters(), ws.gradients(), 1e-3f, ws.kernels());
                ws.updateBuffers();
            }
        };
        for (int warm = 0; warm < 40; warm++) {
            steps.run();
        }
        long overhead = allocatedBy(() -> { });
        long best = Long.MAX_VALUE;
        for (int window = 0; window < 20 && best > 0; window++) {
            best = Math.min(best, allocatedBy(steps) - overhead);
        }
        assertTrue(best <= 0, best + " bytes allocated over 100 steps in the best of 20 windows");
    }

    @Test
    void roundTripsBitExactWithTheRunningStatistics(@TempDir Path dir) throws IOException {
        Model m = cnn(11);
        NewLayersCheckpointTest.roundTrip(dir, m, quadrants("train", 200, 4), quadrants("test", 50, 5));
        Checkpoint.Loaded l = Checkpoint.load(dir.resolve("model.vecnn"));
        assertEquals(4, m.buffers().size());
        for (int i = 0; i < m.buffers().size(); i++) {
            Node.Buffer a = m.buffers().get(i), b = l.model().buffers().get(i);
            assertEquals(a.name(), b.name());
            assertArrayEquals(a.value().data(), b.value().data(), a.name());
        }
        float[] var = m.buffers().get(1).value().data();
        assertTrue(var[0] != 1f, "the running variance moved from its start");
    }
}

package io.vecnn.spark;

import io.vecnn.api.Model;
import io.vecnn.api.Parameter;
import io.vecnn.layers.Activations;
import io.vecnn.layers.Dense;
import io.vecnn.layers.Dropout;
import io.vecnn.layers.Losses;
import io.vecnn.train.Dataset;
import io.vecnn.train.EpochMetrics;
import io.vecnn.train.Optimizers;
import io.vecnn.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** N Spark workers give the single-JVM trainer's weights, bit for bit; faults are survived or named. */
class SparkTrainerTest {

    // 3 classes of Gaussian blobs in 12 dimensions; 301 samples so the last batch of 60 is short (1 row).
    static Dataset blobs(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * 12];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(3);
            for (int j = 0; j < 12; j++) {
                x[i * 12 + j] = (float) (r.nextGaussian() + (j % 3 == y[i] ? 1.5 : 0));
            }
        }
        return Dataset.of("blobs", x, 12, y, 3);
    }

    static Model model() {
        return Model.builder(12).seed(7).add(Dense.of(16, Activations.relu())).add(Dropout.of(0.1f)).add(Dense.of(3)).build();
    }

    static TrainerSetup setup(int epochs) {
        return m -> Trainer.builder(m, Losses.softmaxCrossEntropy(), Optimizers.adam(1e-4f)).batchSize(60).epochs(epochs)
                .learningRate(0.01).seed(11).clipGradientNorm(5);
    }

    static float[][] weights(Model m) {
        List<Parameter> ps = m.parameters();
        float[][] w = new float[ps.size()][];
        for (int i = 0; i < w.length; i++) {
            w[i] = ps.get(i).value().toArray().length == 0 ? new float[0] : flat(ps.get(i));
        }
        return w;
    }

    private static float[] flat(Parameter p) {
        float[] out = new float[p.size()];
        System.arraycopy(p.value().data(), p.value().offset(), out, 0, p.size());
        return out;
    }

    static float[][] reference(int shards, int epochs, Dataset train, Dataset val) throws IOException {
        Model m = model();
        setup(epochs).configure(m).shards(shards).build().fit(train, val);
        return weights(m);
    }

    @ParameterizedTest
    @CsvSource({"1, BARRIER", "2, BARRIER", "3, BARRIER", "1, TREE_AGGREGATE", "2, TREE_AGGREGATE", "3, TREE_AGGREGATE"})
    void nWorkersGiveTheSingleJvmTrainersWeights(int workers, SparkTrainer.Transport transport) throws IOException {
        Dataset train = blobs(301, 1);
        Dataset val = blobs(90, 2);
        float[][] expected = reference(workers, 2, train, val);
        Model m = model();
        List<EpochMetrics> history = SparkTrainer.builder(SparkTestSession.context(), setup(2)).workers(workers).transport(transport)
                .build().fit(m, train, val);
        float[][] got = weights(m);
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], got[i], workers + " workers, " + transport + ": parameter " + i + " differs");
        }
        assertEquals(2, history.size());
        // Trained, not just equal: the weights moved and the validation accuracy is well above chance.
        assertFalse(java.util.Arrays.equals(weights(model())[0], got[0]));
        assertTrue(history.get(1).validationScore() > 0.6, "validation accuracy " + history.get(1).validationScore());
        Model ref = model();
        List<EpochMetrics> refHistory = setup(2).configure(ref).shards(workers).build().fit(train, val);
        assertEquals(refHistory.get(1).trainLoss(), history.get(1).trainLoss(), 0.0, "train loss");
        assertEquals(refHistory.get(1).trainScore(), history.get(1).trainScore(), 0.0, "train accuracy");
    }

    @ParameterizedTest
    @CsvSource({"BARRIER", "TREE_AGGREGATE"})
    void aTaskFailingOnceIsRetriedFromTheCheckpointWithTheSameWeights(SparkTrainer.Transport transport, @TempDir Path dir)
            throws IOException {
        Dataset train = blobs(301, 3);
        float[][] expected = reference(3, 3, train, null);
        Path ck = dir.resolve("shared.ckpt");
        Model m = model();
        // Step 14 is in epoch 3 (6 batches per epoch): the retried stage resumes from epoch 2's checkpoint.
        SparkTrainer.builder(SparkTestSession.context(), setup(3)).workers(3).transport(transport).checkpoint(ck)
                .fault(new Fault(1, 14, false, false)).build().fit(m, train, null);
        float[][] got = weights(m);
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], got[i], transport + ": parameter " + i + " differs after the retry");
        }
        assertTrue(Files.exists(ck), "worker 0 saved the checkpoint");
        try (var files = Files.list(dir)) {
            assertEquals(List.of(ck), files.toList(), "no temporary file left beside the checkpoint");
        }
    }

    // A hang is what this guards against: JUnit fails the test if it runs past the bound (an elapsed-time
    // check after the call could never see a hang).
    @ParameterizedTest
    @CsvSource({"BARRIER", "TREE_AGGREGATE"})
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aWorkerThatStopsAnsweringFailsTheStepNamingIt(SparkTrainer.Transport transport) {
        Dataset train = blobs(301, 4);
        Model m = model();
        Exception e = assertThrows(Exception.class, () -> SparkTrainer.builder(SparkTestSession.context(), setup(1)).workers(3)
                .transport(transport).timeout(Duration.ofMillis(3000)).fault(new Fault(2, 3, true, true)).build().fit(m, train, null));
        String all = messages(e);
        assertTrue(all.contains("worker 2") && all.contains("stopped answering"), "the error names worker 2: " + all);
        assertTrue(all.contains("step 3"), "the error names the step: " + all);
    }

    @Test
    void aLossThatCannotTravelIsRefusedOnTheDriver() {
        TrainerSetup custom = m -> Trainer.builder(m, new io.vecnn.api.Loss() {
            @Override
            public double compute(io.vecnn.api.Matrix out, io.vecnn.api.Matrix target, io.vecnn.api.Matrix gradient,
                                  io.vecnn.kernels.Kernels k) {
                return Losses.softmaxCrossEntropy().compute(out, target, gradient, k);
            }

            @Override
            public String name() {
                return "my-loss";
            }
        }, Optimizers.sgd(0f)).epochs(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkTrainer.builder(SparkTestSession.context(),
                custom).transport(SparkTrainer.Transport.TREE_AGGREGATE).build().fit(model(), blobs(30, 1), null));
        assertTrue(e.getMessage().contains("my-loss"), e.getMessage());
    }

    @Test
    void badSettingsAreRefusedBeforeAnyJob() {
        SparkTrainer.Builder b = SparkTrainer.builder(SparkTestSession.context(), setup(1));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.workers(0)).getMessage().contains("workers must be >= 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.timeout(Duration.ZERO)).getMessage().contains("timeout"));
        IllegalArgumentException few = assertThrows(IllegalArgumentException.class,
                () -> b.workers(3).build().fit(model(), blobs(2, 1), null));
        assertTrue(few.getMessage().contains("2 samples, fewer than the 3 workers"), few.getMessage());
    }

    static String messages(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            b.append(t.getMessage()).append(" | ");
        }
        return b.toString();
    }
}

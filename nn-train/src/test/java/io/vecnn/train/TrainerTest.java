package io.vecnn.train;

import io.vecnn.api.Loss;
import io.vecnn.api.Matrix;
import io.vecnn.kernels.Kernels;
import io.vecnn.api.Model;
import io.vecnn.api.Optimizer;
import io.vecnn.layers.Losses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {

    private static Trainer.Builder trainer(Model m, Optimizer opt, int epochs) {
        return Trainer.builder(m, Losses.softmaxCrossEntropy(), opt).batchSize(32).epochs(epochs).seed(7)
                .schedule(LearningRateSchedule.cosine(3e-3, 3e-5, epochs));
    }

    @Test
    void learnsTheDigits() throws IOException {
        Dataset.Split d = TestData.digits();
        Model m = TestData.classifier(1, false);
        Trainer t = trainer(m, Optimizers.adam(0f), 15).build();
        List<EpochMetrics> h = t.fit(d.first(), d.second());
        assertEquals(15, h.size());
        assertTrue(h.get(14).trainLoss() < h.get(0).trainLoss() / 5, "the loss falls: " + h.get(0) + " → " + h.get(14));
        Evaluation e = t.evaluate(d.second());
        assertTrue(e.accuracy() > 0.95, "held-out accuracy " + e.accuracy());
        int total = 0;
        int diagonal = 0;
        for (int i = 0; i < 10; i++) {
            for (int j = 0; j < 10; j++) {
                total += e.confusion()[i][j];
            }
            diagonal += e.confusion()[i][i];
        }
        assertEquals(d.second().size(), total);
        assertEquals(e.accuracy(), diagonal / (double) total, 1e-12);
    }

    @Test
    void everyOptimizerTrains() throws IOException {
        Dataset.Split d = TestData.digits();
        for (String name : new String[] {"sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "adagrad"}) {
            Model m = TestData.classifier(2, false);
            double lr = name.startsWith("sgd") || name.equals("momentum") || name.equals("nesterov") ? 0.05 : name.equals("adagrad") ? 0.02 : 1e-3;
            Trainer t = Trainer.builder(m, Losses.softmaxCrossEntropy(), Optimizers.named(name, 1e-4f)).batchSize(32).epochs(4)
                    .learningRate(lr).seed(3).build();
            List<EpochMetrics> h = t.fit(d.first(), null);
            assertTrue(h.get(3).trainLoss() < 0.6 * h.get(0).trainLoss(), name + ": " + h.get(0).trainLoss() + " → " + h.get(3).trainLoss());
            assertTrue(Double.isNaN(h.get(3).validationLoss()));
        }
    }

    @Test
    void sameSeedGivesBitIdenticalWeights() throws IOException {
        Dataset.Split d = TestData.digits();
        float[][] a = run(d, 11);
        float[][] b = run(d, 11);
        float[][] c = run(d, 12);
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(a[i], b[i]);
        }
        assertTrue(!java.util.Arrays.equals(a[0], c[0]), "another seed, other weights");
    }

    private static float[][] run(Dataset.Split d, long seed) throws IOException {
        Model m = TestData.classifier(seed, true);
        Trainer.builder(m, Losses.softmaxCrossEntropy(), Optimizers.adam(0f)).batchSize(50).epochs(2).seed(seed).build()
                .fit(d.first(), d.second());
        return TestData.weights(m);
    }

    @Test
    void resumingFromACheckpointReproducesTheUninterruptedRun(@TempDir Path dir) throws IOException {
        Dataset.Split d = TestData.digits();
        Model straight = TestData.classifier(5, true);
        trainer(straight, Optimizers.adamW(0.01f), 4).build().fit(d.first(), d.second());

        Path ckpt = dir.resolve("run.vecnn");
        Model first = TestData.classifier(5, true);
        Trainer.Builder tb = trainer(first, Optimizers.adamW(0.01f), 4).checkpoint(ckpt);
        // Interrupt after epoch 2: a listener throws, as a crash would.
        List<Integer> seen = new ArrayList<>();
        tb.listener(new TrainingListener() {
            @Override
            public void onEpoch(EpochMetrics m) {
                seen.add(m.epoch());
                if (m.epoch() == 2) {
                    throw new IllegalStateException("simulated crash");
                }
            }
        });
        assertThrows(IllegalStateException.class, () -> tb.build().fit(d.first(), d.second()));
        assertEquals(List.of(1, 2), seen);

        Checkpoint.Loaded loaded = Checkpoint.load(ckpt);
        assertEquals(2, loaded.state().epochsDone());
        Optimizer opt = Optimizers.adamW(0.01f);
        Checkpoint.restoreOptimizer(loaded, opt, loaded.model().parameters());
        Trainer resumed = trainer(loaded.model(), opt, 4).build();
        resumed.resumeFrom(loaded.state());
        List<EpochMetrics> h = resumed.fit(d.first(), d.second());
        assertEquals(4, h.size());
        float[][] expected = TestData.weights(straight);
        float[][] actual = TestData.weights(loaded.model());
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual[i], "parameter " + i + " differs from the uninterrupted run");
        }
    }

    /** The same training in fresh JVMs with 1 and 2 kernel threads: bit-identical weights. */
    @Test
    void weightsDoNotDependOnTheThreadCount() throws Exception {
        String one = runInFreshJvm(1, 1, 1);
        String two = runInFreshJvm(2, 1, 1);
        assertTrue(one.startsWith("weights "), one);
        assertEquals(one, two);
    }

    /**
     * Six shards per batch on 1, 2 or 3 replicas (threads), each replica with its own workspace and
     * gradient buffers: bit-identical weights, since the shards' gradients are summed in shard order.
     * Another shard count sums differently, which the weights show.
     */
    @Test
    void weightsDoNotDependOnTheReplicaCount() throws Exception {
        String r1 = runInFreshJvm(2, 1, 6);
        assertTrue(r1.startsWith("weights "), r1);
        assertEquals(r1, runInFreshJvm(2, 2, 6), "2 replicas");
        assertEquals(r1, runInFreshJvm(1, 3, 6), "3 replicas on 1 kernel thread");
        assertTrue(!r1.equals(runInFreshJvm(2, 1, 1)), "one shard sums the batch in another order");
    }

    private static String runInFreshJvm(int threads, int replicas, int shards) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-Dvecnn.threads=" + threads,
                "-cp", TestData.childClassPath(), ThreadCountProbe.class.getName(),
                Integer.toString(replicas), Integer.toString(shards));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertEquals(0, p.waitFor(), out);
        String[] lines = out.split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void aNonFiniteLossStopsBeforeTheUpdateAndKeepsTheLastCheckpoint(@TempDir Path dir) throws IOException {
        Dataset.Split d = TestData.digits();
        Model m = TestData.classifier(3, false);
        Path ckpt = dir.resolve("m.vecnn");
        int[] calls = {0};
        Loss poisoned = new Loss() {
            @Override
            public String name() {
                return "poisoned";
            }

            @Override
            public double compute(Matrix out, Matrix target, Matrix grad, Kernels kernels) {
                double l = Losses.softmaxCrossEntropy().compute(out, target, grad, kernels);
                // Epoch 1 has 45 batches; the 50th call is in epoch 2.
                return ++calls[0] == 50 ? Double.NaN : l;
            }
        };
        float[][][] before = new float[1][][];
        Trainer t = Trainer.builder(m, poisoned, Optimizers.adam(0f)).batchSize(32).epochs(3).seed(1).checkpoint(ckpt)
                .listener(new TrainingListener() {
                    @Override
                    public void onStep(int epoch, long step, int b, int n, double loss, int size) {
                        before[0] = TestData.weights(m);
                    }
                }).build();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> t.fit(d.first(), null));
        assertEquals(50, e.step());
        assertTrue(e.getMessage().contains("step 50") && e.getMessage().contains("loss is NaN")
                && e.getMessage().contains("not applied"), e.getMessage());
        float[][] after = TestData.weights(m);
        for (int i = 0; i < after.length; i++) {
            assertArrayEquals(before[0][i], after[i], "the refused update changed parameter " + i);
        }
        Checkpoint.Loaded last = Checkpoint.load(ckpt);
        assertEquals(1, last.state().epochsDone(), "the checkpoint of the last good epoch stays");
    }

    /**
     * The update that overflows is the last of an epoch: its gradient was finite, so only the weights
     * show it. That epoch is not saved; the checkpoint stays the last good epoch's.
     */
    @Test
    void aDivergedLastStepOfAnEpochIsNeverSaved(@TempDir Path dir) throws IOException {
        Dataset.Split d = TestData.digits();
        Model m = TestData.classifier(3, false);
        Path ckpt = dir.resolve("m.vecnn");
        // 45 batches per epoch: step 90 is the last of epoch 2. Its gradient is finite (scaled by 1e6) and
        // plain SGD at a learning rate of 3e38 turns the weights infinite.
        int[] calls = {0};
        Loss scaled = new Loss() {
            @Override
            public String name() {
                return "scaled";
            }

            @Override
            public double compute(Matrix out, Matrix target, Matrix grad, Kernels kernels) {
                double l = Losses.softmaxCrossEntropy().compute(out, target, grad, kernels);
                if (grad != null && ++calls[0] == 90) {
                    for (int i = 0; i < grad.size(); i++) {
                        grad.data()[grad.offset() + i] *= 1e6f;
                    }
                }
                return l;
            }
        };
        LearningRateSchedule blowUp = (step, perEpoch) -> step == 2 * perEpoch - 1 ? 3e38 : 1e-3;
        Trainer t = Trainer.builder(m, scaled, Optimizers.sgd(0f)).schedule(blowUp).batchSize(32)
                .epochs(3).seed(1).checkpoint(ckpt).build();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> t.fit(d.first(), null));
        assertTrue(e.getMessage().contains("after epoch 2") && e.getMessage().contains("not saved")
                && e.getMessage().contains(ckpt.toString()), e.getMessage());
        Checkpoint.Loaded last = Checkpoint.load(ckpt);
        assertEquals(1, last.state().epochsDone(), "the last good epoch's checkpoint stays");
        for (io.vecnn.api.Parameter p : last.model().parameters()) {
            assertEquals(-1, p.value().firstNonFinite(), p.name());
        }
    }

    @Test
    void aNonFiniteGradientNamesTheParameter() {
        Dataset.Split d = TestData.digits();
        Model m = TestData.classifier(3, false);
        Loss poisoned = new Loss() {
            @Override
            public String name() {
                return "poisoned-gradient";
            }

            @Override
            public double compute(Matrix out, Matrix target, Matrix grad, Kernels kernels) {
                double l = Losses.softmaxCrossEntropy().compute(out, target, grad, kernels);
                if (grad != null) {
                    grad.data()[3] = Float.POSITIVE_INFINITY;
                }
                return l;
            }
        };
        float[][] before = TestData.weights(m);
        Trainer t = Trainer.builder(m, poisoned, Optimizers.sgd(0f)).batchSize(32).epochs(1).learningRate(0.1).build();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> t.fit(d.first(), null));
        assertEquals(1, e.step());
        assertTrue(e.getMessage().contains("dense1.weight") && e.getMessage().contains("not finite"), e.getMessage());
        float[][] after = TestData.weights(m);
        for (int i = 0; i < after.length; i++) {
            assertArrayEquals(before[i], after[i]);
        }
    }

    @Test
    void clippingBoundsEachUpdate() throws IOException {
        Dataset.Split d = TestData.digits();
        Model m = TestData.classifier(4, false);
        double clip = 1e-3;
        double lr = 0.5;
        List<Double> steps = new ArrayList<>();
        float[][][] prev = {TestData.weights(m)};
        Trainer t = Trainer.builder(m, Losses.softmaxCrossEntropy(), Optimizers.sgd(0f)).batchSize(32).epochs(1)
                .learningRate(lr).clipGradientNorm(clip).listener(new TrainingListener() {
                    @Override
                    public void onStep(int epoch, long step, int b, int n, double loss, int size) {
                        float[][] w = TestData.weights(m);
                        double s = 0;
                        for (int i = 0; i < w.length; i++) {
                            for (int j = 0; j < w[i].length; j++) {
                                double dd = w[i][j] - prev[0][i][j];
                                s += dd * dd;
                            }
                        }
                        steps.add(Math.sqrt(s));
                        prev[0] = w;
                    }
                }).build();
        t.fit(d.first(), null);
        for (double s : steps) {
            assertTrue(s <= lr * clip * 1.001, "an update of norm " + s + " exceeds lr·clip = " + lr * clip);
        }
        assertTrue(steps.stream().anyMatch(s -> s > lr * clip * 0.99), "clipping was active");
    }

    @Test
    void earlyStoppingStopsWhenTheMonitoredMetricStalls() throws IOException {
        Dataset.Split d = TestData.digits();
        int[] idx = new int[40];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Dataset tiny = d.first().subset("tiny", idx);
        Model m = TestData.classifier(6, false);
        Trainer t = Trainer.builder(m, Losses.softmaxCrossEntropy(), Optimizers.adam(0f)).batchSize(8).epochs(200)
                .learningRate(3e-3).earlyStopping("val_accuracy", 3).build();
        List<EpochMetrics> h = t.fit(tiny, tiny);
        assertTrue(t.stoppedEarly());
        assertTrue(h.size() < 200, "stopped after " + h.size());
        double best = h.stream().mapToDouble(EpochMetrics::validationScore).max().orElseThrow();
        for (int i = h.size() - 3; i < h.size(); i++) {
            assertTrue(h.get(i).validationScore() <= best);
        }
    }

    @Test
    void badOptionsAreRejected(@TempDir Path dir) {
        Model m = TestData.classifier(1, false);
        Trainer.Builder b = Trainer.builder(m, Losses.softmaxCrossEntropy(), Optimizers.adam(0f));
        assertThrows(IllegalArgumentException.class, () -> b.batchSize(0));
        assertThrows(IllegalArgumentException.class, () -> b.epochs(0));
        for (double lr : new double[] {Double.NaN, Double.POSITIVE_INFINITY, 0, -1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.learningRate(lr));
            assertTrue(e.getMessage().contains("learning rate"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.checkpoint(dir.resolve("missing/model.vecnn")).build());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        Dataset wrong = Dataset.of("wrong", new float[10], 5, new int[] {0, 1}, 10);
        IllegalArgumentException f = assertThrows(IllegalArgumentException.class,
                () -> Trainer.builder(m, Losses.softmaxCrossEntropy(), Optimizers.adam(0f)).build().fit(wrong, null));
        assertTrue(f.getMessage().contains("5 values per sample") && f.getMessage().contains("64"), f.getMessage());
        assertTrue(Files.notExists(dir.resolve("missing")));
    }
}

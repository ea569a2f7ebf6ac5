package io.vecnn.layers;

import io.vecnn.api.Gradients;
import io.vecnn.api.Matrix;
import io.vecnn.api.Mode;
import io.vecnn.api.Model;
import io.vecnn.api.Parameter;
import io.vecnn.api.ShapeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input, thread contracts, buffer reuse and determinism of models. */
class ModelContractTest {
    private Gradients grads;


    private static Model classifier(long seed) {
        return Model.builder(784)
                .add(Dense.of(256, Activations.relu()))
                .add(Dense.of(128, Activations.relu()))
                .add(Dense.of(10))
                .seed(seed)
                .build();
    }

    /** Every parameter's values and, if a training workspace is open in the test, its gradient buffer. */
    private float[][] snapshot(Model m) {
        List<Parameter> ps = m.parameters();
        float[][] out = new float[ps.size() + 1][];
        for (int i = 0; i < ps.size(); i++) {
            out[i] = ps.get(i).value().data().clone();
        }
        out[ps.size()] = grads == null ? new float[0] : grads.buffer().clone();
        return out;
    }

    private void assertUnchanged(float[][] before, Model m) {
        float[][] after = snapshot(m);
        for (int i = 0; i < before.length; i++) {
            assertArrayEquals(before[i], after[i], "parameter array " + i + " changed");
        }
    }

    private <T extends Throwable> T assertRejects(Class<T> type, Model m, Executable e, String... words) {
        float[][] before = snapshot(m);
        T t = assertThrows(type, e);
        for (String w : words) {
            assertTrue(t.getMessage().contains(w), "message '" + t.getMessage() + "' lacks '" + w + "'");
        }
        assertUnchanged(before, m);
        return t;
    }

    @Test
    void aClassifierIsAFewLines() {
        Model m = classifier(1);
        assertEquals(784, m.inputSize());
        assertEquals(10, m.outputSize());
        assertEquals(784L * 256 + 256 + 256L * 128 + 128 + 128L * 10 + 10, m.parameterCount());
        assertTrue(m.summary().contains("dense1 dense 784→256, relu"), m.summary());
    }

    @Test
    void shapeMismatchesNameTheLayerAndBothShapes() {
        Model m = classifier(1);
        ShapeException e = assertRejects(ShapeException.class, m, () -> m.predict(Matrix.zeros(3, 783)), "783", "784");
        assertTrue(e.getMessage().contains("model input"), e.getMessage());
        ShapeException built = assertThrows(ShapeException.class, () -> Model.builder(4).add(Dense.of(3))
                .add(Dense.withWeights("odd", Matrix.zeros(2, 5), null, Activations.relu())).build());
        assertTrue(built.getMessage().contains("odd") && built.getMessage().contains("3") && built.getMessage().contains("5"),
                built.getMessage());
        Matrix z = Matrix.zeros(2, 10);
        assertRejects(ShapeException.class, m, () -> Losses.softmaxCrossEntropy().compute(z, Matrix.zeros(3, 10), null),
                "target", "2×10", "3×10");
    }

    @Test
    void emptyBatchIsRejected() {
        Model m = classifier(1);
        assertRejects(ShapeException.class, m, () -> m.predict(Matrix.zeros(0, 784)), "B >= 1");
        assertRejects(ShapeException.class, m, () -> Losses.quadratic().compute(Matrix.zeros(0, 3), Matrix.zeros(0, 3), null), "B >= 1");
    }

    @Test
    void nonFiniteInputsAreRejectedWhenChecked() {
        Model m = Model.builder(3).add(Dense.of(2)).checkInputs(true).build();
        Matrix x = Matrix.zeros(4, 3);
        x.set(2, 1, Float.NaN);
        assertRejects(IllegalArgumentException.class, m, () -> m.predict(x), "row 2", "column 1", "NaN");
        x.set(2, 1, Float.NEGATIVE_INFINITY);
        assertRejects(IllegalArgumentException.class, m, () -> m.predict(x), "Infinity");
    }

    @Test
    void targetsOutsideTheLossDomainAreRejectedBeforeAnyWrite() {
        Matrix logits = Matrix.of(new float[][] {{0.5f, -1f}, {2f, 3f}});
        Matrix grad = Matrix.of(new float[][] {{7f, 7f}, {7f, 7f}});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                Losses.binaryCrossEntropyWithLogits().compute(logits, Matrix.of(new float[][] {{0f, 1f}, {1.5f, 0f}}), grad));
        assertTrue(e.getMessage().contains("row 1") && e.getMessage().contains("1.5") && e.getMessage().contains("[0, 1]"), e.getMessage());
        assertEquals(7f, grad.get(0, 0), "nothing written");
        IllegalArgumentException ce = assertThrows(IllegalArgumentException.class, () ->
                Losses.softmaxCrossEntropy().compute(logits, Matrix.of(new float[][] {{1f, 0f}, {1f, 1f}}), grad));
        assertTrue(ce.getMessage().contains("row 1") && ce.getMessage().contains("sums to 2"), ce.getMessage());
        assertEquals(7f, grad.get(1, 1), "nothing written");
    }

    @Test
    void backwardNeedsATrainingForward() {
        Model m = classifier(1);
        try (Model.Workspace ws = m.newTrainingWorkspace()) {
            grads = ws.gradients();
            ws.forward(Matrix.zeros(2, 784), Mode.INFERENCE, 0);
            assertRejects(IllegalStateException.class, m, () -> ws.backward(Matrix.zeros(2, 10)), "training forward");
            ws.forward(Matrix.zeros(2, 784), Mode.TRAINING, 0);
            assertRejects(ShapeException.class, m, () -> ws.backward(Matrix.zeros(3, 10)), "dense3", "2×10", "3×10");
        }
        assertThrows(IllegalStateException.class, () -> m.newWorkspace().forward(Matrix.zeros(1, 784), Mode.TRAINING, 0));
    }

    @Test
    void trainingWorkspacesAreReplicasWithTheirOwnGradients() {
        Model m = classifier(1);
        Random r = new Random(8);
        Matrix x = TestNets.randomMatrix(r, 6, 784, 1.0);
        Matrix y = TestNets.targets(r, "softmax-ce", 6, 10);
        Gradients whole = backprop(m, x, y);
        Gradients first = backprop(m, x.rows(0, 4), y.rows(0, 4));
        Gradients second = backprop(m, x.rows(4, 2), y.rows(4, 2));
        assertTrue(!java.util.Arrays.equals(first.buffer(), second.buffer()), "each replica has its own gradients");
        // The loss is a mean over a workspace's batch: 4/6 and 2/6 of the parts make the whole.
        float[] w = whole.buffer();
        for (int i = 0; i < w.length; i++) {
            float sum = first.buffer()[i] * (4f / 6) + second.buffer()[i] * (2f / 6);
            assertEquals(w[i], sum, 1e-6 + 1e-5 * Math.abs(w[i]), "element " + i);
        }
    }

    private static Gradients backprop(Model m, Matrix x, Matrix y) {
        Model.Workspace ws = m.newTrainingWorkspace();
        Matrix out = ws.forward(x, Mode.TRAINING, 0);
        Matrix g = Matrix.zeros(out.rows(), out.cols());
        Losses.softmaxCrossEntropy().compute(out, y, g, ws.kernels());
        ws.backward(g);
        return ws.gradients();
    }

    @Test
    void inferenceFromManyThreadsMatchesOneThread() throws Exception {
        Model m = classifier(3);
        Random r = new Random(3);
        List<Matrix> batches = new ArrayList<>();
        List<Matrix> expected = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Matrix x = TestNets.randomMatrix(r, 1 + i % 5 * 7, 784, 1.0);
            batches.add(x);
            expected.add(m.predict(x));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int round = 0; round < 8; round++) {
                for (int i = 0; i < batches.size(); i++) {
                    int k = i;
                    results.add(pool.submit(() -> m.predict(batches.get(k)).contentEquals(expected.get(k))));
                }
            }
            for (Future<Boolean> f : results) {
                assertTrue(f.get(), "a concurrent prediction differs from the sequential one");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void buffersAreReusedAndResultsRepeatAcrossBatchSizes() {
        Model m = classifier(5);
        Random r = new Random(5);
        Matrix a = TestNets.randomMatrix(r, 32, 784, 1.0);
        Matrix b = TestNets.randomMatrix(r, 7, 784, 1.0);
        Model.Workspace ws = m.newWorkspace();
        Matrix outA = ws.forward(a, Mode.INFERENCE, 0).copy();
        Matrix outA2 = ws.forward(a, Mode.INFERENCE, 0);
        Matrix same = ws.forward(a, Mode.INFERENCE, 0);
        assertTrue(outA2 == same, "same batch size: the same output buffer");
        ws.forward(b, Mode.INFERENCE, 0);
        assertTrue(ws.forward(a, Mode.INFERENCE, 0).contentEquals(outA), "a smaller batch in between changes nothing");
    }

    @Test
    void sameSeedSameWeightsDifferentSeedDifferentWeights() {
        assertTrue(classifier(9).parameters().get(0).value().contentEquals(classifier(9).parameters().get(0).value()));
        assertTrue(!classifier(9).parameters().get(0).value().contentEquals(classifier(10).parameters().get(0).value()));
    }

    @Test
    void dropoutIsIdentityInInferenceAndSeededInTraining() {
        Model m = Model.builder(50).add(Dropout.of(0.5f)).seed(1).build();
        Matrix x = Matrix.zeros(20, 50);
        x.fill(1f);
        assertTrue(m.predict(x).contentEquals(x));
        try (Model.Workspace ws = m.newTrainingWorkspace()) {
            Matrix y1 = ws.forward(x, Mode.TRAINING, 3).copy();
            Matrix y2 = ws.forward(x, Mode.TRAINING, 3).copy();
            Matrix y3 = ws.forward(x, Mode.TRAINING, 4).copy();
            assertTrue(y1.contentEquals(y2), "same step, same mask");
            assertTrue(!y1.contentEquals(y3), "another step, another mask");
            int kept = 0;
            for (float v : y1.data()) {
                assertTrue(v == 0f || v == 2f, "kept elements are scaled by 1/(1 − rate): " + v);
                kept += v == 2f ? 1 : 0;
            }
            // 1000 Bernoulli(0.5) draws: 5 standard deviations is ±79.
            assertTrue(Math.abs(kept - 500) < 80, "kept " + kept + " of 1000");
        }
        assertThrows(IllegalArgumentException.class, () -> Dropout.of(1f));
    }
}

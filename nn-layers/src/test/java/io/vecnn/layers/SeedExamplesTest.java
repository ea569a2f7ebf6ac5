package io.vecnn.layers;

import io.vecnn.api.Gradients;
import io.vecnn.api.Activation;
import io.vecnn.api.GradientCheck;
import io.vecnn.api.Layer;
import io.vecnn.api.Matrix;
import io.vecnn.api.Mode;
import io.vecnn.api.Model;
import io.vecnn.api.Parameter;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The worked examples of the seed notes (../shared/seeds), verified rather than copied. */
class SeedExamplesTest {
    private Gradients grads;


    // ---------------------------------------------------------------- seed 003

    /** The slide stores W as [inputs × outputs] and computes a = Wᵀh; Dense stores W as [out × in]. */
    private static Matrix transposed(float[][] inputsByOutputs) {
        int in = inputsByOutputs.length;
        int out = inputsByOutputs[0].length;
        Matrix w = Matrix.zeros(out, in);
        for (int i = 0; i < in; i++) {
            for (int j = 0; j < out; j++) {
                w.set(j, i, inputsByOutputs[i][j]);
            }
        }
        return w;
    }

    private static final float[][] W1 = {{0.1f, 0.3f, 0.8f}, {-0.3f, -0.2f, 0.5f}, {-0.3f, 0.1f, 0.4f}};
    private static final float[][] W2 = {{0.4f, 0.5f, -0.3f}, {-0.1f, -0.4f, -0.5f}, {0.8f, 0.2f, 0.9f}};
    private static final float[][] W3 = {{0.3f, -0.5f}, {0.1f, 0.2f}, {-0.1f, -0.4f}};

    private static Model seed003(Activation hidden) {
        return Model.builder(3)
                .add(Dense.withWeights("layer1", transposed(W1), new float[3], hidden))
                .add(Dense.withWeights("layer2", transposed(W2), new float[3], hidden))
                .add(Dense.withWeights("layer3", transposed(W3), new float[2], Activations.identity()))
                .build();
    }

    private static float[] forwardOutput(Model m, Matrix x) {
        return m.predict(x).rowCopy(0);
    }

    private static void assertPrinted(float[] printed, float[] actual, String what) {
        // The slide prints two decimals, sometimes truncated rather than rounded: within 0.01.
        for (int i = 0; i < printed.length; i++) {
            assertTrue(Math.abs(printed[i] - actual[i]) < 0.01, what + "[" + i + "]: printed " + printed[i] + ", computed " + actual[i]);
        }
    }

    @Test
    void seed003ForwardMatchesThePrintedValues() {
        // The slide never prints x; solving a1 = W1ᵀx for the printed a1 gives x = (2, 5, 3).
        Matrix x = Matrix.row(2f, 5f, 3f);
        Model tanhNet = seed003(Activations.tanh());
        // Pre-activations come from the same weights with identity activations, layer by layer.
        Model l1Linear = Model.builder(3).add(Dense.withWeights("l1", transposed(W1), new float[3], Activations.identity())).build();
        Model l1Tanh = Model.builder(3).add(Dense.withWeights("l1", transposed(W1), new float[3], Activations.tanh())).build();
        float[] a1 = forwardOutput(l1Linear, x);
        float[] h1 = forwardOutput(l1Tanh, x);
        Matrix h1m = Matrix.row(h1);
        float[] a2 = forwardOutput(Model.builder(3).add(Dense.withWeights("l2", transposed(W2), new float[3], Activations.identity())).build(), h1m);
        float[] h2 = forwardOutput(Model.builder(3).add(Dense.withWeights("l2", transposed(W2), new float[3], Activations.tanh())).build(), h1m);
        float[] a3 = forwardOutput(tanhNet, x);
        Matrix yHat = Matrix.zeros(1, 2);
        Activations.softmax().forward(Matrix.row(a3), yHat, io.vecnn.kernels.Kernels.get());
        double loss = Losses.softmaxCrossEntropy().compute(Matrix.row(a3), Matrix.row(1f, 0f), null);

        assertPrinted(new float[] {-2.2f, -0.1f, 5.3f}, a1, "a1");
        assertPrinted(new float[] {-0.97f, -0.1f, 0.99f}, h1, "h1");
        assertPrinted(new float[] {0.41f, -0.24f, 1.24f}, a2, "a2");
        assertPrinted(new float[] {0.39f, -0.24f, 0.84f}, h2, "h2");
        assertPrinted(new float[] {0.01f, -0.58f}, a3, "a3");
        assertPrinted(new float[] {0.64f, 0.36f}, yHat.rowCopy(0), "ŷ");
        // The slide prints 0.43; the exact loss is −ln(0.6446) = 0.4391 (the slide truncates).
        assertEquals(0.4391022, loss, 1e-6);
    }

    @Test
    void seed003BackwardIsRightWhereTheSlideIsWrong() {
        Model model = seed003(Activations.tanh());
        Matrix x = Matrix.row(2f, 5f, 3f);
        Matrix y = Matrix.row(1f, 0f);
        try (Model.Workspace ws = model.newTrainingWorkspace()) {
            grads = ws.gradients();
            Matrix out = ws.forward(x, Mode.TRAINING, 0);
            Matrix g = Matrix.zeros(1, 2);
            Losses.softmaxCrossEntropy().compute(out, y, g);
            ws.backward(g);
        }
        // ∇h2 from the framework: an identity layer (W = I, b = 0) inserted after layer 2 leaves the
        // function unchanged, and its bias gradient is ∂L/∂h2.
        Matrix identity = Matrix.zeros(3, 3);
        for (int i = 0; i < 3; i++) {
            identity.set(i, i, 1f);
        }
        Model probed = Model.builder(3).add(model.layers().get(0)).add(model.layers().get(1))
                .add(Dense.withWeights("probe", identity, new float[3], Activations.identity()))
                .add(model.layers().get(2)).build();
        float[] gradH2;
        try (Model.Workspace ws = probed.newTrainingWorkspace()) {
            grads = ws.gradients();
            Matrix out = ws.forward(x, Mode.TRAINING, 0);
            Matrix g = Matrix.zeros(1, 2);
            Losses.softmaxCrossEntropy().compute(out, y, g);
            ws.backward(g);
            gradH2 = grads.get(probed.parameters().get(5)).rowCopy(0);
        }
        // Expected values: an exact double-precision evaluation of the seed's backward equations
        // (∇a3 = ŷ − e(ℓ), ∇h2 = W3ᵀ∇a3 with the slide's W3 as [inputs×outputs] i.e. W3·∇a3,
        // ∇a2 = ∇h2 ⊙ (1 − h2²), ∇W2 = ∇a2·h1ᵀ), confirmed below by finite differences.
        Parameter b3 = model.parameters().get(5);
        Parameter b2 = model.parameters().get(3);
        Parameter w2 = model.parameters().get(2);
        // (The probe shares the layers, so these hold the probed run's gradients: the same function.)
        float[] gradA3 = grads.get(b3).rowCopy(0);       // ∂C/∂b = δ at batch 1
        float[] gradA2 = grads.get(b2).rowCopy(0);
        assertArrayClose(new double[] {-0.355385, 0.355385}, gradA3, 1e-5, "∇a3 (the slide's −0.36, 0.36 is right)");
        // The slide prints ∇h2 = (0.23, −0.03, 0.09): wrong signs and sizes. W3·∇a3 is:
        assertArrayClose(new double[] {-0.284308, 0.035539, -0.106616}, gradH2, 1e-5, "∇h2");
        // The slide prints ∇a2 = (0.19, −0.03, 0.02), following its wrong ∇h2.
        assertArrayClose(new double[] {-0.239585, 0.033439, -0.030278}, gradA2, 1e-5, "∇a2");
        // The slide prints ∇W2 = [[−0.19, 0.03, −0.02], [−0.02, 0.01, −0.01], [0.2, −0.03, 0.02]].
        // In its [inputs × outputs] layout the correct one is ∇W2[i][j] = h1ᵢ·∇a2ⱼ:
        double[][] expectedW2 = {{0.233773, -0.032628, 0.029544}, {0.023879, -0.003333, 0.003018}, {-0.239573, 0.033437, -0.030277}};
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(expectedW2[i][j], grads.get(w2).get(j, i), 1e-5, "∇W2[" + i + "][" + j + "]");
            }
        }
        // Independent confirmation: finite differences of the loss agree with every gradient.
        GradientCheck.Result fd = new GradientCheck().epsilon(1e-3).tolerance(1e-4, 1e-3)
                .check(model, Losses.softmaxCrossEntropy(), x, y);
        assertTrue(fd.passed(), fd.toString());
    }

    private static void assertArrayClose(double[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol, what + "[" + i + "]");
        }
    }

    // ---------------------------------------------------------------- seed 002

    @Test
    void seed002LogisticRegressionAsOneUnit() {
        Random r = new Random(2);
        int m = 8;
        int n = 5;
        Model model = Model.builder(n).add(Dense.of(1).name("unit")).seed(4).build();
        Matrix x = TestNets.randomMatrix(r, m, n, 1.0);
        Matrix y = Matrix.zeros(m, 1);
        for (int i = 0; i < m; i++) {
            y.set(i, 0, r.nextBoolean() ? 1f : 0f);
        }
        Matrix z;
        Matrix g = Matrix.zeros(m, 1);
        double cost;
        try (Model.Workspace ws = model.newTrainingWorkspace()) {
            grads = ws.gradients();
            z = ws.forward(x, Mode.TRAINING, 0).copy();
            cost = Losses.binaryCrossEntropyWithLogits().compute(z, y, g);
            ws.backward(g.copy());
        }
        double expectedCost = 0;
        double[] dz = new double[m];
        for (int i = 0; i < m; i++) {
            double a = 1 / (1 + Math.exp(-z.get(i, 0)));
            expectedCost += -(y.get(i, 0) * Math.log(a) + (1 - y.get(i, 0)) * Math.log(1 - a));
            dz[i] = a - y.get(i, 0);
            // The loss writes ∂J/∂z = dz/m: J is the mean, so each sample's dz carries 1/m.
            assertEquals(dz[i] / m, g.get(i, 0), 1e-7, "dz[" + i + "]/m");
        }
        assertEquals(expectedCost / m, cost, 1e-6, "J = mean loss");
        Parameter w = model.parameters().get(0);
        Parameter b = model.parameters().get(1);
        double db = 0;
        for (int k = 0; k < n; k++) {
            double dw = 0;
            for (int i = 0; i < m; i++) {
                dw += x.get(i, k) * g.get(i, 0);           // X·dz/m with the framework's own dz/m
            }
            assertEquals(dw, grads.get(w).get(0, k), 1e-7, "∂J/∂w[" + k + "] = X·dz/m");
        }
        for (int i = 0; i < m; i++) {
            db += g.get(i, 0);
        }
        assertEquals(db, grads.get(b).get(0, 0), 1e-7, "∂J/∂b = Σdz/m");
    }

    // ---------------------------------------------------------------- seed 004

    @Test
    void seed004FourEquationsHoldOnARandomSigmoidNetwork() {
        Random r = new Random(4);
        int[] sizes = {6, 5, 4, 3};
        Model model = Model.builder(6)
                .add(Dense.of(5, Activations.sigmoid()))
                .add(Dense.of(4, Activations.sigmoid()))
                .add(Dense.of(3, Activations.sigmoid()))
                .seed(9).build();
        int batch = 10;
        Matrix x = TestNets.randomMatrix(r, batch, 6, 1.0);
        Matrix y = TestNets.targets(r, "quadratic", batch, 3);
        // Forward values of every layer, by running prefixes of the same layers.
        List<Layer> layers = model.layers();
        Matrix[] act = new Matrix[4];
        act[0] = x;
        for (int l = 0; l < 3; l++) {
            act[l + 1] = Model.builder(sizes[l]).add(layers.get(l)).build().predict(act[l]);
        }
        try (Model.Workspace ws = model.newTrainingWorkspace()) {
            grads = ws.gradients();
            Matrix out = ws.forward(x, Mode.TRAINING, 0);
            Matrix g = Matrix.zeros(batch, 3);
            Losses.quadratic().compute(out, y, g);
            ws.backward(g);
        }
        for (int s = 0; s < batch; s++) {
            // (BP1) δᴸ = (a − y) ⊙ σ′(zᴸ), σ′ = σ(1 − σ)
            double[] delta = new double[3];
            for (int j = 0; j < 3; j++) {
                double a = act[3].get(s, j);
                delta[j] = (a - y.get(s, j)) * a * (1 - a);
            }
            for (int l = 2; l >= 0; l--) {
                Parameter w = model.parameters().get(2 * l);
                double[] next = new double[sizes[l]];
                for (int k = 0; k < sizes[l]; k++) {
                    double sum = 0;
                    for (int j = 0; j < delta.length; j++) {
                        sum += w.value().get(j, k) * delta[j];
                    }
                    // (BP2) δˡ = (Wˡ⁺¹ᵀδˡ⁺¹) ⊙ σ′(zˡ)
                    double a = act[l].get(s, k);
                    next[k] = sum * a * (1 - a);
                }
                accumulate(l, delta, act[l], s, batch);
                delta = next;
            }
        }
        for (int l = 0; l < 3; l++) {
            Parameter w = model.parameters().get(2 * l);
            Parameter b = model.parameters().get(2 * l + 1);
            for (int j = 0; j < sizes[l + 1]; j++) {
                // (BP3) ∂C/∂b = δ, averaged over the mini-batch
                assertEquals(expectedB[l][j], grads.get(b).get(0, j), 1e-6, "∂C/∂b" + l + "[" + j + "]");
                for (int k = 0; k < sizes[l]; k++) {
                    // (BP4) ∂C/∂w_jk = a_k δ_j, averaged
                    assertEquals(expectedW[l][j][k], grads.get(w).get(j, k), 1e-6, "∂C/∂w" + l + "[" + j + "," + k + "]");
                }
            }
        }
    }

    private final double[][][] expectedW = {new double[5][6], new double[4][5], new double[3][4]};
    private final double[][] expectedB = {new double[5], new double[4], new double[3]};

    private void accumulate(int l, double[] delta, Matrix prevAct, int s, int batch) {
        for (int j = 0; j < delta.length; j++) {
            expectedB[l][j] += delta[j] / batch;
            for (int k = 0; k < prevAct.cols(); k++) {
                expectedW[l][j][k] += prevAct.get(s, k) * delta[j] / batch;
            }
        }
    }

    // ---------------------------------------------------------------- seed 001

    static final Activation.Elementwise IDENT = Activation.elementwise("x", z -> z, (z, h) -> 1);
    static final Activation.Elementwise HALF_SQUARE = Activation.elementwise("½x²", z -> z * z / 2, (z, h) -> z);
    static final Activation.Elementwise DOUBLE = Activation.elementwise("2x", z -> 2 * z, (z, h) -> 2);
    static final Activation.Elementwise EXP = Activation.elementwise("eˣ", Math::exp, (z, h) -> h);
    static final Activation.Elementwise SIN = Activation.elementwise("sin x", Math::sin, (z, h) -> Math.cos(z));

    /**
     * Seed 001's network from the public API: per-unit activations, no biases, and a connectivity mask
     * for the missing h2 → h3 connection. w_ij goes from input i to unit j; v11: h1→h3, v12: h1→h4,
     * v22: h2→h4; u1: h3→o, u2: h4→o.
     */
    static Model seed001(double w11, double w12, double w21, double w22, double v11, double v12, double v22,
                                 double u1, double u2) {
        Matrix w = Matrix.of(new float[][] {{(float) w11, (float) w21}, {(float) w12, (float) w22}});
        Matrix v = Matrix.of(new float[][] {{(float) v11, 0f}, {(float) v12, (float) v22}});
        Matrix u = Matrix.of(new float[][] {{(float) u1, (float) u2}});
        return Model.builder(2)
                .add(Dense.of(2, Activation.perUnit(IDENT, HALF_SQUARE)).bias(false)
                        .initializer((m, fi, fo, r) -> m.copyFrom(w)))
                .add(Dense.of(2, Activation.perUnit(DOUBLE, EXP)).bias(false)
                        .mask(new boolean[][] {{true, false}, {true, true}})
                        .initializer((m, fi, fo, r) -> m.copyFrom(v)))
                .add(Dense.of(1, SIN).bias(false).initializer((m, fi, fo, r) -> m.copyFrom(u)))
                .build();
    }

    /** The seed's backward pass by hand, in double: returns J and the nine gradients. */
    static double[] byHand(double x1, double x2, double t, double w11, double w12, double w21, double w22,
                                   double v11, double v12, double v22, double u1, double u2) {
        double z1 = w11 * x1 + w21 * x2, h1 = z1;
        double z2 = w12 * x1 + w22 * x2, h2 = z2 * z2 / 2;
        double z3 = v11 * h1, h3 = 2 * z3;
        double z4 = v12 * h1 + v22 * h2, h4 = Math.exp(z4);
        double zo = u1 * h3 + u2 * h4, o = Math.sin(zo);
        double j = 0.5 * (o - t) * (o - t);
        double dzo = (o - t) * Math.cos(zo);
        double du1 = dzo * h3, du2 = dzo * h4;
        double dz3 = 2 * dzo * u1;
        double dz4 = dzo * u2 * h4;
        double dv11 = dz3 * h1, dv12 = dz4 * h1, dv22 = dz4 * h2;
        double dh1 = dz3 * v11 + dz4 * v12;      // two paths from h1 to o, summed
        double dz1 = dh1;
        double dz2 = dz4 * v22 * z2;
        return new double[] {j, dz1 * x1, dz2 * x1, dz1 * x2, dz2 * x2, dv11, dv12, dv22, du1, du2};
    }

    static double[] frameworkGradients(Model model, double x1, double x2, double t) {
        Matrix x = Matrix.row((float) x1, (float) x2);
        Matrix target = Matrix.row((float) t);
        double j;
        Gradients grads;
        try (Model.Workspace ws = model.newTrainingWorkspace()) {
            grads = ws.gradients();
            Matrix o = ws.forward(x, Mode.TRAINING, 0);
            Matrix g = Matrix.zeros(1, 1);
            j = Losses.quadratic().compute(o, target, g);
            ws.backward(g);
        }
        Matrix w = grads.get(model.parameters().get(0));
        Matrix v = grads.get(model.parameters().get(1));
        Matrix u = grads.get(model.parameters().get(2));
        return new double[] {j, w.get(0, 0), w.get(1, 0), w.get(0, 1), w.get(1, 1),
                v.get(0, 0), v.get(1, 0), v.get(1, 1), u.get(0, 0), u.get(0, 1)};
    }

    static final String[] NAMES = {"J", "∂J/∂w11", "∂J/∂w12", "∂J/∂w21", "∂J/∂w22", "∂J/∂v11", "∂J/∂v12",
            "∂J/∂v22", "∂J/∂u1", "∂J/∂u2"};

    @Test
    void seed001WithAllWeightsZeroEverythingIsZero() {
        Model model = seed001(0, 0, 0, 0, 0, 0, 0, 0, 0);
        // Forward by hand: h1 = h2 = h3 = 0, h4 = e⁰ = 1, z_o = 0, o = sin 0 = 0, J = ½(0 − 0)² = 0,
        // so ∂J/∂o = 0 and every gradient is 0 (the seed's degenerate instance (x1, x2, t) = (0, 1, 0)).
        assertEquals(0f, model.predict(Matrix.row(0f, 1f)).get(0, 0));
        double[] hand = byHand(0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        double[] fw = frameworkGradients(model, 0, 1, 0);
        for (int i = 0; i < hand.length; i++) {
            assertEquals(0.0, hand[i], 0.0, NAMES[i] + " by hand");
            assertEquals(0.0, fw[i], 0.0, NAMES[i]);
        }
    }

    @Test
    void seed001WithNonZeroWeightsMatchesTheHandPassAndFiniteDifferences() {
        double[] p = {0.5, -0.4, 0.3, 0.8, -0.6, 0.7, 0.9, 0.4, -0.3};
        Model model = seed001(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8]);
        double x1 = 0.7, x2 = 1.0, t = 0.2;
        double[] hand = byHand(x1, x2, t, (float) p[0], (float) p[1], (float) p[2], (float) p[3], (float) p[4],
                (float) p[5], (float) p[6], (float) p[7], (float) p[8]);
        double[] fw = frameworkGradients(model, (float) x1, (float) x2, (float) t);
        for (int i = 0; i < hand.length; i++) {
            assertTrue(Math.abs(hand[i]) > 1e-3, NAMES[i] + " is not trivially 0 here: " + hand[i]);
            assertEquals(hand[i], fw[i], 1e-5 + 1e-5 * Math.abs(hand[i]), NAMES[i]);
        }
        // The missing connection h2 → h3 stays exactly 0 and receives no gradient.
        assertEquals(0f, model.parameters().get(1).value().get(0, 1));
        GradientCheck.Result fd = new GradientCheck().epsilon(1e-3).tolerance(1e-4, 1e-3)
                .check(model, Losses.quadratic(), Matrix.row((float) x1, (float) x2), Matrix.row((float) t));
        assertEquals(0f, fd.gradients().get(model.parameters().get(1)).get(0, 1));
        assertTrue(fd.passed(), fd.toString());
        assertEquals(9, fd.checked(), "the nine real weights; the masked entry is not a weight");
    }
}

package io.vecnn.layers;

import io.vecnn.api.LayerConfig;
import io.vecnn.api.Shape;
import io.vecnn.kernels.Kernels;
import io.vecnn.api.Activation;
import io.vecnn.api.GradientCheck;
import io.vecnn.api.Layer;
import io.vecnn.api.Loss;
import io.vecnn.api.Matrix;
import io.vecnn.api.Model;
import io.vecnn.api.Parameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every layer, activation and loss against central finite differences, at batch sizes 1 and 4. */
class GradientCheckTest {

    static List<Activation> activations() {
        List<Activation> list = new ArrayList<>();
        for (String f : TestNets.ELEMENTWISE) {
            list.add(TestNets.activation(f));
        }
        list.add(Activations.softmax());
        list.add(Activation.elementwise("cube", z -> z * z * z / 3, (z, h) -> z * z));
        list.add(Activation.perUnit(Activations.tanh(), Activation.elementwise("half-square", z -> z * z / 2, (z, h) -> z),
                Activations.sigmoid(), Activation.elementwise("sin", Math::sin, (z, h) -> Math.cos(z)),
                Activations.softplus()));
        return list;
    }

    static Stream<Arguments> activationCases() {
        List<Arguments> out = new ArrayList<>();
        for (Activation f : activations()) {
            for (String loss : new String[] {"quadratic", "bce", "softmax-ce"}) {
                for (int batch : new int[] {1, 4}) {
                    out.add(Arguments.of(f, loss, batch));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} then {1}, batch {2}")
    @MethodSource("activationCases")
    void everyActivationAndLossPasses(Activation f, String lossName, int batch) {
        Random r = new Random(31L * f.name().hashCode() + lossName.hashCode() + batch);
        Model model = Model.builder(4)
                .add(Dense.of(5, f))
                .add(Dense.of(3, Activations.tanh()))
                .add(Dense.of(5))
                .seed(r.nextLong())
                .build();
        Matrix x = TestNets.randomMatrix(r, batch, 4, 1.0);
        Matrix y = TestNets.targets(r, lossName, batch, 5);
        GradientCheck check = new GradientCheck();
        if (f.name().contains("relu") || f.name().startsWith("elu")) {
            // Keep w ± ε from crossing the kink at 0 (see GradientCheck's documentation); ELU with
            // α ≠ 1 has one in its derivative.
            check.epsilon(1e-3);
        }
        GradientCheck.Result result = check.check(model, TestNets.loss(lossName), x, y);
        assertTrue(result.passed(), result.toString());
        assertTrue(result.checked() == model.parameterCount(), "every element checked");
    }

    @ParameterizedTest(name = "batch {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 4})
    void dropoutMaskedAndBiasFreeLayersPass(int batch) {
        Random r = new Random(batch);
        boolean[][] mask = new boolean[6][5];
        for (int j = 0; j < 6; j++) {
            for (int i = 0; i < 5; i++) {
                mask[j][i] = (i + j) % 3 != 0;
            }
        }
        Model model = Model.builder(5)
                .add(Dense.of(6, Activations.silu()).mask(mask))
                .add(Dropout.of(0.4f))
                .add(Dense.of(4, Activations.gelu()).bias(false))
                .add(Dense.of(3))
                .seed(7)
                .build();
        Matrix x = TestNets.randomMatrix(r, batch, 5, 1.0);
        Matrix y = TestNets.targets(r, "softmax-ce", batch, 3);
        GradientCheck.Result result = new GradientCheck().step(12).check(model, Losses.softmaxCrossEntropy(), x, y);
        assertTrue(result.passed(), result.toString());
        Parameter w = model.parameters().get(0);
        for (int j = 0; j < 6; j++) {
            for (int i = 0; i < 5; i++) {
                if (!mask[j][i]) {
                    assertTrue(w.value().get(j, i) == 0f && result.gradients().get(w).get(j, i) == 0f, "masked " + j + "," + i);
                }
            }
        }
    }

    /** The check is not vacuous: a layer whose backward drops a factor of 2 fails it. */
    @Test
    void aWrongGradientFails() {
        Layer.Spec broken = context -> new ScaledGradientDense(Dense.of(3, Activations.tanh()).create(context));
        Model model = Model.builder(4).add(broken).add(Dense.of(2)).seed(3).build();
        Random r = new Random(5);
        GradientCheck.Result result = new GradientCheck().check(model, Losses.quadratic(),
                TestNets.randomMatrix(r, 4, 4, 1.0), TestNets.randomMatrix(r, 4, 2, 1.0));
        assertFalse(result.passed(), result.toString());
        assertTrue(result.worstParameter().startsWith("dense1"), result.toString());
    }

    /** A dense layer whose weight gradient is halved: a plausible bug (a lost factor). */
    private static final class ScaledGradientDense implements Layer {
        private final Dense inner;

        ScaledGradientDense(Dense inner) {
            this.inner = inner;
        }

        @Override public String name() { return inner.name(); }
        @Override public Shape inputShape() { return inner.inputShape(); }
        @Override public Shape outputShape() { return inner.outputShape(); }
        @Override public String type() { return "scaled-gradient-dense"; }
        @Override public LayerConfig config() { return inner.config(); }
        @Override public List<Parameter> parameters() { return inner.parameters(); }
        @Override public State newState() { return inner.newState(); }
        @Override public Matrix forward(Matrix input, State state) { return inner.forward(input, state); }

        @Override
        public Matrix backward(Matrix g, State state, boolean needInput) {
            Matrix gw = state.gradient(0);
            float[] before = gw.copy().data();
            Matrix result = inner.backward(g, state, needInput);
            float[] after = gw.data();
            for (int i = 0; i < before.length; i++) {
                after[gw.offset() + i] = before[i] + (after[gw.offset() + i] - before[i]) * 0.5f;
            }
            return result;
        }
    }

    @Test
    void userDefinedLossAndActivationPlugIn() {
        // A user-defined loss (mean absolute error, smooth enough away from 0) through the public API only.
        Loss l1 = new Loss() {
            @Override public String name() { return "l1"; }
            @Override
            public double compute(Matrix out, Matrix target, Matrix grad, Kernels kernels) {
                double sum = 0;
                for (int i = 0; i < out.size(); i++) {
                    double d = out.data()[i] - target.data()[i];
                    sum += Math.abs(d);
                    if (grad != null) {
                        grad.data()[i] = (float) (Math.signum(d) / out.rows());
                    }
                }
                return sum / out.rows();
            }
        };
        Random r = new Random(11);
        Model model = Model.builder(3)
                .add(Dense.of(4, Activation.elementwise("swish-beta2", z -> z / (1 + Math.exp(-2 * z)),
                        (z, h) -> {
                            double s = 1 / (1 + Math.exp(-2 * z));
                            return s + 2 * z * s * (1 - s);
                        })))
                .add(Dense.of(2))
                .seed(2)
                .build();
        Matrix y = TestNets.randomMatrix(r, 4, 2, 5.0);   // far from the outputs: no |·| kink nearby
        GradientCheck.Result result = new GradientCheck().check(model, l1, TestNets.randomMatrix(r, 4, 3, 1.0), y);
        assertTrue(result.passed(), result.toString());
    }

    @Test
    void builtInActivationsAgreeWithTheirScalarForm() {
        // Elementwise.apply/derivative (used by per-unit activations) and the batch kernels compute the same f.
        Random r = new Random(1);
        for (String name : TestNets.ELEMENTWISE) {
            Activation.Elementwise f = (Activation.Elementwise) TestNets.activation(name);
            Matrix z = TestNets.randomMatrix(r, 3, 17, 3.0);
            Matrix h = Matrix.zeros(3, 17);
            f.forward(z, h, Kernels.get());
            for (int i = 0; i < z.size(); i++) {
                float zi = z.data()[i];
                assertTrue(Math.abs(h.data()[i] - f.apply(zi)) <= 2e-6 * Math.max(1, Math.abs(zi)), name + " at " + zi);
                double ref = DoubleReference.df(name, TestNets.ALPHA, zi);
                assertTrue(Math.abs(f.derivative(zi, h.data()[i]) - ref) <= 1e-5 * Math.max(1, Math.abs(ref)), name + "' at " + zi);
            }
        }
    }

}

package io.vecnn.layers;

import io.vecnn.api.GradientCheck;
import io.vecnn.api.Loss;
import io.vecnn.api.Matrix;
import io.vecnn.api.Model;
import io.vecnn.kernels.Kernels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The losses ported from PyTorch through the {@link Loss} interface: values against PyTorch's
 * definitions written out in double, gradient checks through a model at batch 1 and 4, names that
 * round-trip, and the scale change of {@code "mse"}.
 */
class PyTorchLossesTest {
    private static final float[] WEIGHTS = {0.5f, 2f, 1f, 0.25f, 3f};

    static List<Loss> losses() {
        return List.of(Losses.meanSquaredError(), Losses.l1(), Losses.huber(1f), Losses.huber(0.3f),
                Losses.crossEntropy(null, 0.1f), Losses.crossEntropy(WEIGHTS, 0f), Losses.crossEntropy(WEIGHTS, 0.2f));
    }

    private static boolean classification(Loss l) {
        return l.name().startsWith("cross-entropy");
    }

    /** PyTorch's value for the loss, in double, from its documentation's formula. */
    private static double torch(Loss l, Matrix a, Matrix y) {
        int rows = a.rows(), cols = a.cols();
        String n = l.name();
        if (!classification(l)) {
            double delta = n.equals("huber") ? 1 : n.startsWith("huber") ? 0.3f : 0;
            double sum = 0;
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    double d = (double) a.get(i, j) - y.get(i, j);
                    sum += switch (n) {
                        case "mse" -> d * d;
                        case "l1" -> Math.abs(d);
                        default -> Math.abs(d) < delta ? 0.5 * d * d : delta * (Math.abs(d) - 0.5 * delta);
                    };
                }
            }
            return sum / (rows * cols);
        }
        boolean weighted = n.contains("weight");
        double eps = n.contains("label_smoothing=0.1") ? 0.1f : n.contains("label_smoothing=0.2") ? 0.2f : 0;
        double num = 0, den = 0;
        for (int i = 0; i < rows; i++) {
            int c = 0;
            double max = Double.NEGATIVE_INFINITY, s = 0;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, a.get(i, j));
                if (y.get(i, j) == 1f) {
                    c = j;
                }
            }
            for (int j = 0; j < cols; j++) {
                s += Math.exp(a.get(i, j) - max);
            }
            double lse = max + Math.log(s);
            double wc = weighted ? WEIGHTS[c] : 1;
            num += (1 - eps) * wc * (lse - a.get(i, c));
            for (int j = 0; j < cols; j++) {
                num += eps / cols * (weighted ? WEIGHTS[j] : 1) * (lse - a.get(i, j));
            }
            den += wc;
        }
        return num / den;
    }

    private static Matrix targets(Random r, Loss l, int rows, int cols) {
        return TestNets.targets(r, classification(l) ? "softmax-ce" : "quadratic", rows, cols);
    }

    @Test
    void valuesAreThoseOfPyTorchsDefinitions() {
        Random r = new Random(12);
        for (Loss l : losses()) {
            for (int rows : new int[]{1, 3, 4, 7}) {
                Matrix a = TestNets.randomMatrix(r, rows, 5, 2.0);
                Matrix y = targets(r, l, rows, 5);
                double exact = torch(l, a, y);
                for (Kernels k : List.of(Kernels.scalar(), Kernels.get())) {
                    assertEquals(exact, l.compute(a, y, null, k), 1e-6 * (1 + exact), l.name() + " " + rows + " " + k.name());
                }
            }
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Loss l : losses()) {
            for (int batch : new int[]{1, 4}) {
                out.add(Arguments.of(l, batch));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}, batch {1}")
    @MethodSource("cases")
    void gradientCheckThroughAModel(Loss loss, int batch) {
        Random r = new Random(31L * loss.name().hashCode() + batch);
        Model model = Model.builder(4).add(Dense.of(6, Activations.tanh())).add(Dense.of(5)).seed(r.nextLong()).build();
        Matrix x = TestNets.randomMatrix(r, batch, 4, 1.0);
        Matrix y = targets(r, loss, batch, 5);
        GradientCheck check = new GradientCheck();
        if (loss.name().equals("l1")) {
            check.epsilon(1e-3); // keep a ± ε from crossing |d|'s kink at 0, as for ReLU
        }
        GradientCheck.Result result = check.check(model, loss, x, y);
        assertTrue(result.passed(), result.toString());
        assertEquals(model.parameterCount(), result.checked());
    }

    @Test
    void namesRoundTrip() {
        for (Loss l : losses()) {
            Loss back = Losses.named(l.name());
            assertEquals(l.name(), back.name());
            Random r = new Random(1);
            Matrix a = TestNets.randomMatrix(r, 3, 5, 1.0);
            Matrix y = targets(r, l, 3, 5);
            assertEquals(l.compute(a, y, null), back.compute(a, y, null), 0.0, l.name());
        }
        assertSame(Losses.softmaxCrossEntropy(), Losses.crossEntropy(null, 0f));
        assertEquals("cross-entropy(weight=[0.5, 2.0, 1.0, 0.25, 3.0], label_smoothing=0.2)",
                Losses.crossEntropy(WEIGHTS, 0.2f).name());
        assertEquals("huber(delta=0.3)", Losses.named("Huber(delta = 0.3)").name());
    }

    /** "mse" used to be the quadratic cost; it is now PyTorch's, n/2 times smaller for n outputs. */
    @Test
    void mseIsPyTorchsAndQuadraticKeepsTheOldScale() {
        Random r = new Random(2);
        Matrix a = TestNets.randomMatrix(r, 4, 6, 1.0), y = TestNets.randomMatrix(r, 4, 6, 1.0);
        assertEquals("mse", Losses.named("mse").name());
        assertSame(Losses.quadratic(), Losses.named("quadratic"));
        double q = Losses.quadratic().compute(a, y, null), m = Losses.named("mse").compute(a, y, null);
        assertEquals(q, m * 6 / 2, 1e-9 * q);
    }

    @Test
    void badParametersAndTargetsAreNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Losses.huber(0f)).getMessage().contains("delta"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(new float[]{1, Float.NaN}, 0f))
                .getMessage().contains("class 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(null, -0.1f))
                .getMessage().contains("label smoothing"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Losses.named("huber(alpha=2)"))
                .getMessage().contains("delta"));
        Loss weighted = Losses.crossEntropy(WEIGHTS, 0f);
        Matrix soft = Matrix.zeros(2, 5);
        soft.set(0, 0, 1f);
        soft.set(1, 1, 0.5f);
        soft.set(1, 2, 0.5f);
        String m = assertThrows(IllegalArgumentException.class,
                () -> weighted.compute(Matrix.zeros(2, 5), soft, null)).getMessage();
        assertTrue(m.contains("row 1") && m.contains("one-hot"), m);
        Matrix three = Matrix.zeros(1, 3);
        three.set(0, 0, 1f);
        m = assertThrows(IllegalArgumentException.class, () -> weighted.compute(Matrix.zeros(1, 3), three, null)).getMessage();
        assertTrue(m.contains("5 classes"), m);
    }
}

package io.vecnn.kernels;

import io.vecnn.kernels.internal.ScalarKernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fused activation kernels. The reference's derivatives are checked against central finite
 * differences of its own f; the vector kernels are held to the reference.
 */
class ElementwiseKernelsTest {
    static final int[] LENGTHS = {1, 2, 7, 8, 9, 15, 16, 17, 33, 1000, 4099};
    static final float ALPHA = 0.1f;

    static float[] random(SplittableRandom r, int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return x;
    }

    static void assertClose(String what, float[] expected, float[] actual, double rel, double abs) {
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            if (Double.isNaN(e) && Double.isNaN(a)) {
                continue;
            }
            if (!(Math.abs(e - a) <= rel * Math.abs(e) + abs)) {
                fail(what + "[" + i + "]: expected " + e + ", got " + a);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ActivationKind.class)
    void referenceDerivativeMatchesFiniteDifferencesOfF(ActivationKind f) {
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 2000; i++) {
            double z = (r.nextDouble() * 2 - 1) * 6;
            if (Math.abs(z) < 1e-3) {
                continue; // ReLU-like kinks
            }
            double h = 1e-3;
            double fd = (fd(f, z + h) - fd(f, z - h)) / (2 * h);
            float saved = f.derivativeFromOutput() ? ScalarKernels.activate(f, ALPHA, (float) z) : (float) z;
            float analytic = ScalarKernels.derivative(f, ALPHA, saved);
            // float rounding of z and of h = f(z), and the O(h²) truncation of the difference
            assertEquals(fd, analytic, 2e-5 + 2e-6 * Math.abs(fd), f + " at z=" + z);
        }
    }

    /** f evaluated in double via the float reference at exactly-representable points. */
    private static double fd(ActivationKind f, double z) {
        return switch (f) {
            case IDENTITY -> z;
            case SIGMOID -> 1 / (1 + Math.exp(-z));
            case TANH -> Math.tanh(z);
            case RELU -> Math.max(z, 0);
            case LEAKY_RELU -> z > 0 ? z : ALPHA * z;
            case ELU -> z > 0 ? z : ALPHA * Math.expm1(z);
            case GELU -> 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z * z * z)));
            case GELU_ERF -> z * normalCdfByIntegration(z);
            case SOFTPLUS -> Math.log1p(Math.exp(z));
            case SILU -> z / (1 + Math.exp(-z));
        };
    }

    /** Φ(z) = ½ + ∫₀^z φ(t) dt by Simpson's rule over 4,000 intervals: independent of the kernels' erfc. */
    static double normalCdfByIntegration(double z) {
        int n = 4000;
        double h = z / n, sum = 0;
        for (int i = 0; i <= n; i++) {
            double t = i * h;
            double w = i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2;
            sum += w * Math.exp(-0.5 * t * t);
        }
        return 0.5 + sum * h / 3 / Math.sqrt(2 * Math.PI);
    }

    @Test
    void referenceErfcAgreesWithIntegrationAndKnownValues() {
        for (double z = -8; z <= 8; z += 0.0625) {
            double phi = normalCdfByIntegration(z);
            double ref = ScalarKernels.normalCdf(z);
            // relative where Φ is small (the integral cancels to 1e−16 absolute there)
            assertEquals(phi, ref, 1e-13 + 1e-9 * phi, "Φ(" + z + ")");
        }
        // erfc at tabulated points (Abramowitz & Stegun, table 7.1, and erfc 5 = 1.5375e−12)
        assertEquals(0.157299207050285, ScalarKernels.erfc(1.0), 1e-14);
        assertEquals(1.842700792949715, ScalarKernels.erfc(-1.0), 1e-14);
        assertEquals(0.004677734981047266, ScalarKernels.erfc(2.0), 1e-16);
        assertEquals(1.5374597944280349e-12, ScalarKernels.erfc(5.0), 1e-24);
        assertEquals(1.0, ScalarKernels.erfc(0.0), 0.0);
        assertEquals(0.0, ScalarKernels.erfc(Double.POSITIVE_INFINITY), 0.0);
        assertEquals(2.0, ScalarKernels.erfc(Double.NEGATIVE_INFINITY), 0.0);
        assertTrue(Double.isNaN(ScalarKernels.erfc(Double.NaN)));
    }

    @Test
    void referenceValuesAtKnownPoints() {
        assertEquals(0f, ScalarKernels.activate(ActivationKind.GELU_ERF, 0, 0f));
        assertEquals((float) (1.0 * 0.841344746068543), ScalarKernels.activate(ActivationKind.GELU_ERF, 0, 1f)); // Φ(1)
        assertEquals(0.5f, ScalarKernels.derivative(ActivationKind.GELU_ERF, 0, 0f));
        assertEquals(0.5f, ScalarKernels.activate(ActivationKind.SIGMOID, 0, 0f));
        assertEquals(0f, ScalarKernels.activate(ActivationKind.TANH, 0, 0f));
        assertEquals((float) Math.log(2), ScalarKernels.activate(ActivationKind.SOFTPLUS, 0, 0f));
        assertEquals(-0.2f, ScalarKernels.activate(ActivationKind.LEAKY_RELU, 0.1f, -2f));
        assertEquals((float) (0.1f * Math.expm1(-2)), ScalarKernels.activate(ActivationKind.ELU, 0.1f, -2f));
        assertEquals(0.5f, ScalarKernels.derivative(ActivationKind.SILU, 0, 0f));
        assertEquals(0.5f, ScalarKernels.derivative(ActivationKind.GELU, 0, 0f));
        assertEquals(0.25f, ScalarKernels.derivative(ActivationKind.SIGMOID, 0, 0.5f));
    }

    @ParameterizedTest
    @EnumSource(ActivationKind.class)
    void biasActivationMatchesReference(ActivationKind f) {
        SplittableRandom r = new SplittableRandom(f.ordinal());
        for (int cols : LENGTHS) {
            int rows = 3, ldz = cols + 1, ldh = cols + 2;
            float[] z0 = random(r, rows * ldz, 8);
            float[] bias = random(r, cols, 1);
            float[] zRef = z0.clone(), hRef = new float[rows * ldh];
            Kernels.scalar().biasActivation(f, ALPHA, rows, cols, zRef, 0, ldz, bias, 0, hRef, 0, ldh);
            float[] z = z0.clone(), h = new float[rows * ldh];
            Kernels.vector().biasActivation(f, ALPHA, rows, cols, z, 0, ldz, bias, 0, h, 0, ldh);
            assertArrayEquals(zRef, z, f + ": z + b");
            // Float evaluation against the double-evaluated reference: a few ulps relative, and an
            // absolute 1e-6 (≈ 8 ulps of 1) where GELU / SiLU / ELU cancel near 1 + tanh ≈ 0.
            assertClose(f + " h, cols=" + cols, hRef, h, 4e-6, 1e-6);
            // in place: h is z
            float[] zh = z0.clone();
            Kernels.vector().biasActivation(f, ALPHA, rows, cols, zh, 0, ldz, bias, 0, zh, 0, ldz);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    assertEquals(h[i * ldh + j], zh[i * ldz + j], f + " in place");
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ActivationKind.class)
    void activationBackwardMatchesReference(ActivationKind f) {
        SplittableRandom r = new SplittableRandom(100 + f.ordinal());
        for (int n : LENGTHS) {
            float[] z = random(r, n, 8);
            float[] saved = z.clone();
            if (f.derivativeFromOutput()) {
                Kernels.scalar().biasActivation(f, ALPHA, 1, n, z.clone(), 0, n, null, 0, saved, 0, n);
            }
            float[] g = random(r, n, 2);
            float[] ref = new float[n];
            Kernels.scalar().activationBackward(f, ALPHA, n, g, 0, saved, 0, ref, 0);
            float[] delta = new float[n];
            Kernels.vector().activationBackward(f, ALPHA, n, g, 0, saved, 0, delta, 0);
            assertClose(f + " delta, n=" + n, ref, delta, 4e-6, 1e-6);
            float[] inPlace = g.clone();
            Kernels.vector().activationBackward(f, ALPHA, n, inPlace, 0, saved, 0, inPlace, 0);
            assertArrayEquals(delta, inPlace, f + " in place");
        }
    }

    @ParameterizedTest
    @EnumSource(ActivationKind.class)
    void hugeInputsGiveFiniteResults(ActivationKind f) {
        float[] z = {1e4f, -1e4f, 1e30f, -1e30f, 3e38f, -3e38f, 0f, -0f};
        for (Kernels k : Implementations.all()) {
            float[] h = new float[z.length];
            k.biasActivation(f, ALPHA, 1, z.length, z.clone(), 0, z.length, null, 0, h, 0, z.length);
            float[] saved = f.derivativeFromOutput() ? h : z;
            float[] delta = new float[z.length];
            float[] g = {1, 1, 1, 1, 1, 1, 1, 1};
            k.activationBackward(f, ALPHA, z.length, g, 0, saved, 0, delta, 0);
            for (int i = 0; i < z.length; i++) {
                if (f == ActivationKind.SIGMOID || f == ActivationKind.TANH) { // the bounded kinds
                    assertTrue(Math.abs(h[i]) <= 1, k + " " + f + " f(" + z[i] + ") = " + h[i]);
                }
                assertTrue(Float.isFinite(h[i]), k + " " + f + " f(" + z[i] + ") = " + h[i]);
                assertTrue(Float.isFinite(delta[i]), k + " " + f + " f'(" + z[i] + ") = " + delta[i]);
            }
        }
    }

    @Test
    void sumOfSquaresMatchesADoubleSumWithinItsErrorBound() {
        SplittableRandom r = new SplittableRandom(5);
        for (int n : new int[] {0, 1, 7, 8, 9, 31, 32, 33, 63, 1000, 200_704}) {
            float[] x = random(r, n + 3, 2);
            double exact = 0;
            for (int i = 0; i < n; i++) {
                exact += (double) x[3 + i] * x[3 + i];
            }
            // float lanes: each lane adds about n/8 terms, then 8 lanes are summed: error ≲ (n/8 + 8)·2⁻²⁴·Σ
            double bound = (n / 8.0 + 8) * 0x1p-24 * exact + 1e-30;
            for (Kernels k : Implementations.all()) {
                double got = k.sumOfSquares(n, x, 3);
                assertTrue(Math.abs(got - exact) <= bound, k + " n=" + n + ": " + got + " vs " + exact + " (bound " + bound + ")");
            }
        }
        float[] bad = new float[100];
        bad[97] = Float.NaN;
        float[] inf = new float[100];
        inf[3] = Float.NEGATIVE_INFINITY;
        for (Kernels k : Implementations.all()) {
            assertTrue(Double.isNaN(k.sumOfSquares(100, bad, 0)), k + ": NaN in the tail");
            assertEquals(Double.POSITIVE_INFINITY, k.sumOfSquares(100, inf, 0), k + ": -inf in the body");
        }
    }

    @Test
    void nanPropagatesThroughActivations() {
        for (ActivationKind f : ActivationKind.values()) {
            for (Kernels k : Implementations.all()) {
                float[] z = {Float.NaN, 1f, Float.NaN, 2f, 3f, 4f, 5f, 6f, Float.NaN};
                float[] h = new float[z.length];
                k.biasActivation(f, ALPHA, 1, z.length, z, 0, z.length, null, 0, h, 0, z.length);
                assertTrue(Float.isNaN(h[0]) && Float.isNaN(h[2]) && Float.isNaN(h[8]), k + " " + f);
                assertTrue(Float.isFinite(h[1]), k + " " + f);
            }
        }
    }
}

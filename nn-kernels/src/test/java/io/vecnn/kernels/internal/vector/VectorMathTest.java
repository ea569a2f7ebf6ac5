package io.vecnn.kernels.internal.vector;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Accuracy of VectorMath against {@code Math} in double precision, over a dense sample of every float
 * in each function's range, and bit-identity of its results between the interpreter, C1 and C2.
 */
class VectorMathTest {
    private static final int L = VectorGemm.L;

    /** Every {@code stride}-th float (by bit pattern) in [lo, hi], both signs as the range needs. */
    static float[] floatsIn(float lo, float hi, int stride) {
        List<Float> xs = new ArrayList<>();
        for (float start : new float[]{lo, 0f}) {
            float end = start == lo ? Math.min(hi, -0f) : hi;
            if (start > end) {
                continue;
            }
            // walk |x| by bit pattern from the smallest magnitude to the largest in this half
            float a = Math.min(Math.abs(start), Math.abs(end)), b = Math.max(Math.abs(start), Math.abs(end));
            float sign = start < 0 || end < 0 ? -1f : 1f;
            for (int bits = Float.floatToRawIntBits(a); bits <= Float.floatToRawIntBits(b); bits += stride) {
                xs.add(sign * Float.intBitsToFloat(bits));
            }
        }
        float[] out = new float[(xs.size() + L - 1) / L * L];
        for (int i = 0; i < out.length; i++) {
            out[i] = xs.get(Math.min(i, xs.size() - 1));
        }
        return out;
    }

    static float[] apply(UnaryOperator<FloatVector> f, float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i += L) {
            f.apply(FloatVector.fromArray(VectorGemm.S, x, i)).intoArray(y, i);
        }
        return y;
    }

    /** The largest error in ulps of the correctly rounded result, where that result is a normal float. */
    static double maxUlps(float[] x, float[] y, DoubleUnaryOperator exact) {
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            double e = exact.applyAsDouble(x[i]);
            float rounded = (float) e;
            if (Math.abs(rounded) < Float.MIN_NORMAL || Float.isInfinite(rounded)) {
                continue;
            }
            double ulps = Math.abs(y[i] - e) / Math.ulp(rounded);
            if (!(ulps <= worst)) {
                worst = Double.isNaN(ulps) ? Double.POSITIVE_INFINITY : ulps;
            }
        }
        return worst;
    }

    @Test
    void expIsWithinOneUlpOverItsRange() { // 0.998 measured over 23 million samples
        float[] x = floatsIn(-87.3f, 87.3f, 97);
        double ulps = maxUlps(x, apply(VectorMath::exp, x), Math::exp);
        assertTrue(ulps <= 1.0, "exp: " + ulps + " ulps");
    }

    @Test
    void expm1HasNoCancellationNearZero() {
        float[] x = floatsIn(-87.3f, 87.3f, 97);
        double ulps = maxUlps(x, apply(VectorMath::expm1, x), Math::expm1);
        assertTrue(ulps <= 3.0, "expm1: " + ulps + " ulps"); // 2.4 measured: (2^n − 1) + 2^n·m cancels a little for n = −1
    }

    @Test
    void tanhIsWithinAFewUlpsIncludingNearZero() {
        float[] x = floatsIn(-20f, 20f, 97);
        double ulps = maxUlps(x, apply(VectorMath::tanh, x), Math::tanh);
        assertTrue(ulps <= 3.0, "tanh: " + ulps + " ulps"); // 2.83 measured
    }

    /** The exact GELU z·Φ(z) against the double reference, over every 97th float in [−12, 12]. */
    @Test
    void geluErfIsWithinEightUlps() {
        float[] x = floatsIn(-12f, 12f, 97);
        float[] y = apply(VectorMath::geluErf, x); // method references: a lambda over FloatVector breaks discovery without the module
        double ulps = maxUlps(x, y, z -> z * io.vecnn.kernels.internal.ScalarKernels.normalCdf(z));
        assertTrue(ulps <= 8.0, "gelu_erf: " + ulps + " ulps");
        float[] d = apply(VectorMath::normalCdf, x);
        double cdf = maxUlps(x, d, io.vecnn.kernels.internal.ScalarKernels::normalCdf);
        assertTrue(cdf <= 8.0, "Φ: " + cdf + " ulps");
        System.out.printf("gelu_erf max %.2f ulps, Φ max %.2f ulps over [−12, 12]%n", ulps, cdf);
    }

    @Test
    void specialValuesAndTheClamp() {
        float[] x = new float[L];
        float[] in = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 200f, -200f, 87.3f};
        System.arraycopy(in, 0, x, 0, Math.min(in.length, L));
        float[] e = apply(VectorMath::exp, x);
        float[] t = apply(VectorMath::tanh, x);
        assertTrue(Float.isNaN(e[0]) && Float.isNaN(t[0]));
        if (L >= 8) {
            float max = (float) Math.exp(87.3f), min = (float) Math.exp(-87.3f);
            assertEquals(max, e[1], Math.ulp(max));
            assertEquals(min, e[2], Math.ulp(min));
            assertTrue(min >= Float.MIN_NORMAL, "the clamp keeps e^x and 1/(1 + e^x) normal");
            assertTrue(1f / (1f + max) >= Float.MIN_NORMAL);
            assertEquals(1f, e[3]);
            assertEquals(1f, e[4]);
            assertEquals(max, e[5], Math.ulp(max));
            assertEquals(1f, t[1]);
            assertEquals(-1f, t[2]);
            assertEquals(0f, t[3]);
            assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(t[4]), "tanh(−0) = −0");
        }
    }

    /**
     * The same inputs in three fresh JVMs: interpreter only, C1 only, C2 only (no tiers, compiled in
     * the foreground before the measured pass). Every function's output bits must agree.
     */
    @Test
    void resultsAreBitIdenticalInTheInterpreterC1AndC2() throws IOException, InterruptedException {
        String interpreter = child("-Xint");
        String c1 = child("-XX:TieredStopAtLevel=1", "-Xbatch");
        String c2 = child("-XX:-TieredCompilation", "-Xbatch");
        assertTrue(interpreter.contains("exp "), interpreter);
        assertEquals(interpreter, c1, "C1 differs from the interpreter");
        assertEquals(interpreter, c2, "C2 differs from the interpreter");
    }

    private static String child(String... jitOptions) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector"));
        cmd.addAll(List.of(jitOptions));
        cmd.addAll(List.of("-cp", io.vecnn.kernels.ChildJvm.classPath(VectorMathBits.class), VectorMathBits.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM timed out: " + cmd);
        assertEquals(0, p.exitValue(), out);
        return out.lines().filter(l -> !l.startsWith("WARNING")).reduce("", (a, b) -> a + b + "\n");
    }
}

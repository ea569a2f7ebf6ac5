package io.vecnn.bench;

import io.vecnn.kernels.Kernels;

import java.util.SplittableRandom;

/**
 * The check each benchmark makes in its setup: the kernel under test against the scalar
 * reference, so that a fast wrong kernel fails loudly instead of reporting a good number.
 */
public final class ReferenceCheck {
    private ReferenceCheck() {
    }

    public static float[] random(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return x;
    }

    /**
     * Checks C = op(A)·op(B) (α = 1, β = 0) as computed by the benchmarked kernel. Small shapes
     * are compared with the scalar reference in full; large ones at 4,096 sampled entries against
     * double-precision dot products. The tolerance is the forward-error bound γ_k·Σ|a||b| (plus
     * the reference's own float error when comparing two float results).
     */
    public static void gemm(String what, GemmShape s, float[] a, float[] b, float[] c) {
        boolean full = (double) s.m() * s.n() * s.k() <= 256.0 * 256 * 256;
        float[] ref = null;
        if (full) {
            ref = new float[s.m() * s.n()];
            Kernels.scalar().gemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), 1f, a, 0, s.lda(), b, 0, s.ldb(),
                    0f, ref, 0, s.n());
        }
        double u = Math.ulp(1f) / 2;
        double gamma = (s.k() + 1) * u / (1 - (s.k() + 1) * u);
        SplittableRandom r = new SplittableRandom(42);
        int samples = full ? s.m() * s.n() : 4096;
        for (int t = 0; t < samples; t++) {
            int idx = full ? t : r.nextInt(s.m() * s.n());
            int i = idx / s.n(), j = idx % s.n();
            double exact = 0, abs = 0;
            for (int p = 0; p < s.k(); p++) {
                double x = s.transA().transposed() ? a[p * s.lda() + i] : a[i * s.lda() + p];
                double y = s.transB().transposed() ? b[j * s.ldb() + p] : b[p * s.ldb() + j];
                exact += x * y;
                abs += Math.abs(x * y);
            }
            double expected = full ? ref[idx] : exact;
            double tol = (full ? 2 : 1) * gamma * abs + 1e-30;
            if (!(Math.abs(c[idx] - expected) <= tol)) {
                throw new IllegalStateException(what + " " + s + ": C(" + i + "," + j + ") = " + c[idx]
                        + " but the reference gives " + expected + " (tolerance " + tol + "): wrong kernel, not benchmarking it");
            }
        }
    }

    /** Element-wise results against the reference's, within {@code rel}·|x| + {@code abs}. */
    public static void close(String what, float[] expected, float[] actual, double rel, double abs) {
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], x = actual[i];
            if (!(Math.abs(e - x) <= rel * Math.abs(e) + abs) && !(Double.isNaN(e) && Double.isNaN(x))) {
                throw new IllegalStateException(what + ": element " + i + " = " + x + " but the reference gives "
                        + e + ": wrong kernel, not benchmarking it");
            }
        }
    }
}

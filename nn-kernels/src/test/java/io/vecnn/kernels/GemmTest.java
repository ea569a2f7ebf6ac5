package io.vecnn.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

import static io.vecnn.kernels.Implementations.gamma;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every implementation against a double-accumulated reference. The tolerance for C(i, j) is the
 * forward-error bound of a length-k float dot product followed by the α and β operations:
 * γ_(k+3) · (|α| Σₚ |a_ip b_pj| + |β c_ij|), not a loose constant.
 */
class GemmTest {
    static final float[] ALPHAS = {0f, 1f, 0.7f, -1f};
    static final float[] BETAS = {0f, 1f, 1.3f};
    static final Transpose[] OPS = Transpose.values();

    /** A test case: shape, transposes, scalars and extra padding of each leading dimension. */
    record Case(int m, int n, int k, Transpose ta, Transpose tb, float alpha, float beta, int padA, int padB, int padC) {
        @Override
        public String toString() {
            return m + "x" + n + "x" + k + " " + ta + tb + " alpha=" + alpha + " beta=" + beta
                    + " pad=" + padA + "/" + padB + "/" + padC;
        }
    }

    static List<Case> edgeShapes() {
        int[] small = {0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33};
        List<Case> cases = new ArrayList<>();
        int idx = 0;
        for (int m : small) {
            for (int n : small) {
                for (int k : small) {
                    // cycle through every transpose / alpha / beta combination across the set
                    Transpose ta = OPS[idx % 2];
                    Transpose tb = OPS[(idx / 2) % 2];
                    float alpha = ALPHAS[(idx / 4) % ALPHAS.length];
                    float beta = BETAS[(idx / 3) % BETAS.length];
                    cases.add(new Case(m, n, k, ta, tb, alpha, beta, idx % 3, (idx / 3) % 2, idx % 5 == 0 ? 3 : 0));
                    idx++;
                }
            }
        }
        return cases;
    }

    /** Sizes at and around the micro-tile and the cache blocks, in each dimension in turn. */
    static List<Case> blockBoundaryShapes() {
        TreeSet<Integer> boundary = new TreeSet<>();
        // tile rows (4 on AVX2, 12 on AVX-512), vector lengths and transpose blocks (8, 16), NR (16, 32),
        // MC (240 on AVX2), KC (256) and the AVX-512 B block (512 columns)
        for (int b : new int[]{4, 8, 12, 16, 32, 240, 256, 512}) {
            boundary.add(b - 1);
            boundary.add(b);
            boundary.add(b + 1);
        }
        List<Case> cases = new ArrayList<>();
        int idx = 0;
        for (int v : boundary) {
            for (int others : new int[]{1, 7, 33}) {
                for (int dim = 0; dim < 3; dim++) {
                    int m = dim == 0 ? v : others;
                    int n = dim == 1 ? v : others;
                    int k = dim == 2 ? v : others;
                    for (Transpose ta : OPS) {
                        for (Transpose tb : OPS) {
                            cases.add(new Case(m, n, k, ta, tb, ALPHAS[idx % 4], BETAS[idx % 3], idx % 2, 0, 1));
                            idx++;
                        }
                    }
                }
            }
        }
        // NC boundary on AVX2 (4096 columns) and the AVX-512 A block (6144 rows) with small other dimensions
        for (int n : new int[]{4095, 4096, 4097}) {
            cases.add(new Case(5, n, 9, Transpose.N, Transpose.N, 1f, 1f, 0, 0, 0));
            cases.add(new Case(3, n, 17, Transpose.T, Transpose.T, 0.7f, 0f, 1, 2, 3));
        }
        for (int m : new int[]{6143, 6144, 6145}) {
            cases.add(new Case(m, 5, 9, Transpose.N, Transpose.N, 1f, 1f, 0, 0, 0));
            cases.add(new Case(m, 33, 17, Transpose.T, Transpose.T, 0.7f, 0f, 1, 2, 3));
        }
        return cases;
    }

    static List<Case> randomShapes() {
        SplittableRandom r = new SplittableRandom(20261123);
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            cases.add(new Case(1 + r.nextInt(300), 1 + r.nextInt(300), 1 + r.nextInt(300),
                    OPS[r.nextInt(2)], OPS[r.nextInt(2)], ALPHAS[r.nextInt(4)], BETAS[r.nextInt(3)],
                    r.nextInt(3), r.nextInt(3), r.nextInt(3)));
        }
        return cases;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("edgeShapes")
    void edgeShapesMatchReference(Case c) {
        check(c, 1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("blockBoundaryShapes")
    void blockBoundaryShapesMatchReference(Case c) {
        check(c, 2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("randomShapes")
    void randomShapesMatchReference(Case c) {
        check(c, 3);
    }

    /** Padded operands: the padding (and everything around C) is NaN and must stay untouched. */
    static void check(Case cs, long seed) {
        SplittableRandom r = new SplittableRandom(seed * 1_000_003L + cs.hashCode());
        int aRows = cs.ta.transposed() ? cs.k : cs.m;
        int aCols = cs.ta.transposed() ? cs.m : cs.k;
        int bRows = cs.tb.transposed() ? cs.n : cs.k;
        int bCols = cs.tb.transposed() ? cs.k : cs.n;
        int lda = Math.max(1, aCols) + cs.padA;
        int ldb = Math.max(1, bCols) + cs.padB;
        int ldc = Math.max(1, cs.n) + cs.padC;
        int aOff = 3, bOff = 1, cOff = 2;
        float[] a = padded(r, aOff, aRows, aCols, lda);
        float[] b = padded(r, bOff, bRows, bCols, ldb);
        float[] c0 = padded(r, cOff, cs.m, cs.n, ldc);
        if (cs.beta == 0) {
            // β = 0: whatever C holds must not leak through
            for (int i = 0; i < cs.m; i++) {
                for (int j = 0; j < cs.n; j++) {
                    c0[cOff + i * ldc + j] = (i + j) % 2 == 0 ? Float.NaN : Float.POSITIVE_INFINITY;
                }
            }
        }
        double[] exact = new double[cs.m * cs.n];
        double[] bound = new double[cs.m * cs.n];
        for (int i = 0; i < cs.m; i++) {
            for (int j = 0; j < cs.n; j++) {
                double s = 0, abs = 0;
                if (cs.alpha != 0) {
                    for (int p = 0; p < cs.k; p++) {
                        double x = cs.ta.transposed() ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                        double y = cs.tb.transposed() ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                        s += x * y;
                        abs += Math.abs(x * y);
                    }
                }
                double cij = cs.beta == 0 ? 0 : c0[cOff + i * ldc + j];
                exact[i * cs.n + j] = cs.alpha * s + cs.beta * cij;
                bound[i * cs.n + j] = gamma(cs.k + 3) * (Math.abs(cs.alpha) * abs + Math.abs(cs.beta * cij)) + 1e-30;
            }
        }
        for (Kernels kernels : Implementations.all()) {
            float[] c = c0.clone();
            kernels.gemm(cs.ta, cs.tb, cs.m, cs.n, cs.k, cs.alpha, a, aOff, lda, b, bOff, ldb, cs.beta, c, cOff, ldc);
            for (int idx = 0; idx < c.length; idx++) {
                int rel = idx - cOff;
                int i = rel >= 0 ? rel / ldc : -1;
                int j = rel >= 0 ? rel % ldc : -1;
                boolean inside = i >= 0 && i < cs.m && j < cs.n;
                if (!inside) {
                    if (Float.floatToRawIntBits(c[idx]) != Float.floatToRawIntBits(c0[idx])) {
                        fail(kernels + " " + cs + ": wrote outside C at index " + idx);
                    }
                    continue;
                }
                double e = exact[i * cs.n + j];
                double err = Math.abs(c[idx] - e);
                if (!(err <= bound[i * cs.n + j])) {
                    fail(kernels + " " + cs + ": C(" + i + "," + j + ") = " + c[idx] + ", exact " + e
                            + ", error " + err + " > bound " + bound[i * cs.n + j]);
                }
            }
        }
    }

    /** Random values in [−1, 1) inside the matrix, NaN in the padding and around it. */
    static float[] padded(SplittableRandom r, int off, int rows, int cols, int ld) {
        int len = off + Math.max(0, rows) * ld + 2;
        float[] x = new float[len];
        Arrays.fill(x, Float.NaN);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                x[off + i * ld + j] = (float) (r.nextDouble() * 2 - 1);
            }
        }
        return x;
    }

    @Test
    void resultsAreBitIdenticalWhateverTheThreadCount() {
        SplittableRandom r = new SplittableRandom(7);
        int[][] shapes = {{300, 257, 511}, {33, 1000, 300}, {1000, 40, 129}, {512, 512, 512}, {128, 784, 256}};
        for (int[] s : shapes) {
            for (Transpose ta : OPS) {
                for (Transpose tb : OPS) {
                    int m = s[0], n = s[1], k = s[2];
                    float[] a = padded(r, 0, m, k, Math.max(m, k));
                    float[] b = padded(r, 0, k, n, Math.max(k, n));
                    int lda = ta.transposed() ? m : k;
                    int ldb = tb.transposed() ? k : n;
                    float[] c1 = padded(r, 0, m, n, n);
                    float[] c2 = c1.clone();
                    float[] c3 = c1.clone();
                    Kernels.vector().withThreads(1).gemm(ta, tb, m, n, k, 0.7f, a, 0, lda, b, 0, ldb, 1.3f, c1, 0, n);
                    Kernels.vector().withThreads(2).gemm(ta, tb, m, n, k, 0.7f, a, 0, lda, b, 0, ldb, 1.3f, c2, 0, n);
                    Kernels.vector().withThreads(3).gemm(ta, tb, m, n, k, 0.7f, a, 0, lda, b, 0, ldb, 1.3f, c3, 0, n);
                    assertArrayEquals(c1, c2, "2 threads, " + m + "x" + n + "x" + k + " " + ta + tb);
                    assertArrayEquals(c1, c3, "3 threads, " + m + "x" + n + "x" + k + " " + ta + tb);
                    if (m * n * k < 100_000_000) { // the scalar fallback on threads too (its loop runs at a few GFLOPS)
                        float[] s1 = c1.clone(), s2 = c1.clone();
                        Kernels.scalar().gemm(ta, tb, m, n, k, 0.7f, a, 0, lda, b, 0, ldb, 1.3f, s1, 0, n);
                        Kernels.scalar().withThreads(3).gemm(ta, tb, m, n, k, 0.7f, a, 0, lda, b, 0, ldb, 1.3f, s2, 0, n);
                        assertArrayEquals(s1, s2, "scalar, 3 threads, " + m + "x" + n + "x" + k + " " + ta + tb);
                    }
                }
            }
        }
    }

    @Test
    void alphaZeroReadsNeitherAnorB() {
        for (Kernels kernels : Implementations.all()) {
            float[] c = {1, 2, 3, 4};
            kernels.gemm(Transpose.N, Transpose.N, 2, 2, 3, 0f, null, 0, 3, null, 0, 2, 2f, c, 0, 2);
            assertArrayEquals(new float[]{2, 4, 6, 8}, c, kernels.name());
            float[] nanA = {Float.NaN, Float.NaN, Float.NaN, Float.NaN, Float.NaN, Float.NaN};
            float[] c2 = {Float.NaN, 1, 2, 3};
            kernels.gemm(Transpose.N, Transpose.N, 2, 2, 3, 0f, nanA, 0, 3, nanA, 0, 2, 0f, c2, 0, 2);
            assertArrayEquals(new float[4], c2, kernels.name());
        }
    }

    @Test
    void nanAndInfinityPropagateAsInTheReference() {
        SplittableRandom r = new SplittableRandom(11);
        int m = 9, n = 37, k = 21;
        float[] a = padded(r, 0, m, k, k);
        float[] b = padded(r, 0, k, n, n);
        a[2 * k + 5] = Float.NaN;                // row 2 of C becomes NaN
        a[6 * k + 1] = Float.POSITIVE_INFINITY;  // row 6: ±Inf (or NaN where signs meet)
        b[3 * n + 30] = Float.NEGATIVE_INFINITY; // column 30: ±Inf
        float[] c0 = padded(r, 0, m, n, n);
        c0[4 * n + 4] = Float.NaN;               // survives only when beta != 0
        for (float beta : new float[]{0f, 1f}) {
            float[] ref = c0.clone();
            Kernels.scalar().gemm(Transpose.N, Transpose.N, m, n, k, 1f, a, 0, k, b, 0, n, beta, ref, 0, n);
            assertTrue(Float.isNaN(ref[2 * n + 7]));
            assertEquals(beta == 0, !Float.isNaN(ref[4 * n + 4]));
            for (Kernels kernels : Implementations.all()) {
                float[] c = c0.clone();
                kernels.gemm(Transpose.N, Transpose.N, m, n, k, 1f, a, 0, k, b, 0, n, beta, c, 0, n);
                for (int i = 0; i < c.length; i++) {
                    boolean special = !Float.isFinite(ref[i]) || !Float.isFinite(c[i]);
                    if (special && Float.compare(ref[i], c[i]) != 0 && !(Float.isNaN(ref[i]) && Float.isNaN(c[i]))) {
                        fail(kernels + " beta=" + beta + ": C[" + i + "] = " + c[i] + ", reference " + ref[i]);
                    }
                }
            }
        }
    }

    @Test
    void outerProductAccumulationIsDeltaTransposeTimesA() {
        SplittableRandom r = new SplittableRandom(5);
        for (int batch : new int[]{1, 2, 7, 32, 129}) {
            int out = 37, in = 45;
            float[] delta = padded(r, 0, batch, out, out);
            float[] a = padded(r, 0, batch, in, in);
            float[] dw0 = padded(r, 0, out, in, in);
            for (Kernels kernels : Implementations.all()) {
                float[] dw = dw0.clone();
                kernels.accumulateOuterProducts(batch, out, in, delta, 0, out, a, 0, in, dw, 0, in);
                for (int i = 0; i < out; i++) {
                    for (int j = 0; j < in; j++) {
                        double s = dw0[i * in + j], abs = Math.abs(s);
                        for (int p = 0; p < batch; p++) {
                            s += (double) delta[p * out + i] * a[p * in + j];
                            abs += Math.abs((double) delta[p * out + i] * a[p * in + j]);
                        }
                        double err = Math.abs(dw[i * in + j] - s);
                        assertTrue(err <= gamma(batch + 3) * abs + 1e-30,
                                kernels + " batch " + batch + " dW(" + i + "," + j + ") error " + err);
                    }
                }
            }
        }
    }

    @Test
    void biasGradientIsTheColumnSumOfDelta() {
        SplittableRandom r = new SplittableRandom(6);
        for (int cols : new int[]{1, 7, 8, 10, 33, 256}) {
            int rows = 13, ld = cols + 2;
            float[] delta = padded(r, 1, rows, cols, ld);
            float[] db0 = padded(r, 0, 1, cols, cols);
            float[] expected = db0.clone();
            Kernels.scalar().accumulateBiasGradient(rows, cols, delta, 1, ld, expected, 0);
            for (int j = 0; j < cols; j++) {
                double s = db0[j];
                for (int i = 0; i < rows; i++) {
                    s += delta[1 + i * ld + j];
                }
                assertEquals(s, expected[j], gamma(rows + 1) * (Math.abs(s) + rows));
            }
            float[] db = db0.clone();
            Kernels.vector().accumulateBiasGradient(rows, cols, delta, 1, ld, db, 0);
            // same additions in the same order: bit-identical to the reference
            assertArrayEquals(expected, db);
        }
    }
}

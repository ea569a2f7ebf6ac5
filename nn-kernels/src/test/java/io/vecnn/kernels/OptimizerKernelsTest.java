package io.vecnn.kernels;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static io.vecnn.kernels.ElementwiseKernelsTest.assertClose;
import static io.vecnn.kernels.ElementwiseKernelsTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Optimizer update kernels: hand-computed steps, then vector against scalar over many steps. */
class OptimizerKernelsTest {
    static final int[] LENGTHS = {1, 7, 8, 9, 31, 1000, 4099};

    @Test
    void sgdWithMomentumByHand() {
        for (Kernels k : Implementations.all()) {
            float[] w = {1f}, v = {0.5f};
            k.sgd(1, w, 0, new float[]{2f}, 0, v, 0, 0.1f, 0.9f, 0.01f, false);
            // g' = 2 + 0.01·1 = 2.01; v = 0.9·0.5 + 2.01 = 2.46; w = 1 − 0.1·2.46
            assertEquals(2.46f, v[0], 1e-6);
            assertEquals(1 - 0.246f, w[0], 1e-6);
            float[] wn = {1f}, vn = {0.5f};
            k.sgd(1, wn, 0, new float[]{2f}, 0, vn, 0, 0.1f, 0.9f, 0f, true);
            // v = 0.45 + 2 = 2.45; step = 2 + 0.9·2.45 = 4.205
            assertEquals(1 - 0.4205f, wn[0], 1e-6);
            float[] plain = {1f};
            k.sgd(1, plain, 0, new float[]{2f}, 0, null, 0, 0.1f, 0f, 0f, false);
            assertEquals(0.8f, plain[0], 1e-7);
        }
    }

    @Test
    void adamFirstStepMovesEachWeightByTheLearningRate() {
        for (Kernels k : Implementations.all()) {
            float[] w = {1f, -1f, 0.5f}, g = {0.3f, -2f, 1e-3f};
            float[] m = new float[3], v = new float[3];
            k.adam(3, w, 0, g, 0, m, 0, v, 0, 0.01f, 0.9f, 0.999f, 1e-8f, 0f, false, 1);
            // bias-corrected m̂ = g, v̂ = g², so the step is lr·g/(|g| + eps) ≈ lr·sign(g)
            assertEquals(1f - 0.01f, w[0], 1e-6);
            assertEquals(-1f + 0.01f, w[1], 1e-6);
            assertEquals(0.5f - 0.01f * (1e-3f / (1e-3f + 1e-8f)), w[2], 1e-6);
            assertEquals(0.1f * 0.3f, m[0], 1e-7);
            assertEquals(0.001f * 4f, v[1], 1e-7);
            // AdamW: decoupled decay shrinks w before the step
            float[] wd = {1f};
            k.adam(1, wd, 0, new float[]{0.3f}, 0, new float[1], 0, new float[1], 0, 0.01f, 0.9f, 0.999f, 1e-8f,
                    0.1f, true, 1);
            assertEquals(1f * (1 - 0.001f) - 0.01f, wd[0], 1e-6);
        }
    }

    @Test
    void vectorMatchesReferenceOverManySteps() {
        SplittableRandom r = new SplittableRandom(12);
        for (int n : LENGTHS) {
            float[] w0 = random(r, n, 1);
            float[][] grads = new float[20][];
            for (int s = 0; s < grads.length; s++) {
                grads[s] = random(r, n, 1);
            }
            for (int variant = 0; variant < 8; variant++) {
                float[] ws = w0.clone(), wv = w0.clone();
                float[] s1 = new float[n], s2 = new float[n], v1 = new float[n], v2 = new float[n];
                for (int step = 1; step <= grads.length; step++) {
                    float[] g = grads[step - 1];
                    Kernels vec = Kernels.vector();
                    Kernels sca = Kernels.scalar();
                    switch (variant) {
                        case 0 -> {
                            sca.sgd(n, ws, 0, g, 0, s1, 0, 0.05f, 0.9f, 1e-4f, false);
                            vec.sgd(n, wv, 0, g, 0, s2, 0, 0.05f, 0.9f, 1e-4f, false);
                        }
                        case 1 -> {
                            sca.sgd(n, ws, 0, g, 0, s1, 0, 0.05f, 0.9f, 0f, true);
                            vec.sgd(n, wv, 0, g, 0, s2, 0, 0.05f, 0.9f, 0f, true);
                        }
                        case 2 -> {
                            sca.sgd(n, ws, 0, g, 0, null, 0, 0.05f, 0f, 0f, false);
                            vec.sgd(n, wv, 0, g, 0, null, 0, 0.05f, 0f, 0f, false);
                        }
                        case 3 -> {
                            sca.adam(n, ws, 0, g, 0, s1, 0, v1, 0, 1e-3f, 0.9f, 0.999f, 1e-8f, 1e-2f, false, step);
                            vec.adam(n, wv, 0, g, 0, s2, 0, v2, 0, 1e-3f, 0.9f, 0.999f, 1e-8f, 1e-2f, false, step);
                        }
                        case 4 -> {
                            sca.adam(n, ws, 0, g, 0, s1, 0, v1, 0, 1e-3f, 0.9f, 0.999f, 1e-8f, 1e-2f, true, step);
                            vec.adam(n, wv, 0, g, 0, s2, 0, v2, 0, 1e-3f, 0.9f, 0.999f, 1e-8f, 1e-2f, true, step);
                        }
                        case 5 -> {
                            sca.rmsprop(n, ws, 0, g, 0, s1, 0, 1e-3f, 0.99f, 1e-8f, 0f);
                            vec.rmsprop(n, wv, 0, g, 0, s2, 0, 1e-3f, 0.99f, 1e-8f, 0f);
                        }
                        case 6 -> {
                            sca.rmsprop(n, ws, 0, g, 0, s1, 0, 1e-3f, 0.9f, 1e-6f, 1e-3f);
                            vec.rmsprop(n, wv, 0, g, 0, s2, 0, 1e-3f, 0.9f, 1e-6f, 1e-3f);
                        }
                        default -> {
                            sca.adagrad(n, ws, 0, g, 0, s1, 0, 1e-2f, 1e-10f, 1e-4f);
                            vec.adagrad(n, wv, 0, g, 0, s2, 0, 1e-2f, 1e-10f, 1e-4f);
                        }
                    }
                }
                assertClose("variant " + variant + " n=" + n + " w", ws, wv, 1e-5, 1e-6);
                assertClose("variant " + variant + " n=" + n + " state", s1, s2, 1e-5, 1e-7);
                assertClose("variant " + variant + " n=" + n + " v", v1, v2, 1e-5, 1e-9);
            }
        }
    }

    /**
     * Large updates are split among the kernel threads (from 131,072 parameters): every thread count
     * must give the same bits, including the scalar tail and with offsets into larger arrays.
     */
    @Test
    void splitUpdatesAreBitIdenticalForAnyThreadCount() {
        SplittableRandom r = new SplittableRandom(99);
        int n = 200_707, off = 5;
        float[] w0 = random(r, n + off, 1), m0 = random(r, n + off, 0.1f), v0 = new float[n + off];
        for (int i = 0; i < v0.length; i++) {
            v0[i] = Math.abs(m0[i]);
        }
        float[][] grads = {random(r, n + off, 1), random(r, n + off, 1), random(r, n + off, 1)};
        float[][][] results = new float[3][][];
        for (int t = 1; t <= 3; t++) {
            Kernels k = Kernels.vector().withThreads(t);
            float[] wa = w0.clone(), ma = m0.clone(), va = v0.clone();
            float[] ws = w0.clone(), vel = m0.clone(), wn = w0.clone(), veln = m0.clone(), wp = w0.clone();
            float[] wr = w0.clone(), sq = v0.clone(), wg = w0.clone(), sum = v0.clone();
            for (int s = 0; s < grads.length; s++) {
                k.adam(n, wa, off, grads[s], off, ma, off, va, off, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, s % 2 == 0, s + 1);
                k.sgd(n, ws, off, grads[s], off, vel, off, 0.01f, 0.9f, 1e-4f, false);
                k.sgd(n, wn, off, grads[s], off, veln, off, 0.01f, 0.9f, 0f, true);
                k.sgd(n, wp, off, grads[s], off, null, 0, 0.01f, 0f, 0f, false);
                k.rmsprop(n, wr, off, grads[s], off, sq, off, 1e-3f, 0.9f, 1e-8f, 0f);
                k.adagrad(n, wg, off, grads[s], off, sum, off, 1e-2f, 1e-10f, 0f);
            }
            results[t - 1] = new float[][] {wa, ma, va, ws, vel, wn, veln, wp, wr, sq, wg, sum};
        }
        String[] names = {"adam w", "adam m", "adam v", "sgd w", "sgd velocity", "nesterov w", "nesterov velocity",
                "plain sgd w", "rmsprop w", "rmsprop state", "adagrad w", "adagrad state"};
        for (int t = 1; t < 3; t++) {
            for (int a = 0; a < names.length; a++) {
                assertArrayEquals(results[0][a], results[t][a],
                        names[a] + ": " + (t + 1) + " threads differ from 1");
            }
        }
        // the offset prefix is never touched, and the last element (in the scalar tail) was updated
        float[][] initial = {w0, m0, v0, w0, m0, w0, m0, w0, w0, v0, w0, v0};
        for (int a = 0; a < names.length; a++) {
            assertArrayEquals(Arrays.copyOf(initial[a], off),
                    Arrays.copyOf(results[1][a], off), names[a] + ": the prefix before the offset was written");
            assertNotEquals(initial[a][n + off - 1], results[1][a][n + off - 1], names[a] + ": tail not updated");
        }
    }
}

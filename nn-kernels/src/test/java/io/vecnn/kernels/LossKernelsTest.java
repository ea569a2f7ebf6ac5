package io.vecnn.kernels;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static io.vecnn.kernels.ElementwiseKernelsTest.assertClose;
import static io.vecnn.kernels.ElementwiseKernelsTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loss kernels: values against closed forms, gradients against finite differences, vector against scalar. */
class LossKernelsTest {
    static final int[] CLASSES = {1, 2, 3, 7, 8, 10, 17, 100};

    /** Mean softmax cross-entropy computed independently, in double. */
    static double softmaxCe(float[] z, int rows, int cols, int[] labels) {
        double total = 0;
        for (int i = 0; i < rows; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, z[i * cols + j]);
            }
            double s = 0;
            for (int j = 0; j < cols; j++) {
                s += Math.exp(z[i * cols + j] - max);
            }
            total += Math.log(s) + max - z[i * cols + labels[i]];
        }
        return total / rows;
    }

    @Test
    void softmaxCrossEntropyValueAndGradient() {
        SplittableRandom r = new SplittableRandom(3);
        for (int cols : CLASSES) {
            int rows = 5;
            float[] z = random(r, rows * cols, 4);
            int[] labels = new int[rows];
            float[] onehot = new float[rows * cols];
            for (int i = 0; i < rows; i++) {
                labels[i] = r.nextInt(cols);
                onehot[i * cols + labels[i]] = 1;
            }
            double exact = softmaxCe(z, rows, cols, labels);
            // finite differences of the independent loss, one logit at a time
            float[] fd = new float[rows * cols];
            for (int idx = 0; idx < z.length; idx++) {
                float[] zp = z.clone(), zm = z.clone();
                float h = 1e-2f;
                zp[idx] += h;
                zm[idx] -= h;
                fd[idx] = (float) ((softmaxCe(zp, rows, cols, labels) - softmaxCe(zm, rows, cols, labels))
                        / ((double) zp[idx] - zm[idx]));
            }
            for (Kernels k : Implementations.all()) {
                float[] grad = new float[rows * cols];
                double loss = k.softmaxCrossEntropy(rows, cols, z, 0, cols, labels, 0, grad, 0, cols);
                assertEquals(exact, loss, 1e-6 * Math.max(1, exact), k + " loss, " + cols + " classes");
                assertClose(k + " grad vs finite differences", fd, grad, 1e-3, 1e-5);
                float[] grad2 = new float[rows * cols];
                double loss2 = k.softmaxCrossEntropy(rows, cols, z, 0, cols, onehot, 0, cols, grad2, 0, cols);
                assertEquals(loss, loss2, 1e-6 * Math.max(1, exact), k + " one-hot targets = labels");
                assertClose(k + " one-hot grad", grad, grad2, 1e-6, 1e-8);
                float[] inPlace = z.clone();
                k.softmaxCrossEntropy(rows, cols, inPlace, 0, cols, labels, 0, inPlace, 0, cols);
                assertArrayEquals(grad, inPlace, k + " in place");
                float[] probs = new float[rows * cols];
                k.softmax(rows, cols, z, 0, cols, probs, 0, cols);
                for (int i = 0; i < rows; i++) {
                    double sum = 0;
                    for (int j = 0; j < cols; j++) {
                        sum += probs[i * cols + j];
                        // (p − y)/rows = grad
                        assertEquals(grad[i * cols + j], (probs[i * cols + j] - onehot[i * cols + j]) / rows, 1e-6);
                    }
                    assertEquals(1.0, sum, 1e-5);
                }
            }
        }
    }

    @Test
    void softTargets() {
        float[] z = {1f, 2f, 3f};
        float[] y = {0.2f, 0.3f, 0.5f};
        double lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
        double exact = 0.2 * (lse - 1) + 0.3 * (lse - 2) + 0.5 * (lse - 3);
        for (Kernels k : Implementations.all()) {
            float[] grad = new float[3];
            assertEquals(exact, k.softmaxCrossEntropy(1, 3, z, 0, 3, y, 0, 3, grad, 0, 3), 1e-6, k.name());
            for (int j = 0; j < 3; j++) {
                assertEquals(Math.exp(z[j]) / Math.exp(lse) - y[j], grad[j], 1e-6, k.name());
            }
        }
    }

    @Test
    void extremeLogitsGiveFiniteLossAndGradient() {
        float[][] rowsOfLogits = {
                {1e4f, -1e4f, 0f}, {-1e4f, 1e4f, 0f}, {1e30f, -1e30f, 0f}, {-1e30f, 1e30f, 3f}, {1e30f, 1e30f, 1e30f}};
        for (Kernels k : Implementations.all()) {
            for (float[] z : rowsOfLogits) {
                float[] grad = new float[3];
                double loss = k.softmaxCrossEntropy(1, 3, z, 0, 3, new int[]{0}, 0, grad, 0, 3);
                assertTrue(Double.isFinite(loss) && loss >= 0, k + " loss " + loss);
                for (float g : grad) {
                    assertTrue(Float.isFinite(g) && Math.abs(g) <= 1, k + " grad " + g);
                }
                float[] t = {1f, 0f, 1f};
                float[] bgrad = new float[3];
                double bce = k.binaryCrossEntropyWithLogits(1, 3, z, 0, 3, t, 0, 3, bgrad, 0, 3);
                assertTrue(Double.isFinite(bce) && bce >= 0, k + " bce " + bce);
                for (float g : bgrad) {
                    assertTrue(Float.isFinite(g) && Math.abs(g) <= 1, k + " bce grad " + g);
                }
            }
            // the wrong class at 1e4 above the right one costs 1e4 (not Inf, not NaN)
            assertEquals(1e4, k.softmaxCrossEntropy(1, 2, new float[]{0f, 1e4f}, 0, 2, new int[]{0}, 0, null, 0, 2),
                    1e-2);
            assertEquals(1e4, k.binaryCrossEntropyWithLogits(1, 1, new float[]{-1e4f}, 0, 1, new float[]{1f}, 0, 1,
                    null, 0, 1), 1e-2);
        }
    }

    @Test
    void binaryCrossEntropyMatchesTheNaiveFormWhereThatIsStable() {
        SplittableRandom r = new SplittableRandom(9);
        for (int cols : CLASSES) {
            int rows = 6;
            float[] z = random(r, rows * cols, 5);
            float[] y = new float[rows * cols];
            for (int i = 0; i < y.length; i++) {
                y[i] = r.nextInt(3) / 2f; // 0, 0.5 or 1
            }
            double exact = 0;
            float[] expectedGrad = new float[y.length];
            for (int i = 0; i < y.length; i++) {
                double p = 1 / (1 + Math.exp(-z[i]));
                exact -= y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p);
                expectedGrad[i] = (float) ((p - y[i]) / rows);
            }
            exact /= rows;
            for (Kernels k : Implementations.all()) {
                float[] grad = new float[y.length];
                assertEquals(exact, k.binaryCrossEntropyWithLogits(rows, cols, z, 0, cols, y, 0, cols, grad, 0, cols),
                        1e-5 * Math.max(1, exact), k.name());
                assertClose(k + " bce grad", expectedGrad, grad, 1e-5, 1e-7);
            }
        }
    }

    @Test
    void quadraticCost() {
        SplittableRandom r = new SplittableRandom(4);
        for (int cols : CLASSES) {
          for (int ld : new int[]{cols, cols + 3}) { // contiguous batches take a flat loop
            int rows = ld == cols ? 130 : 4;
            float[] a = random(r, rows * ld, 2);
            float[] y = random(r, rows * ld, 2);
            double exact = 0;
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    double d = (double) a[i * ld + j] - y[i * ld + j];
                    exact += 0.5 * d * d;
                }
            }
            exact /= rows;
            for (Kernels k : Implementations.all()) {
                float[] grad = new float[rows * ld];
                assertEquals(exact, k.quadraticCost(rows, cols, a, 0, ld, y, 0, ld, grad, 0, ld), 1e-6 * (1 + exact));
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < cols; j++) {
                        assertEquals((a[i * ld + j] - y[i * ld + j]) / rows, grad[i * ld + j], 1e-6);
                    }
                }
            }
          }
        }
    }
}

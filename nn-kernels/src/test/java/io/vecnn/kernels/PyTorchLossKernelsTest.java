package io.vecnn.kernels;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static io.vecnn.kernels.ElementwiseKernelsTest.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The losses PyTorch users port (MSELoss, L1Loss, HuberLoss, CrossEntropyLoss with weight and
 * label_smoothing): values and gradients against the definitions written out here in double, the
 * vector kernels against the scalar ones over odd sizes, and the gradient formulas against finite
 * differences of the definitions.
 */
class PyTorchLossKernelsTest {
    private static final int[] COLS = {1, 2, 3, 5, 7, 15, 16, 17, 33, 100};
    private static final int[] ROWS = {1, 2, 3, 4, 5, 7};

    private enum Pointwise { MSE, L1, HUBER }

    /** PyTorch's per-element loss, in double. */
    private static double element(Pointwise kind, double delta, double d) {
        return switch (kind) {
            case MSE -> d * d;
            case L1 -> Math.abs(d);
            case HUBER -> Math.abs(d) < delta ? 0.5 * d * d : delta * (Math.abs(d) - 0.5 * delta);
        };
    }

    /** Its derivative in d (PyTorch's: sign(0) = 0; Huber's at |d| = δ from either side is δ·sign). */
    private static double elementGrad(Pointwise kind, double delta, double d) {
        return switch (kind) {
            case MSE -> 2 * d;
            case L1 -> Math.signum(d);
            case HUBER -> Math.max(-delta, Math.min(delta, d));
        };
    }

    private static double run(Kernels k, Pointwise kind, float delta, int rows, int cols, float[] a, int ld, float[] y,
                              float[] grad) {
        return switch (kind) {
            case MSE -> k.meanSquaredError(rows, cols, a, 0, ld, y, 0, ld, grad, 0, ld);
            case L1 -> k.meanAbsoluteError(rows, cols, a, 0, ld, y, 0, ld, grad, 0, ld);
            case HUBER -> k.huberLoss(delta, rows, cols, a, 0, ld, y, 0, ld, grad, 0, ld);
        };
    }

    @Test
    void pointwiseLossesAreTheMeanOverAllElementsAsPyTorchDefinesThem() {
        SplittableRandom r = new SplittableRandom(12);
        for (Pointwise kind : Pointwise.values()) {
            for (float delta : kind == Pointwise.HUBER ? new float[]{1f, 0.3f, 2.5f} : new float[]{1f}) {
                for (int rows : ROWS) {
                    for (int cols : COLS) {
                        for (int ld : new int[]{cols, cols + 3}) { // contiguous batches take a flat loop
                            float[] a = random(r, rows * ld, 2);
                            float[] y = random(r, rows * ld, 2);
                            if (rows * cols > 3) {
                                y[ld + 1 < rows * ld ? 1 : 0] = a[ld + 1 < rows * ld ? 1 : 0]; // d = 0 exactly somewhere
                            }
                            double exact = 0;
                            for (int i = 0; i < rows; i++) {
                                for (int j = 0; j < cols; j++) {
                                    exact += element(kind, delta, (double) a[i * ld + j] - y[i * ld + j]);
                                }
                            }
                            int n = rows * cols;
                            exact /= n;
                            float[] scalarGrad = null;
                            double scalarLoss = 0;
                            for (Kernels k : Implementations.all()) {
                                float[] grad = new float[rows * ld];
                                double loss = run(k, kind, delta, rows, cols, a, ld, y, grad);
                                String what = kind + " δ " + delta + " " + rows + "×" + cols + " ld " + ld + " " + k.name();
                                assertEquals(exact, loss, 1e-6 * (1 + exact), what);
                                for (int i = 0; i < rows; i++) {
                                    for (int j = 0; j < cols; j++) {
                                        double d = (double) a[i * ld + j] - y[i * ld + j];
                                        double g = elementGrad(kind, delta, d) / n;
                                        assertEquals(g, grad[i * ld + j], 1e-6 * Math.abs(g) + 1e-9, what + " grad");
                                    }
                                }
                                if (scalarGrad == null) {
                                    scalarGrad = grad;
                                    scalarLoss = loss;
                                } else { // vector against scalar: the same up to float summation order
                                    assertEquals(scalarLoss, loss, 1e-6 * (1 + scalarLoss), what + " vs scalar");
                                    for (int i = 0; i < grad.length; i++) {
                                        assertEquals(scalarGrad[i], grad[i], 2 * Math.ulp(scalarGrad[i]), what + " grad vs scalar");
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void mseIsTwoOverColsTimesTheQuadraticCost() {
        SplittableRandom r = new SplittableRandom(3);
        float[] a = random(r, 4 * 5, 1), y = random(r, 4 * 5, 1);
        for (Kernels k : Implementations.all()) {
            double q = k.quadraticCost(4, 5, a, 0, 5, y, 0, 5, null, 0, 5);
            double m = k.meanSquaredError(4, 5, a, 0, 5, y, 0, 5, null, 0, 5);
            assertEquals(2.0 / 5 * q, m, 1e-12 * m);
        }
    }

    @Test
    void huberNeedsAPositiveDelta() {
        float[] a = new float[4];
        for (float bad : new float[]{0f, -1f, Float.NaN, Float.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Kernels.scalar().huberLoss(bad, 2, 2, a, 0, 2, a.clone(), 0, 2, null, 0, 2));
            assertTrue(e.getMessage().contains("delta"), e.getMessage());
        }
    }

    /**
     * PyTorch's CrossEntropyLoss(weight=w, label_smoothing=ε) on class indices, from its definition:
     * loss = [(1 − ε) Σᵢ w_{cᵢ}(−log p_{i,cᵢ}) + (ε/C) Σᵢ Σⱼ wⱼ(−log pᵢⱼ)] / Σᵢ w_{cᵢ}.
     */
    static double torchCrossEntropy(double[] z, int rows, int cols, int[] labels, double[] w, double eps) {
        double num = 0, den = 0;
        for (int i = 0; i < rows; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, z[i * cols + j]);
            }
            double s = 0;
            for (int j = 0; j < cols; j++) {
                s += Math.exp(z[i * cols + j] - max);
            }
            double lse = Math.log(s) + max;
            double wi = w == null ? 1 : w[labels[i]];
            num += (1 - eps) * wi * (lse - z[i * cols + labels[i]]);
            for (int j = 0; j < cols; j++) {
                num += eps / cols * (w == null ? 1 : w[j]) * (lse - z[i * cols + j]);
            }
            den += wi;
        }
        return num / den;
    }

    @Test
    void weightedSmoothedCrossEntropyIsPyTorchsAndItsGradientMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(5);
        for (int rows : ROWS) {
            for (int cols : new int[]{2, 3, 5, 7, 16, 17, 33}) {
                for (boolean weighted : new boolean[]{false, true}) {
                    for (float eps : new float[]{0f, 0.1f, 0.35f}) {
                        float[] z = random(r, rows * cols, 3);
                        int[] labels = new int[rows];
                        float[] onehot = new float[rows * cols];
                        for (int i = 0; i < rows; i++) {
                            labels[i] = r.nextInt(cols);
                            onehot[i * cols + labels[i]] = 1;
                        }
                        float[] w = null;
                        double[] wd = null;
                        if (weighted) {
                            w = new float[cols];
                            wd = new double[cols];
                            for (int j = 0; j < cols; j++) {
                                w[j] = (float) (0.25 + 2 * r.nextDouble());
                                wd[j] = w[j];
                            }
                        }
                        double[] zd = new double[z.length];
                        for (int i = 0; i < z.length; i++) {
                            zd[i] = z[i];
                        }
                        double exact = torchCrossEntropy(zd, rows, cols, labels, wd, eps);
                        // the gradient by central differences of the definition, in double
                        double[] fd = new double[z.length];
                        for (int i = 0; i < z.length; i++) {
                            double h = 1e-5, keep = zd[i];
                            zd[i] = keep + h;
                            double up = torchCrossEntropy(zd, rows, cols, labels, wd, eps);
                            zd[i] = keep - h;
                            double down = torchCrossEntropy(zd, rows, cols, labels, wd, eps);
                            zd[i] = keep;
                            fd[i] = (up - down) / (2 * h);
                        }
                        float[] scalarGrad = null;
                        for (Kernels k : Implementations.all()) {
                            String what = rows + "×" + cols + " weighted " + weighted + " ε " + eps + " " + k.name();
                            float[] grad = new float[z.length];
                            double loss = k.softmaxCrossEntropy(rows, cols, z, 0, cols, onehot, 0, cols, w, 0, eps, grad, 0, cols);
                            assertEquals(exact, loss, 1e-5 * (1 + exact), what);
                            for (int i = 0; i < z.length; i++) {
                                assertEquals(fd[i], grad[i], 1e-5 + 1e-4 * Math.abs(fd[i]), what + " grad[" + i + "]");
                            }
                            if (scalarGrad == null) {
                                scalarGrad = grad;
                            } else {
                                for (int i = 0; i < z.length; i++) {
                                    assertEquals(scalarGrad[i], grad[i], 1e-6 * (Math.abs(scalarGrad[i]) + 1e-2), what + " vs scalar");
                                }
                            }
                            // in place: the gradient over the logits' own storage
                            float[] inPlace = z.clone();
                            k.softmaxCrossEntropy(rows, cols, inPlace, 0, cols, onehot, 0, cols, w, 0, eps, inPlace, 0, cols);
                            for (int i = 0; i < z.length; i++) {
                                assertEquals(grad[i], inPlace[i], 0f, what + " in place");
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void withoutWeightsOrSmoothingItIsThePlainCrossEntropy() {
        SplittableRandom r = new SplittableRandom(8);
        int rows = 5, cols = 19;
        float[] z = random(r, rows * cols, 4);
        float[] y = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            y[i * cols + r.nextInt(cols)] = 1;
        }
        for (Kernels k : Implementations.all()) {
            float[] g1 = new float[z.length], g2 = new float[z.length];
            double a = k.softmaxCrossEntropy(rows, cols, z, 0, cols, y, 0, cols, g1, 0, cols);
            double b = k.softmaxCrossEntropy(rows, cols, z, 0, cols, y, 0, cols, null, 0, 0f, g2, 0, cols);
            assertEquals(a, b, 1e-6 * a, k.name());
            for (int i = 0; i < z.length; i++) {
                assertEquals(g1[i], g2[i], 1e-7, k.name());
            }
        }
    }

    @Test
    void badWeightsAndSmoothingAreRejectedBeforeAnythingIsWritten() {
        float[] z = new float[6], y = {1, 0, 0, 0, 1, 0}, g = new float[6];
        Kernels k = Kernels.scalar();
        String m = assertThrows(IllegalArgumentException.class,
                () -> k.softmaxCrossEntropy(2, 3, z, 0, 3, y, 0, 3, new float[]{1, -1, 1}, 0, 0f, g, 0, 3)).getMessage();
        assertTrue(m.contains("class 1") && m.contains("-1"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> k.softmaxCrossEntropy(2, 3, z, 0, 3, y, 0, 3, new float[]{0, 0, 1}, 0, 0f, g, 0, 3)).getMessage();
        assertTrue(m.contains("sum to 0"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> k.softmaxCrossEntropy(2, 3, z, 0, 3, y, 0, 3, null, 0, 1.5f, g, 0, 3)).getMessage();
        assertTrue(m.contains("labelSmoothing"), m);
    }
}

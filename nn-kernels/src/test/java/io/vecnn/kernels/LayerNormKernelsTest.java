package io.vecnn.kernels;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static io.vecnn.kernels.ElementwiseKernelsTest.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Layer normalisation: the forward pass against PyTorch's definition in double, the backward pass
 * against central differences of that definition, the vector kernels against the scalar ones over
 * odd sizes, and in-place use.
 */
class LayerNormKernelsTest {
    private static final int[] COLS = {1, 2, 3, 5, 7, 15, 16, 17, 31, 32, 33, 100};
    private static final float EPS = 1e-5f;

    /** y = γ(x − μ)/√(σ² + ε) + β per row, σ² biased, in double. */
    static double[] forward(double[] x, int rows, int cols, double[] gamma, double[] beta, double eps) {
        double[] y = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            double mean = 0, var = 0;
            for (int j = 0; j < cols; j++) {
                mean += x[i * cols + j];
            }
            mean /= cols;
            for (int j = 0; j < cols; j++) {
                var += (x[i * cols + j] - mean) * (x[i * cols + j] - mean);
            }
            var /= cols;
            for (int j = 0; j < cols; j++) {
                y[i * cols + j] = gamma[j] * (x[i * cols + j] - mean) / Math.sqrt(var + eps) + beta[j];
            }
        }
        return y;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    @Test
    void forwardAndBackwardAgainstTheDefinitionAndFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(12);
        for (int rows : new int[]{1, 3, 4}) {
            for (int cols : COLS) {
                float[] x = random(r, rows * cols, 3);
                for (int i = 0; i < x.length; i++) {
                    x[i] += 1.5f; // a mean away from 0
                }
                float[] gamma = random(r, cols, 1.5), beta = random(r, cols, 1);
                float[] dy = random(r, rows * cols, 1);
                double[] xd = toDouble(x), gd = toDouble(gamma), bd = toDouble(beta), cd = toDouble(dy);
                double[] exact = forward(xd, rows, cols, gd, bd, EPS);
                // L = Σ dy ⊙ y: its gradients by central differences, in double
                double h = 1e-6;
                double[] fdx = new double[x.length], fdg = new double[cols], fdb = new double[cols];
                for (int i = 0; i < x.length; i++) {
                    double keep = xd[i];
                    xd[i] = keep + h;
                    double up = dot(cd, forward(xd, rows, cols, gd, bd, EPS));
                    xd[i] = keep - h;
                    double down = dot(cd, forward(xd, rows, cols, gd, bd, EPS));
                    xd[i] = keep;
                    fdx[i] = (up - down) / (2 * h);
                }
                for (int j = 0; j < cols; j++) {
                    double keep = gd[j];
                    gd[j] = keep + h;
                    double up = dot(cd, forward(xd, rows, cols, gd, bd, EPS));
                    gd[j] = keep - h;
                    double down = dot(cd, forward(xd, rows, cols, gd, bd, EPS));
                    gd[j] = keep;
                    fdg[j] = (up - down) / (2 * h);
                    keep = bd[j];
                    bd[j] = keep + h;
                    up = dot(cd, forward(xd, rows, cols, gd, bd, EPS));
                    bd[j] = keep - h;
                    down = dot(cd, forward(xd, rows, cols, gd, bd, EPS));
                    bd[j] = keep;
                    fdb[j] = (up - down) / (2 * h);
                }
                float[] refY = null, refDx = null, refDg = null;
                for (Kernels k : Implementations.all()) {
                    String what = rows + "×" + cols + " " + k.name();
                    float[] y = new float[x.length], xhat = new float[x.length], rstd = new float[rows];
                    k.layerNorm(rows, cols, EPS, x, 0, cols, gamma, 0, beta, 0, y, 0, cols, xhat, 0, cols, rstd, 0);
                    for (int i = 0; i < y.length; i++) {
                        assertEquals(exact[i], y[i], 2e-6 * (1 + Math.abs(exact[i])), what + " y[" + i + "]");
                    }
                    float[] dg = new float[cols], db = new float[cols], dx = new float[x.length];
                    k.layerNormBackward(rows, cols, dy, 0, cols, xhat, 0, cols, rstd, 0, gamma, 0, dg, 0, db, 0, dx, 0, cols);
                    for (int i = 0; i < dx.length; i++) {
                        assertEquals(fdx[i], dx[i], 2e-4 * (1 + Math.abs(fdx[i])), what + " dx[" + i + "]");
                    }
                    for (int j = 0; j < cols; j++) {
                        assertEquals(fdg[j], dg[j], 1e-5 * (1 + Math.abs(fdg[j])), what + " dγ[" + j + "]");
                        assertEquals(fdb[j], db[j], 1e-5 * (1 + Math.abs(fdb[j])), what + " dβ[" + j + "]");
                    }
                    if (refY == null) {
                        refY = y;
                        refDx = dx;
                        refDg = dg;
                    } else { // vector against scalar
                        for (int i = 0; i < y.length; i++) {
                            assertEquals(refY[i], y[i], 1e-6 * (1 + Math.abs(refY[i])), what + " y vs scalar");
                            assertEquals(refDx[i], dx[i], 1e-5 * (1 + Math.abs(refDx[i])), what + " dx vs scalar");
                        }
                        for (int j = 0; j < cols; j++) {
                            assertEquals(refDg[j], dg[j], 1e-5 * (1 + Math.abs(refDg[j])), what + " dγ vs scalar");
                        }
                    }
                    // in place: y over x, dx over dy
                    float[] inPlace = x.clone();
                    k.layerNorm(rows, cols, EPS, inPlace, 0, cols, gamma, 0, beta, 0, inPlace, 0, cols, null, 0, cols, null, 0);
                    for (int i = 0; i < y.length; i++) {
                        assertEquals(y[i], inPlace[i], 0f, what + " in place");
                    }
                    float[] g2 = dy.clone();
                    k.layerNormBackward(rows, cols, g2, 0, cols, xhat, 0, cols, rstd, 0, gamma, 0, new float[cols], 0,
                            new float[cols], 0, g2, 0, cols);
                    for (int i = 0; i < dx.length; i++) {
                        assertEquals(dx[i], g2[i], 0f, what + " backward in place");
                    }
                }
            }
        }
    }

    @Test
    void aConstantRowNormalisesToBeta() {
        float[] x = new float[40];
        java.util.Arrays.fill(x, 3.25f);
        float[] gamma = new float[40], beta = new float[40];
        for (int j = 0; j < 40; j++) {
            gamma[j] = 2;
            beta[j] = j;
        }
        for (Kernels k : Implementations.all()) {
            float[] y = new float[40];
            k.layerNorm(1, 40, EPS, x, 0, 40, gamma, 0, beta, 0, y, 0, 40, null, 0, 40, null, 0);
            for (int j = 0; j < 40; j++) {
                assertEquals(j, y[j], 0f, k.name());
            }
        }
    }

    @Test
    void badArgumentsAreNamed() {
        float[] x = new float[6], g = new float[3];
        Kernels k = Kernels.scalar();
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> k.layerNorm(2, 3, 0f, x, 0, 3, g, 0, g.clone(), 0, new float[6], 0, 3, null, 0, 3, null, 0))
                .getMessage().contains("eps"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> k.layerNorm(2, 3, EPS, x, 0, 3, new float[2], 0, g, 0, new float[6], 0, 3, null, 0, 3, null, 0))
                .getMessage().contains("gamma"));
        float[] wide = new float[8];
        String m = assertThrows(IllegalArgumentException.class,
                () -> k.layerNorm(2, 3, EPS, wide, 0, 3, g, 0, g.clone(), 0, wide, 1, 3, null, 0, 3, null, 0)).getMessage();
        assertTrue(m.contains("y") && m.contains("overlaps"), m);
    }
}

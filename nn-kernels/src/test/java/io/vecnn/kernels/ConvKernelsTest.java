package io.vecnn.kernels;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static io.vecnn.kernels.ElementwiseKernelsTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Convolution, pooling and batch normalisation against plain double-precision loops over odd sizes
 * (channels, height, width, kernel, stride and padding from {1, 2, 3, 5, 7}), within the forward-error
 * bound of float sums; every implementation and thread count; the vector path bit-identical for 1 and 2
 * threads.
 */
class ConvKernelsTest {
    private static final int[] SIZES = {1, 2, 3, 5, 7};

    /** A case: geometry, output channels, batch. */
    record Case(ConvGeometry g, int outChannels, int batch) {
        @Override
        public String toString() {
            return g + " out " + outChannels + " batch " + batch;
        }
    }

    static List<Case> cases(boolean pooling) {
        List<Case> cases = new ArrayList<>();
        int[] base = {3, 7, 5, 3, 2, 1};
        for (int which = 0; which < base.length; which++) {
            for (int v : SIZES) {
                int[] p = base.clone();
                p[which] = v;
                add(cases, p, 4, 2, pooling);
            }
        }
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 40; i++) {
            int[] p = new int[6];
            for (int j = 0; j < 6; j++) {
                p[j] = SIZES[r.nextInt(SIZES.length)];
            }
            add(cases, p, SIZES[r.nextInt(SIZES.length)], 1 + r.nextInt(3), pooling);
        }
        // The CNN's own shapes.
        add(cases, new int[]{1, 28, 28, 3, 1, 1}, 32, 2, pooling);
        add(cases, new int[]{32, 14, 14, 3, 1, 1}, 64, 1, pooling);
        add(cases, new int[]{4, 5, 6, 1, 1, 0}, 3, 2, pooling);
        return cases;
    }

    private static void add(List<Case> cases, int[] p, int out, int batch, boolean pooling) {
        int c = p[0], h = p[1], w = p[2], k = p[3], s = p[4], pad = p[5];
        if (k > h + 2 * pad || k > w + 2 * pad || (pooling && 2 * pad > k)) {
            return;
        }
        cases.add(new Case(ConvGeometry.square(c, h, w, k, s, pad), out, batch));
    }

    /** x at (n, c, iy, ix), 0 in the padding. */
    private static double at(ConvGeometry g, float[] x, int n, int c, int iy, int ix) {
        if (iy < 0 || iy >= g.height() || ix < 0 || ix >= g.width()) {
            return 0;
        }
        return x[n * g.inputSize() + (c * g.height() + iy) * g.width() + ix];
    }

    /** Forward in double: [0] values, [1] Σ|terms| per output. */
    static double[][] convReference(Case t, float[] x, float[] w, float[] b) {
        ConvGeometry g = t.g;
        int oh = g.outHeight(), ow = g.outWidth(), o = t.outChannels;
        double[][] r = new double[2][t.batch * o * oh * ow];
        for (int n = 0; n < t.batch; n++) {
            for (int co = 0; co < o; co++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double s = b == null ? 0 : b[co], a = Math.abs(s);
                        for (int c = 0; c < g.channels(); c++) {
                            for (int i = 0; i < g.kernelH(); i++) {
                                for (int j = 0; j < g.kernelW(); j++) {
                                    double term = w[((co * g.channels() + c) * g.kernelH() + i) * g.kernelW() + j]
                                            * at(g, x, n, c, oy * g.strideH() - g.padH() + i, ox * g.strideW() - g.padW() + j);
                                    s += term;
                                    a += Math.abs(term);
                                }
                            }
                        }
                        int idx = ((n * o + co) * oh + oy) * ow + ox;
                        r[0][idx] = s;
                        r[1][idx] = a;
                    }
                }
            }
        }
        return r;
    }

    /** Gradients in double by the chain rule of the forward loop: [dW, |dW| sums, db, |db|, dx, |dx|]. */
    static double[][] convBackwardReference(Case t, float[] x, float[] w, float[] dy) {
        ConvGeometry g = t.g;
        int oh = g.outHeight(), ow = g.outWidth(), o = t.outChannels;
        double[][] r = {new double[w.length], new double[w.length], new double[o], new double[o], new double[x.length],
                new double[x.length]};
        for (int n = 0; n < t.batch; n++) {
            for (int co = 0; co < o; co++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double d = dy[((n * o + co) * oh + oy) * ow + ox];
                        r[2][co] += d;
                        r[3][co] += Math.abs(d);
                        for (int c = 0; c < g.channels(); c++) {
                            for (int i = 0; i < g.kernelH(); i++) {
                                for (int j = 0; j < g.kernelW(); j++) {
                                    int iy = oy * g.strideH() - g.padH() + i, ix = ox * g.strideW() - g.padW() + j;
                                    int wi = ((co * g.channels() + c) * g.kernelH() + i) * g.kernelW() + j;
                                    double xv = at(g, x, n, c, iy, ix);
                                    r[0][wi] += d * xv;
                                    r[1][wi] += Math.abs(d * xv);
                                    if (iy >= 0 && iy < g.height() && ix >= 0 && ix < g.width()) {
                                        int xi = n * g.inputSize() + (c * g.height() + iy) * g.width() + ix;
                                        r[4][xi] += d * w[wi];
                                        r[5][xi] += Math.abs(d * w[wi]);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return r;
    }

    private static void assertWithin(String what, double[] ref, double[] abs, float[] actual, int terms) {
        double bound = 2 * Implementations.gamma(terms + 2);
        for (int i = 0; i < ref.length; i++) {
            double err = Math.abs(actual[i] - ref[i]);
            double allowed = bound * abs[i] + 1e-30;
            if (!(err <= allowed)) {
                throw new AssertionError(what + "[" + i + "]: expected " + ref[i] + ", got " + actual[i] + " (error " + err
                        + " > bound " + allowed + ")");
            }
        }
    }

    @Test
    void convolutionAgainstTheDoubleLoopForEveryImplementation() {
        SplittableRandom r = new SplittableRandom(1);
        for (Case t : cases(false)) {
            ConvGeometry g = t.g;
            int o = t.outChannels, ys = t.batch * o * g.outputPositions();
            float[] x = random(r, t.batch * g.inputSize(), 1);
            float[] w = random(r, o * g.patchSize(), 1);
            float[] b = random(r, o, 1);
            float[] dy = random(r, ys, 1);
            double[][] ref = convReference(t, x, w, b);
            double[][] back = convBackwardReference(t, x, w, dy);
            int windows = ((g.kernelH() + g.strideH() - 1) / g.strideH()) * ((g.kernelW() + g.strideW() - 1) / g.strideW());
            float[] first = null;
            for (Kernels k : Implementations.all()) {
                String what = k + " " + t;
                float[] y = new float[ys + 3];
                k.conv2d(g, t.batch, o, x, 0, w, 0, b, 0, y, 2);
                assertWithin(what + " y", ref[0], ref[1], Arrays.copyOfRange(y, 2, 2 + ys), g.patchSize());
                float[] dw = new float[w.length];
                float[] db = new float[o];
                k.conv2dBackwardFilter(g, t.batch, o, x, 0, dy, 0, dw, 0, db, 0);
                assertWithin(what + " dW", back[0], back[1], dw, t.batch * g.outputPositions());
                assertWithin(what + " db", back[2], back[3], db, t.batch * g.outputPositions());
                float[] dx = new float[x.length];
                Arrays.fill(dx, Float.NaN); // written, not added
                k.conv2dBackwardData(g, t.batch, o, dy, 0, w, 0, dx, 0);
                assertWithin(what + " dx", back[4], back[5], dx, o * g.windowSize() + windows);
                float[] all = concat(y, dw, db, dx);
                if (k.name().startsWith("vector")) {
                    if (first != null) {
                        assertArrayEquals(first, all, what + ": 1 and 2 threads differ");
                    }
                    first = all;
                }
            }
        }
    }

    private static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) {
            n += p.length;
        }
        float[] all = new float[n];
        n = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, n, p.length);
            n += p.length;
        }
        return all;
    }

    @Test
    void im2colAndCol2imAreAdjoint() {
        SplittableRandom r = new SplittableRandom(2);
        for (Case t : cases(false)) {
            ConvGeometry g = t.g;
            int n = g.patchSize() * g.outputPositions();
            float[] x = random(r, g.inputSize(), 1);
            float[] c = random(r, n, 1);
            float[] cols = new float[n];
            Kernels.get().im2col(g, x, 0, cols, 0);
            float[] back = new float[g.inputSize()];
            Kernels.get().col2imAdd(g, c, 0, back, 0);
            double lhs = 0, rhs = 0;
            for (int i = 0; i < n; i++) {
                lhs += (double) cols[i] * c[i];
            }
            for (int i = 0; i < x.length; i++) {
                rhs += (double) x[i] * back[i];
            }
            assertEquals(lhs, rhs, 1e-4 * (1 + Math.abs(lhs)), t.toString());
        }
    }

    @Test
    void poolingAgainstTheDoubleLoop() {
        SplittableRandom r = new SplittableRandom(3);
        for (Case t : cases(true)) {
            ConvGeometry g = t.g;
            int oh = g.outHeight(), ow = g.outWidth(), c = g.channels(), ys = t.batch * c * oh * ow;
            float[] x = random(r, t.batch * g.inputSize(), 1);
            float[] dy = random(r, ys, 1);
            double[] max = new double[ys], avg = new double[ys], dxMax = new double[x.length], dxAvg = new double[x.length];
            double area = g.windowSize();
            for (int n = 0, o = 0; n < t.batch; n++) {
                for (int ch = 0; ch < c; ch++) {
                    for (int oy = 0; oy < oh; oy++) {
                        for (int ox = 0; ox < ow; ox++, o++) {
                            double m = Double.NEGATIVE_INFINITY, s = 0;
                            int arg = -1;
                            for (int i = 0; i < g.kernelH(); i++) {
                                for (int j = 0; j < g.kernelW(); j++) {
                                    int iy = oy * g.strideH() - g.padH() + i, ix = ox * g.strideW() - g.padW() + j;
                                    if (iy < 0 || iy >= g.height() || ix < 0 || ix >= g.width()) {
                                        continue;
                                    }
                                    int xi = n * g.inputSize() + (ch * g.height() + iy) * g.width() + ix;
                                    s += x[xi];
                                    if (x[xi] > m) {
                                        m = x[xi];
                                        arg = xi;
                                    }
                                    dxAvg[xi] += dy[o] / area;
                                }
                            }
                            max[o] = m;
                            avg[o] = s / area;
                            dxMax[arg] += dy[o];
                        }
                    }
                }
            }
            for (Kernels k : Implementations.all()) {
                String what = k + " " + t;
                float[] y = new float[ys];
                int[] argmax = new int[ys];
                k.maxPool2d(g, t.batch, x, 0, y, 0, argmax, 0);
                for (int i = 0; i < ys; i++) {
                    assertEquals((float) max[i], y[i], what + " max " + i);
                }
                float[] dx = new float[x.length];
                k.maxPool2dBackward(g, t.batch, dy, 0, argmax, 0, dx, 0);
                for (int i = 0; i < x.length; i++) {
                    assertEquals(dxMax[i], dx[i], 1e-5 * (1 + Math.abs(dxMax[i])), what + " max dx " + i);
                }
                k.avgPool2d(g, t.batch, x, 0, y, 0);
                for (int i = 0; i < ys; i++) {
                    assertEquals(avg[i], y[i], 2 * Implementations.gamma(g.windowSize() + 1) * area + 1e-7, what + " avg " + i);
                }
                k.avgPool2dBackward(g, t.batch, dy, 0, dx, 0);
                for (int i = 0; i < x.length; i++) {
                    assertEquals(dxAvg[i], dx[i], 1e-5 * (1 + Math.abs(dxAvg[i])), what + " avg dx " + i);
                }
            }
        }
    }

    @Test
    void batchNormAgainstTheDoubleDefinitionAndFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(4);
        float eps = 1e-5f;
        for (int batch : SIZES) {
            for (int channels : new int[]{1, 3, 7}) {
                for (int spatial : new int[]{1, 2, 5, 49}) {
                    if (batch * spatial < 2) {
                        continue;
                    }
                    int n = batch * channels * spatial;
                    float[] x = random(r, n, 2);
                    float[] gamma = random(r, channels, 1.5f);
                    float[] beta = random(r, channels, 1);
                    float[] dy = random(r, n, 1);
                    double[] ref = bnForward(x, batch, channels, spatial, gamma, beta, eps);
                    // ∂L/∂x of L = Σ dy·y by central differences of the double definition.
                    double[] fd = new double[n];
                    double[] xd = new double[n];
                    for (int i = 0; i < n; i++) {
                        xd[i] = x[i];
                    }
                    for (int i = 0; i < n; i++) {
                        double h = 1e-5, save = xd[i];
                        xd[i] = save + h;
                        double lp = dotD(bnForwardD(xd, batch, channels, spatial, gamma, beta, eps), dy);
                        xd[i] = save - h;
                        double lm = dotD(bnForwardD(xd, batch, channels, spatial, gamma, beta, eps), dy);
                        xd[i] = save;
                        fd[i] = (lp - lm) / (2 * h);
                    }
                    for (Kernels k : Implementations.all()) {
                        String what = k + " batch " + batch + " channels " + channels + " spatial " + spatial;
                        float[] y = new float[n], xhat = new float[n], mean = new float[channels], var = new float[channels],
                                rstd = new float[channels];
                        k.batchNormTraining(batch, channels, spatial, eps, x, 0, gamma, 0, beta, 0, y, 0, xhat, 0, mean, 0,
                                var, 0, rstd, 0);
                        for (int i = 0; i < n; i++) {
                            assertEquals(ref[i], y[i], 1e-5 * (1 + Math.abs(ref[i])), what + " y " + i);
                        }
                        // Inference with the batch's own statistics is the same function.
                        float[] yi = new float[n];
                        k.batchNormInference(batch, channels, spatial, eps, x, 0, gamma, 0, beta, 0, mean, 0, var, 0, yi, 0);
                        for (int i = 0; i < n; i++) {
                            assertEquals(ref[i], yi[i], 1e-4 * (1 + Math.abs(ref[i])), what + " inference y " + i);
                        }
                        float[] dg = new float[channels], db = new float[channels], dx = dy.clone();
                        k.batchNormBackward(batch, channels, spatial, dx, 0, xhat, 0, rstd, 0, gamma, 0, dg, 0, db, 0, dx, 0);
                        for (int i = 0; i < n; i++) {
                            assertEquals(fd[i], dx[i], 2e-3 * (1 + Math.abs(fd[i])), what + " dx " + i);
                        }
                        for (int c = 0; c < channels; c++) {
                            double sdy = 0, sdyx = 0;
                            for (int b = 0; b < batch; b++) {
                                for (int s = 0; s < spatial; s++) {
                                    int i = (b * channels + c) * spatial + s;
                                    sdy += dy[i];
                                    sdyx += dy[i] * (ref[i] - beta[c]) / gamma[c];
                                }
                            }
                            assertEquals(sdy, db[c], 1e-5 * (1 + Math.abs(sdy)), what + " dbeta");
                            assertEquals(sdyx, dg[c], 1e-3 * (1 + Math.abs(sdyx)), what + " dgamma");
                        }
                    }
                }
            }
        }
    }

    private static double dotD(double[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double[] bnForward(float[] x, int batch, int channels, int spatial, float[] gamma, float[] beta, double eps) {
        double[] xd = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            xd[i] = x[i];
        }
        return bnForwardD(xd, batch, channels, spatial, gamma, beta, eps);
    }

    static double[] bnForwardD(double[] x, int batch, int channels, int spatial, float[] gamma, float[] beta, double eps) {
        double[] y = new double[x.length];
        int m = batch * spatial;
        for (int c = 0; c < channels; c++) {
            double mean = 0, var = 0;
            for (int b = 0; b < batch; b++) {
                for (int s = 0; s < spatial; s++) {
                    mean += x[(b * channels + c) * spatial + s];
                }
            }
            mean /= m;
            for (int b = 0; b < batch; b++) {
                for (int s = 0; s < spatial; s++) {
                    double d = x[(b * channels + c) * spatial + s] - mean;
                    var += d * d;
                }
            }
            var /= m;
            for (int b = 0; b < batch; b++) {
                for (int s = 0; s < spatial; s++) {
                    int i = (b * channels + c) * spatial + s;
                    y[i] = gamma[c] * (x[i] - mean) / Math.sqrt(var + eps) + beta[c];
                }
            }
        }
        return y;
    }

    @Test
    void badArgumentsAreRefusedNamingThem() {
        Kernels k = Kernels.scalar();
        ConvGeometry g = ConvGeometry.square(2, 5, 5, 3, 1, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> k.conv2d(g, 2, 4, new float[2 * 50 - 1], 0, new float[4 * 18], 0, null, 0, new float[2 * 4 * 25], 0));
        assertTrue(e.getMessage().startsWith("x is too short"), e.getMessage());
        float[] shared = new float[1000];
        e = assertThrows(IllegalArgumentException.class,
                () -> k.conv2d(g, 1, 4, shared, 0, new float[72], 0, null, 0, shared, 10));
        assertTrue(e.getMessage().contains("overlaps x"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConvGeometry.square(1, 3, 3, 6, 1, 1));
        assertTrue(e.getMessage().contains("larger than the padded input"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConvGeometry.square(1, 3, 3, 3, 0, 1));
        assertEquals("stride height must be >= 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> k.maxPool2d(ConvGeometry.square(1, 4, 4, 2, 2, 2), 1,
                new float[16], 0, new float[16], 0, null, 0));
        assertTrue(e.getMessage().contains("at most half the kernel"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> k.maxPool2dBackward(ConvGeometry.square(1, 4, 4, 2, 2, 0), 1,
                new float[4], 0, new int[]{0, 1, 2, 16}, 0, new float[16], 0));
        assertTrue(e.getMessage().contains("argmax[3] = 16"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> k.batchNormTraining(0, 1, 1, 1e-5f, new float[0], 0,
                new float[1], 0, new float[1], 0, new float[0], 0, null, 0, null, 0, null, 0, null, 0));
        assertTrue(e.getMessage().contains("batch must be >= 1"), e.getMessage());
    }
}

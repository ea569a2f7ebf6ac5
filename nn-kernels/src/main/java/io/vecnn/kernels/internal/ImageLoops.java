package io.vecnn.kernels.internal;

import io.vecnn.kernels.ConvGeometry;

/**
 * Pooling and batch normalisation: memory-bound loops, one code path for every implementation (the
 * arithmetic per element is one compare or one multiply-add, so a second, vector copy would gain little
 * against the GEMMs around them). Every reduction runs in a fixed order on the calling thread.
 */
final class ImageLoops {
    private ImageLoops() {
    }

    /** Max over each window (padding never wins); argmax[o] = the winner's index within its image. */
    static void maxPool(ConvGeometry g, int batch, float[] x, int xOff, float[] y, int yOff, int[] argmax, int aOff) {
        int c = g.channels(), h = g.height(), w = g.width(), kh = g.kernelH(), kw = g.kernelW();
        int sh = g.strideH(), sw = g.strideW(), ph = g.padH(), pw = g.padW(), oh = g.outHeight(), ow = g.outWidth();
        int in = g.inputSize(), out = c * oh * ow;
        if (kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0) {
            maxPool2x2(c, h, w, oh, ow, batch, x, xOff, y, yOff, argmax, aOff);
            return;
        }
        for (int n = 0; n < batch; n++) {
            int xi = xOff + n * in, o = n * out;
            for (int ch = 0; ch < c; ch++) {
                int plane = ch * h * w;
                for (int oy = 0; oy < oh; oy++) {
                    int y0 = Math.max(0, oy * sh - ph), y1 = Math.min(h, oy * sh - ph + kh);
                    for (int ox = 0; ox < ow; ox++, o++) {
                        int x0 = Math.max(0, ox * sw - pw), x1 = Math.min(w, ox * sw - pw + kw);
                        int best = plane + y0 * w + x0;
                        float m = x[xi + best];
                        for (int iy = y0; iy < y1; iy++) {
                            for (int ix = x0; ix < x1; ix++) {
                                int idx = plane + iy * w + ix;
                                float v = x[xi + idx];
                                // NaN wins and stays, as in PyTorch.
                                if (v > m || (v != v && m == m)) {
                                    m = v;
                                    best = idx;
                                }
                            }
                        }
                        y[yOff + o] = m;
                        if (argmax != null) {
                            argmax[aOff + o] = best;
                        }
                    }
                }
            }
        }
    }

    /** The CNN's 2 × 2, stride 2 window: the same comparisons in the same order as the general loop. */
    private static void maxPool2x2(int c, int h, int w, int oh, int ow, int batch, float[] x, int xOff, float[] y,
                                   int yOff, int[] argmax, int aOff) {
        int in = c * h * w, out = c * oh * ow;
        for (int n = 0; n < batch; n++) {
            int xi = xOff + n * in, o = n * out;
            for (int ch = 0; ch < c; ch++) {
                int plane = ch * h * w;
                for (int oy = 0; oy < oh; oy++) {
                    int row = plane + 2 * oy * w;
                    for (int ox = 0; ox < ow; ox++, o++) {
                        int i0 = row + 2 * ox, i1 = i0 + 1, i2 = i0 + w, i3 = i2 + 1;
                        float m = x[xi + i0];
                        int best = i0;
                        float v = x[xi + i1];
                        if (v > m || (v != v && m == m)) {
                            m = v;
                            best = i1;
                        }
                        v = x[xi + i2];
                        if (v > m || (v != v && m == m)) {
                            m = v;
                            best = i2;
                        }
                        v = x[xi + i3];
                        if (v > m || (v != v && m == m)) {
                            m = v;
                            best = i3;
                        }
                        y[yOff + o] = m;
                        if (argmax != null) {
                            argmax[aOff + o] = best;
                        }
                    }
                }
            }
        }
    }

    static void maxPoolBackward(ConvGeometry g, int batch, float[] dy, int dyOff, int[] argmax, int aOff,
                                float[] dx, int dxOff) {
        int in = g.inputSize(), out = g.channels() * g.outputPositions();
        for (int n = 0; n < batch; n++) {
            int xo = dxOff + n * in;
            java.util.Arrays.fill(dx, xo, xo + in, 0f);
            for (int o = n * out, e = o + out; o < e; o++) {
                dx[xo + argmax[aOff + o]] += dy[dyOff + o];
            }
        }
    }

    /** Mean over each window, padding counted as zeros (PyTorch's count_include_pad=True). */
    static void avgPool(ConvGeometry g, int batch, float[] x, int xOff, float[] y, int yOff) {
        int c = g.channels(), h = g.height(), w = g.width(), kh = g.kernelH(), kw = g.kernelW();
        int sh = g.strideH(), sw = g.strideW(), ph = g.padH(), pw = g.padW(), oh = g.outHeight(), ow = g.outWidth();
        int in = g.inputSize(), out = c * oh * ow;
        float scale = 1f / (kh * kw);
        for (int n = 0; n < batch; n++) {
            int xi = xOff + n * in, o = yOff + n * out;
            for (int ch = 0; ch < c; ch++) {
                int plane = xi + ch * h * w;
                for (int oy = 0; oy < oh; oy++) {
                    int y0 = Math.max(0, oy * sh - ph), y1 = Math.min(h, oy * sh - ph + kh);
                    for (int ox = 0; ox < ow; ox++, o++) {
                        int x0 = Math.max(0, ox * sw - pw), x1 = Math.min(w, ox * sw - pw + kw);
                        float s = 0;
                        for (int iy = y0; iy < y1; iy++) {
                            for (int ix = x0; ix < x1; ix++) {
                                s += x[plane + iy * w + ix];
                            }
                        }
                        y[o] = s * scale;
                    }
                }
            }
        }
    }

    static void avgPoolBackward(ConvGeometry g, int batch, float[] dy, int dyOff, float[] dx, int dxOff) {
        int c = g.channels(), h = g.height(), w = g.width(), kh = g.kernelH(), kw = g.kernelW();
        int sh = g.strideH(), sw = g.strideW(), ph = g.padH(), pw = g.padW(), oh = g.outHeight(), ow = g.outWidth();
        int in = g.inputSize(), out = c * oh * ow;
        float scale = 1f / (kh * kw);
        for (int n = 0; n < batch; n++) {
            int xi = dxOff + n * in, o = dyOff + n * out;
            java.util.Arrays.fill(dx, xi, xi + in, 0f);
            for (int ch = 0; ch < c; ch++) {
                int plane = xi + ch * h * w;
                for (int oy = 0; oy < oh; oy++) {
                    int y0 = Math.max(0, oy * sh - ph), y1 = Math.min(h, oy * sh - ph + kh);
                    for (int ox = 0; ox < ow; ox++, o++) {
                        int x0 = Math.max(0, ox * sw - pw), x1 = Math.min(w, ox * sw - pw + kw);
                        float v = dy[o] * scale;
                        for (int iy = y0; iy < y1; iy++) {
                            for (int ix = x0; ix < x1; ix++) {
                                dx[plane + iy * w + ix] += v;
                            }
                        }
                    }
                }
            }
        }
    }

    static void batchNormTraining(int batch, int channels, int spatial, float eps, float[] x, int xOff,
                                  float[] gamma, int gOff, float[] beta, int bOff, float[] y, int yOff,
                                  float[] xhat, int hOff, float[] mean, int mOff, float[] var, int vOff,
                                  float[] rstd, int rOff) {
        int row = channels * spatial;
        double count = (double) batch * spatial;
        for (int c = 0; c < channels; c++) {
            double sum = 0;
            for (int n = 0; n < batch; n++) {
                sum += sum(x, xOff + n * row + c * spatial, spatial);
            }
            double mu = sum / count;
            double sq = 0;
            for (int n = 0; n < batch; n++) {
                sq += squaredDeviations(x, xOff + n * row + c * spatial, spatial, mu);
            }
            double v = sq / count;
            double r = 1 / Math.sqrt(v + eps);
            float ga = gamma[gOff + c], be = beta[bOff + c];
            // x̂ in float: (x − μ)·r with μ and r rounded once (the error stays within a few ulp of x̂).
            float muF = (float) mu, rF = (float) r;
            for (int n = 0; n < batch; n++) {
                int base = n * row + c * spatial;
                if (xhat != null) {
                    for (int s = 0; s < spatial; s++) {
                        float h = (x[xOff + base + s] - muF) * rF;
                        xhat[hOff + base + s] = h;
                        y[yOff + base + s] = Math.fma(ga, h, be);
                    }
                } else {
                    for (int s = 0; s < spatial; s++) {
                        y[yOff + base + s] = Math.fma(ga, (x[xOff + base + s] - muF) * rF, be);
                    }
                }
            }
            if (mean != null) {
                mean[mOff + c] = (float) mu;
            }
            if (var != null) {
                var[vOff + c] = (float) v;
            }
            if (rstd != null) {
                rstd[rOff + c] = (float) r;
            }
        }
    }

    /** Σ x over a run in double, four partial sums (a fixed order) so that the additions overlap. */
    private static double sum(float[] x, int from, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = from, end = from + n, end4 = from + (n & ~3);
        for (; i < end4; i += 4) {
            s0 += x[i];
            s1 += x[i + 1];
            s2 += x[i + 2];
            s3 += x[i + 3];
        }
        for (; i < end; i++) {
            s0 += x[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    private static double squaredDeviations(float[] x, int from, int n, double mu) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = from, end = from + n, end4 = from + (n & ~3);
        for (; i < end4; i += 4) {
            double d0 = x[i] - mu, d1 = x[i + 1] - mu, d2 = x[i + 2] - mu, d3 = x[i + 3] - mu;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < end; i++) {
            double d = x[i] - mu;
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    private static double dotRun(float[] a, int aFrom, float[] b, int bFrom, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0, n4 = n & ~3;
        for (; i < n4; i += 4) {
            s0 += (double) a[aFrom + i] * b[bFrom + i];
            s1 += (double) a[aFrom + i + 1] * b[bFrom + i + 1];
            s2 += (double) a[aFrom + i + 2] * b[bFrom + i + 2];
            s3 += (double) a[aFrom + i + 3] * b[bFrom + i + 3];
        }
        for (; i < n; i++) {
            s0 += (double) a[aFrom + i] * b[bFrom + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    static void batchNormInference(int batch, int channels, int spatial, float eps, float[] x, int xOff,
                                   float[] gamma, int gOff, float[] beta, int bOff, float[] mean, int mOff,
                                   float[] var, int vOff, float[] y, int yOff) {
        int row = channels * spatial;
        for (int c = 0; c < channels; c++) {
            double scale = gamma[gOff + c] / Math.sqrt((double) var[vOff + c] + eps);
            float sc = (float) scale;
            float sh = (float) (beta[bOff + c] - mean[mOff + c] * scale);
            for (int n = 0; n < batch; n++) {
                int base = n * row + c * spatial;
                for (int s = 0; s < spatial; s++) {
                    y[yOff + base + s] = Math.fma(x[xOff + base + s], sc, sh);
                }
            }
        }
    }

    static void batchNormBackward(int batch, int channels, int spatial, float[] dy, int dyOff, float[] xhat, int hOff,
                                  float[] rstd, int rOff, float[] gamma, int gOff, float[] dGamma, int dgOff,
                                  float[] dBeta, int dbOff, float[] dx, int dxOff) {
        int row = channels * spatial;
        double count = (double) batch * spatial;
        for (int c = 0; c < channels; c++) {
            double sdy = 0, sdyx = 0;
            for (int n = 0; n < batch; n++) {
                int base = n * row + c * spatial;
                sdy += sum(dy, dyOff + base, spatial);
                sdyx += dotRun(dy, dyOff + base, xhat, hOff + base, spatial);
            }
            dGamma[dgOff + c] += (float) sdyx;
            dBeta[dbOff + c] += (float) sdy;
            if (dx == null) {
                continue;
            }
            float k = gamma[gOff + c] * rstd[rOff + c];
            float mdy = (float) (sdy / count), mdyx = (float) (sdyx / count);
            for (int n = 0; n < batch; n++) {
                int base = n * row + c * spatial;
                for (int s = 0; s < spatial; s++) {
                    float d = dy[dyOff + base + s];
                    dx[dxOff + base + s] = k * (d - mdy - xhat[hOff + base + s] * mdyx);
                }
            }
        }
    }
}

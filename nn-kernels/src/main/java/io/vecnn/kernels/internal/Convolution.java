package io.vecnn.kernels.internal;

import io.vecnn.kernels.ConvGeometry;

/**
 * Convolution as GEMM over image patches, on the GEMM of the implementation it is given: one image at a
 * time, its patches copied into a per-thread column buffer (im2col, {@code patchSize × positions}), then
 * <ul>
 * <li>forward: Y (Cout × P) = W (Cout × CKK) · cols (+ bias per output channel),</li>
 * <li>weight gradient: ∂W += ∂Y · colsᵀ, bias gradient ∂b += row sums of ∂Y (the outer-product
 *     accumulation over patches, image by image),</li>
 * <li>input gradient: ∂cols = Wᵀ · ∂Y, then col2im adds every column entry back into its image position
 *     in one fixed order (patch row, then position), so the result does not depend on threads.</li>
 * </ul>
 * A 1 × 1 kernel with stride 1 and no padding uses the image itself as its column matrix. GEMM threads
 * split the output blocks only, so results are bit-identical for any thread count.
 */
final class Convolution {
    private Convolution() {
    }

    private static final ThreadLocal<float[][]> COLUMNS = ThreadLocal.withInitial(() -> new float[1][0]);

    private static float[] columns(int size) {
        float[][] holder = COLUMNS.get();
        if (holder[0].length < size) {
            holder[0] = new float[size];
        }
        return holder[0];
    }

    static boolean pointwise(ConvGeometry g) {
        return g.kernelH() == 1 && g.kernelW() == 1 && g.strideH() == 1 && g.strideW() == 1 && g.padH() == 0
                && g.padW() == 0;
    }

    /** cols[(c·kh + i)·kw + j, oy·OW + ox] = x[c, oy·sh − ph + i, ox·sw − pw + j], 0 outside the image. */
    static void im2col(ConvGeometry g, float[] x, int xOff, float[] cols, int cOff) {
        int h = g.height(), w = g.width(), kh = g.kernelH(), kw = g.kernelW();
        int sh = g.strideH(), sw = g.strideW(), ph = g.padH(), pw = g.padW();
        int oh = g.outHeight(), ow = g.outWidth(), p = oh * ow;
        int r = 0;
        for (int c = 0; c < g.channels(); c++) {
            int plane = xOff + c * h * w;
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++, r++) {
                    int dst = cOff + r * p;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * sh - ph + i;
                        int row = dst + oy * ow;
                        if (iy < 0 || iy >= h) {
                            java.util.Arrays.fill(cols, row, row + ow, 0f);
                            continue;
                        }
                        int src = plane + iy * w;
                        if (sw == 1) {
                            // Columns ox with 0 <= ox - pw + j < w: one contiguous copy between zeros.
                            int lo = Math.max(0, pw - j), hi = Math.min(ow, w + pw - j);
                            if (hi <= lo) {
                                java.util.Arrays.fill(cols, row, row + ow, 0f);
                                continue;
                            }
                            java.util.Arrays.fill(cols, row, row + lo, 0f);
                            System.arraycopy(x, src + lo - pw + j, cols, row + lo, hi - lo);
                            java.util.Arrays.fill(cols, row + hi, row + ow, 0f);
                        } else {
                            for (int ox = 0; ox < ow; ox++) {
                                int ix = ox * sw - pw + j;
                                cols[row + ox] = ix >= 0 && ix < w ? x[src + ix] : 0f;
                            }
                        }
                    }
                }
            }
        }
    }

    /** dx[c, iy, ix] += cols[...] for every patch entry inside the image, in patch-row then position order. */
    static void col2imAdd(ConvGeometry g, float[] cols, int cOff, float[] dx, int xOff) {
        int h = g.height(), w = g.width(), kh = g.kernelH(), kw = g.kernelW();
        int sh = g.strideH(), sw = g.strideW(), ph = g.padH(), pw = g.padW();
        int oh = g.outHeight(), ow = g.outWidth(), p = oh * ow;
        int r = 0;
        for (int c = 0; c < g.channels(); c++) {
            int plane = xOff + c * h * w;
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++, r++) {
                    int src = cOff + r * p;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * sh - ph + i;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        int row = plane + iy * w;
                        int s = src + oy * ow;
                        if (sw == 1) {
                            int lo = Math.max(0, pw - j), hi = Math.min(ow, w + pw - j);
                            int d = row - pw + j;
                            for (int ox = lo; ox < hi; ox++) {
                                dx[d + ox] += cols[s + ox];
                            }
                        } else {
                            for (int ox = 0; ox < ow; ox++) {
                                int ix = ox * sw - pw + j;
                                if (ix >= 0 && ix < w) {
                                    dx[row + ix] += cols[s + ox];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static void forward(KernelImpl impl, ConvGeometry g, int batch, int outChannels, float[] x, int xOff,
                        float[] w, int wOff, float[] bias, int bOff, float[] y, int yOff) {
        int in = g.inputSize(), p = g.outputPositions(), k = g.patchSize(), out = outChannels * p;
        boolean direct = pointwise(g);
        float[] cols = direct ? null : columns(k * p);
        for (int n = 0; n < batch; n++) {
            int yo = yOff + n * out;
            if (bias != null) {
                for (int co = 0; co < outChannels; co++) {
                    java.util.Arrays.fill(y, yo + co * p, yo + (co + 1) * p, bias[bOff + co]);
                }
            }
            float beta = bias != null ? 1f : 0f;
            if (direct) {
                impl.gemm(false, false, outChannels, p, k, 1f, w, wOff, k, x, xOff + n * in, p, beta, y, yo, p);
            } else {
                im2col(g, x, xOff + n * in, cols, 0);
                impl.gemm(false, false, outChannels, p, k, 1f, w, wOff, k, cols, 0, p, beta, y, yo, p);
            }
        }
    }

    static void backwardFilter(KernelImpl impl, ConvGeometry g, int batch, int outChannels, float[] x, int xOff,
                               float[] dy, int dyOff, float[] dw, int dwOff, float[] db, int dbOff) {
        int in = g.inputSize(), p = g.outputPositions(), k = g.patchSize(), out = outChannels * p;
        boolean direct = pointwise(g);
        float[] cols = direct ? null : columns(k * p);
        for (int n = 0; n < batch; n++) {
            int d = dyOff + n * out;
            if (direct) {
                impl.gemm(false, true, outChannels, k, p, 1f, dy, d, p, x, xOff + n * in, p, 1f, dw, dwOff, k);
            } else {
                im2col(g, x, xOff + n * in, cols, 0);
                impl.gemm(false, true, outChannels, k, p, 1f, dy, d, p, cols, 0, p, 1f, dw, dwOff, k);
            }
            if (db != null) {
                for (int co = 0; co < outChannels; co++) {
                    float s = 0;
                    for (int i = d + co * p, e = i + p; i < e; i++) {
                        s += dy[i];
                    }
                    db[dbOff + co] += s;
                }
            }
        }
    }

    static void backwardData(KernelImpl impl, ConvGeometry g, int batch, int outChannels, float[] dy, int dyOff,
                             float[] w, int wOff, float[] dx, int dxOff) {
        int in = g.inputSize(), p = g.outputPositions(), k = g.patchSize(), out = outChannels * p;
        boolean direct = pointwise(g);
        float[] cols = direct ? null : columns(k * p);
        for (int n = 0; n < batch; n++) {
            int xo = dxOff + n * in;
            if (direct) {
                impl.gemm(true, false, k, p, outChannels, 1f, w, wOff, k, dy, dyOff + n * out, p, 0f, dx, xo, p);
            } else {
                impl.gemm(true, false, k, p, outChannels, 1f, w, wOff, k, dy, dyOff + n * out, p, 0f, cols, 0, p);
                java.util.Arrays.fill(dx, xo, xo + in, 0f);
                col2imAdd(g, cols, 0, dx, xo);
            }
        }
    }
}

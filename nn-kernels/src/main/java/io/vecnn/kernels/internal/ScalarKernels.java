package io.vecnn.kernels.internal;

import io.vecnn.kernels.ActivationKind;

/**
 * The reference implementation: plain loops written to be obviously right. Transcendental
 * functions are evaluated in double and rounded once to float. Dot products accumulate in float,
 * in index order, as a straightforward float32 implementation would.
 *
 * <p>{@link #INSTANCE} runs on the calling thread. {@link #withThreads} gives the fallback the
 * configured GEMM threads: rows of C are split among them, and each element is the same loop as on
 * one thread, so results do not depend on the thread count.
 */
public final class ScalarKernels implements KernelImpl {
    public static final ScalarKernels INSTANCE = new ScalarKernels(1);
    /** The smallest m·n·k split across threads (the plain loop runs at a few GFLOPS). */
    static final long PARALLEL_MIN_WORK = 32L * 32 * 32;
    private static final ThreadLocal<RowSplit> SPLIT = ThreadLocal.withInitial(RowSplit::new);

    static final double GELU_C = Math.sqrt(2.0 / Math.PI);
    static final double GELU_K = 0.044715;
    /** |z| beyond which GELU′ is 0 or 1 to float precision; the derivative is evaluated clamped. */
    public static final float GELU_CLAMP = 10f;

    private final int threads;
    private final WorkerPool pool;

    private ScalarKernels(int threads) {
        this.threads = threads;
        this.pool = threads > 1 ? WorkerPool.shared(threads - 1) : null;
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public KernelImpl withThreads(int threads) {
        return threads == this.threads ? this : threads == 1 ? INSTANCE : new ScalarKernels(threads);
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        int parts = Math.min(threads, m);
        if (parts > 1 && (long) m * n * k >= PARALLEL_MIN_WORK) {
            RowSplit split = SPLIT.get();
            split.set(parts, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            try {
                if (pool.tryRun(split, parts)) {
                    return;
                }
            } finally {
                split.a = split.b = split.c = null;
            }
        }
        gemmRows(transA, transB, 0, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /** Rows [i0, i1) of C = α·op(A)·op(B) + β·C. */
    static void gemmRows(boolean transA, boolean transB, int i0, int i1, int n, int k, float alpha,
                         float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                         float beta, float[] c, int cOff, int ldc) {
        for (int i = i0; i < i1; i++) {
            for (int j = 0; j < n; j++) {
                int ci = cOff + i * ldc + j;
                float sum = 0f;
                if (alpha != 0) {
                    for (int p = 0; p < k; p++) {
                        float aip = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                        float bpj = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                        sum += aip * bpj;
                    }
                }
                c[ci] = beta == 0 ? alpha * sum : alpha * sum + beta * c[ci];
            }
        }
    }

    /** C split into contiguous row ranges, one per part; reused per calling thread (no allocation per call). */
    private static final class RowSplit implements WorkerPool.Task {
        int parts, m, n, k, aOff, lda, bOff, ldb, cOff, ldc;
        boolean transA, transB;
        float alpha, beta;
        float[] a, b, c;

        void set(int parts, boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                 float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
            this.parts = parts;
            this.transA = transA;
            this.transB = transB;
            this.m = m;
            this.n = n;
            this.k = k;
            this.alpha = alpha;
            this.a = a;
            this.aOff = aOff;
            this.lda = lda;
            this.b = b;
            this.bOff = bOff;
            this.ldb = ldb;
            this.beta = beta;
            this.c = c;
            this.cOff = cOff;
            this.ldc = ldc;
        }

        @Override
        public void run(int part) {
            int i0 = (int) ((long) m * part / parts);
            int i1 = (int) ((long) m * (part + 1) / parts);
            gemmRows(transA, transB, i0, i1, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }

    @Override
    public void rank1Update(int m, int n, float alpha, float[] x, int xOff, float[] y, int yOff,
                            float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            float ax = alpha * x[xOff + i];
            for (int j = 0; j < n; j++) {
                c[cOff + i * ldc + j] += ax * y[yOff + j];
            }
        }
    }

    @Override
    public void accumulateColumnSums(int rows, int cols, float[] x, int xOff, int ldx, float[] sums, int sOff) {
        for (int j = 0; j < cols; j++) {
            float s = sums[sOff + j];
            for (int i = 0; i < rows; i++) {
                s += x[xOff + i * ldx + j];
            }
            sums[sOff + j] = s;
        }
    }

    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

    /** Φ(z) = ½·erfc(−z/√2), the standard normal distribution function, in double. */
    public static double normalCdf(double z) {
        return 0.5 * erfc(-z * Math.sqrt(0.5));
    }

    /**
     * erfc x in double, relative error below 1e−12: for |x| &lt; 1.5 as 1 − erf x from erf's Taylor
     * series (its terms fall below 1e−17 of the sum), for x ≥ 1.5 from the continued fraction
     * erfc x = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …)))) with 60 terms, and erfc(−x) = 2 − erfc x.
     */
    public static double erfc(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        if (x <= -1.5) {
            return 2 - erfc(-x);
        }
        if (x < 1.5) {
            double sum = 0, power = x; // power = (−1)^k x^(2k+1) / k!
            for (int k = 0; k < 100; k++) {
                double term = power / (2 * k + 1);
                sum += term;
                if (Math.abs(term) <= 1e-17 * Math.abs(sum)) {
                    break;
                }
                power *= -x * x / (k + 1);
            }
            return 1 - TWO_OVER_SQRT_PI * sum;
        }
        if (x > 27) {
            return 0; // e^(−x²) underflows double
        }
        double f = x;
        for (int k = 60; k >= 1; k--) {
            f = x + 0.5 * k / f;
        }
        return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
    }

    /** f(z) for one element, evaluated in double. */
    public static float activate(ActivationKind f, float alpha, float zf) {
        double z = zf;
        double r = switch (f) {
            case IDENTITY -> z;
            case SIGMOID -> 1.0 / (1.0 + Math.exp(-z));
            case TANH -> Math.tanh(z);
            case RELU -> Math.max(z, 0.0);
            case LEAKY_RELU -> z > 0 ? z : alpha * z;
            case ELU -> z > 0 ? z : alpha * Math.expm1(z);
            case GELU -> 0.5 * z * (1.0 + Math.tanh(GELU_C * (z + GELU_K * z * z * z)));
            case GELU_ERF -> z * normalCdf(z);
            case SOFTPLUS -> Math.max(z, 0.0) + Math.log1p(Math.exp(-Math.abs(z)));
            case SILU -> z / (1.0 + Math.exp(-z));
        };
        return (float) r;
    }

    /** f′ for one element, from the stored output or the pre-activation as the kind says. */
    public static float derivative(ActivationKind f, float alpha, float savedF) {
        double s = savedF;
        double r = switch (f) {
            case IDENTITY -> 1.0;
            case SIGMOID -> s * (1.0 - s);
            case TANH -> 1.0 - s * s;
            case RELU -> s > 0 ? 1.0 : 0.0;
            case LEAKY_RELU -> s > 0 ? 1.0 : alpha;
            case ELU -> s > 0 ? 1.0 : alpha * Math.exp(s);
            case GELU -> {
                double z = Math.max(-GELU_CLAMP, Math.min(GELU_CLAMP, s));
                if (Double.isNaN(s)) {
                    z = s;
                }
                double t = Math.tanh(GELU_C * (z + GELU_K * z * z * z));
                yield 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * GELU_K * z * z);
            }
            case GELU_ERF -> {
                double z = Double.isNaN(s) ? s : Math.max(-GELU_CLAMP, Math.min(GELU_CLAMP, s));
                yield normalCdf(z) + z * Math.exp(-0.5 * z * z) * INV_SQRT_2PI;
            }
            case SOFTPLUS -> 1.0 / (1.0 + Math.exp(-s));
            case SILU -> {
                double sig = 1.0 / (1.0 + Math.exp(-s));
                yield sig * (1.0 + s * (1.0 - sig));
            }
        };
        return (float) r;
    }

    @Override
    public void biasActivation(ActivationKind f, float alpha, int rows, int cols, float[] z, int zOff, int ldz,
                               float[] bias, int bOff, float[] h, int hOff, int ldh) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                float zij = z[zOff + i * ldz + j];
                if (bias != null) {
                    zij += bias[bOff + j];
                    z[zOff + i * ldz + j] = zij;
                }
                h[hOff + i * ldh + j] = activate(f, alpha, zij);
            }
        }
    }

    @Override
    public void activationBackward(ActivationKind f, float alpha, int n, float[] grad, int gOff,
                                   float[] saved, int sOff, float[] delta, int dOff) {
        for (int i = 0; i < n; i++) {
            delta[dOff + i] = grad[gOff + i] * derivative(f, alpha, saved[sOff + i]);
        }
    }

    @Override
    public void softmax(int rows, int cols, float[] x, int xOff, int ldx, float[] y, int yOff, int ldy) {
        for (int i = 0; i < rows; i++) {
            int xr = xOff + i * ldx;
            int yr = yOff + i * ldy;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, x[xr + j]);
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += Math.exp((double) x[xr + j] - max);
            }
            for (int j = 0; j < cols; j++) {
                y[yr + j] = (float) (Math.exp((double) x[xr + j] - max) / sum);
            }
        }
    }

    @Override
    public double softmaxCrossEntropy(int rows, int cols, float[] logits, int lOff, int ldl,
                                      int[] labels, int labOff, float[] targets, int tOff, int ldt,
                                      float[] grad, int gOff, int ldg) {
        double total = 0;
        double invRows = 1.0 / rows;
        for (int i = 0; i < rows; i++) {
            int lr = lOff + i * ldl;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, logits[lr + j]);
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += Math.exp((double) logits[lr + j] - max);
            }
            double logSum = Math.log(sum);
            // −log softmax(z)_j = log Σ e^(z−max) − (z_j − max)
            double rowLoss = 0;
            for (int j = 0; j < cols; j++) {
                double y = labels != null ? (labels[labOff + i] == j ? 1 : 0) : targets[tOff + i * ldt + j];
                if (y != 0) {
                    rowLoss += y * (logSum - ((double) logits[lr + j] - max));
                }
            }
            total += rowLoss;
            if (grad != null) {
                for (int j = 0; j < cols; j++) {
                    double y = labels != null ? (labels[labOff + i] == j ? 1 : 0) : targets[tOff + i * ldt + j];
                    double p = Math.exp((double) logits[lr + j] - max) / sum;
                    grad[gOff + i * ldg + j] = (float) ((p - y) * invRows);
                }
            }
        }
        return total * invRows;
    }

    @Override
    public double binaryCrossEntropyWithLogits(int rows, int cols, float[] logits, int lOff, int ldl,
                                               float[] targets, int tOff, int ldt, float[] grad, int gOff, int ldg) {
        double total = 0;
        double invRows = 1.0 / rows;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double z = logits[lOff + i * ldl + j];
                double y = targets[tOff + i * ldt + j];
                total += Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
                if (grad != null) {
                    grad[gOff + i * ldg + j] = (float) ((1.0 / (1.0 + Math.exp(-z)) - y) * invRows);
                }
            }
        }
        return total * invRows;
    }

    @Override
    public double squaredErrors(int rows, int cols, float[] a, int aOff, int lda, float[] y, int yOff, int ldy,
                                float[] grad, int gOff, int ldg, float gradScale) {
        double total = 0;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                float d = a[aOff + i * lda + j] - y[yOff + i * ldy + j];
                total += (double) d * d;
                if (grad != null) {
                    grad[gOff + i * ldg + j] = d * gradScale;
                }
            }
        }
        return total;
    }

    @Override
    public double absoluteErrors(int rows, int cols, float[] a, int aOff, int lda, float[] y, int yOff, int ldy,
                                 float[] grad, int gOff, int ldg, float gradScale) {
        double total = 0;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                float d = a[aOff + i * lda + j] - y[yOff + i * ldy + j];
                total += Math.abs(d);
                if (grad != null) {
                    grad[gOff + i * ldg + j] = d > 0 ? gradScale : d < 0 ? -gradScale : 0f * d;
                }
            }
        }
        return total;
    }

    @Override
    public double huberErrors(int rows, int cols, float delta, float[] a, int aOff, int lda, float[] y, int yOff, int ldy,
                              float[] grad, int gOff, int ldg, float gradScale) {
        double total = 0;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double d = (double) a[aOff + i * lda + j] - y[yOff + i * ldy + j];
                double ad = Math.abs(d);
                total += ad < delta ? 0.5 * d * d : delta * (ad - 0.5 * delta);
                if (grad != null) {
                    grad[gOff + i * ldg + j] = (float) (Math.max(-delta, Math.min(delta, d)) * gradScale);
                }
            }
        }
        return total;
    }

    @Override
    public double weightedSoftmaxCrossEntropy(int rows, int cols, float[] logits, int lOff, int ldl,
                                              float[] targets, int tOff, int ldt, float[] weights, int wOff,
                                              float smoothing, float[] grad, int gOff, int ldg) {
        double norm = rows;
        if (weights != null) {
            norm = 0;
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    norm += (double) weights[wOff + j] * targets[tOff + i * ldt + j];
                }
            }
        }
        double keep = 1.0 - smoothing;
        double uniform = (double) smoothing / cols;
        double total = 0;
        for (int i = 0; i < rows; i++) {
            int lr = lOff + i * ldl;
            int tr = tOff + i * ldt;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, logits[lr + j]);
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += Math.exp((double) logits[lr + j] - max);
            }
            double logSum = Math.log(sum);
            double rowLoss = 0;
            double rowWeight = 0; // Σⱼ wⱼqⱼ
            for (int j = 0; j < cols; j++) {
                double v = (keep * targets[tr + j] + uniform) * (weights == null ? 1.0 : weights[wOff + j]);
                rowWeight += v;
                if (v != 0) {
                    rowLoss += v * (logSum - ((double) logits[lr + j] - max));
                }
            }
            total += rowLoss;
            if (grad != null) {
                for (int j = 0; j < cols; j++) {
                    double v = (keep * targets[tr + j] + uniform) * (weights == null ? 1.0 : weights[wOff + j]);
                    double p = Math.exp((double) logits[lr + j] - max) / sum;
                    grad[gOff + i * ldg + j] = (float) ((p * rowWeight - v) / norm);
                }
            }
        }
        return total / norm;
    }

    @Override
    public void layerNorm(int rows, int cols, float eps, float[] x, int xOff, int ldx, float[] gamma, int gOff,
                          float[] beta, int bOff, float[] y, int yOff, int ldy, float[] xhat, int hOff, int ldh,
                          float[] rstd, int rOff) {
        for (int i = 0; i < rows; i++) {
            int xr = xOff + i * ldx;
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += x[xr + j];
            }
            double mean = sum / cols;
            double sq = 0;
            for (int j = 0; j < cols; j++) {
                double d = x[xr + j] - mean;
                sq += d * d;
            }
            float r = (float) (1 / Math.sqrt(sq / cols + eps));
            if (rstd != null) {
                rstd[rOff + i] = r;
            }
            for (int j = 0; j < cols; j++) {
                float h = (float) (((double) x[xr + j] - mean) * r);
                if (xhat != null) {
                    xhat[hOff + i * ldh + j] = h;
                }
                y[yOff + i * ldy + j] = (float) ((double) gamma[gOff + j] * h + beta[bOff + j]);
            }
        }
    }

    @Override
    public void layerNormBackward(int rows, int cols, float[] dy, int dyOff, int lddy, float[] xhat, int hOff, int ldh,
                                  float[] rstd, int rOff, float[] gamma, int gOff, float[] dGamma, int dgOff,
                                  float[] dBeta, int dbOff, float[] dx, int dxOff, int lddx) {
        for (int i = 0; i < rows; i++) {
            int dr = dyOff + i * lddy;
            int hr = hOff + i * ldh;
            double a = 0, b = 0;
            for (int j = 0; j < cols; j++) {
                float g = dy[dr + j];
                float h = xhat[hr + j];
                dGamma[dgOff + j] += g * h;
                dBeta[dbOff + j] += g;
                double gh = (double) g * gamma[gOff + j];
                a += gh;
                b += gh * h;
            }
            if (dx == null) {
                continue;
            }
            a /= cols;
            b /= cols;
            double r = rstd[rOff + i];
            for (int j = 0; j < cols; j++) {
                double gh = (double) dy[dr + j] * gamma[gOff + j];
                dx[dxOff + i * lddx + j] = (float) (r * (gh - a - xhat[hr + j] * b));
            }
        }
    }

    @Override
    public void gatherRows(int n, int cols, float[] table, int tOff, int ldt, int[] index, int iOff, float[] y, int yOff,
                           int ldy) {
        for (int i = 0; i < n; i++) {
            int src = tOff + index[iOff + i] * ldt;
            int dst = yOff + i * ldy;
            for (int j = 0; j < cols; j++) {
                y[dst + j] = table[src + j];
            }
        }
    }

    @Override
    public void scatterAddRows(int n, int cols, float[] x, int xOff, int ldx, int[] index, int iOff, float[] table, int tOff,
                               int ldt) {
        for (int i = 0; i < n; i++) {
            int dst = tOff + index[iOff + i] * ldt;
            int src = xOff + i * ldx;
            for (int j = 0; j < cols; j++) {
                table[dst + j] += x[src + j];
            }
        }
    }

    @Override
    public void sgd(int n, float[] w, int wOff, float[] g, int gOff, float[] velocity, int vOff,
                    float lr, float momentum, float weightDecay, boolean nesterov) {
        for (int i = 0; i < n; i++) {
            float wi = w[wOff + i];
            float gi = g[gOff + i] + weightDecay * wi;
            float step = gi;
            if (velocity != null) {
                float v = momentum * velocity[vOff + i] + gi;
                velocity[vOff + i] = v;
                step = nesterov ? gi + momentum * v : v;
            }
            w[wOff + i] = wi - lr * step;
        }
    }

    @Override
    public void adam(int n, float[] w, int wOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff,
                     float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled, long step) {
        float stepSize = (float) (lr / (1 - Math.pow(beta1, step)));
        float invSqrtBc2 = (float) (1 / Math.sqrt(1 - Math.pow(beta2, step)));
        float decay = decoupled ? 1 - lr * weightDecay : 1f;
        for (int i = 0; i < n; i++) {
            float wi = w[wOff + i];
            float gi = g[gOff + i];
            if (decoupled) {
                wi *= decay;
            } else {
                gi += weightDecay * wi;
            }
            float mi = beta1 * m[mOff + i] + (1 - beta1) * gi;
            float vi = beta2 * v[vOff + i] + (1 - beta2) * gi * gi;
            m[mOff + i] = mi;
            v[vOff + i] = vi;
            w[wOff + i] = wi - stepSize * mi / ((float) Math.sqrt(vi) * invSqrtBc2 + eps);
        }
    }

    @Override
    public void rmsprop(int n, float[] w, int wOff, float[] g, int gOff, float[] sq, int sOff,
                        float lr, float rho, float eps, float weightDecay) {
        for (int i = 0; i < n; i++) {
            float wi = w[wOff + i];
            float gi = g[gOff + i] + weightDecay * wi;
            float s = rho * sq[sOff + i] + (1 - rho) * gi * gi;
            sq[sOff + i] = s;
            w[wOff + i] = wi - lr * gi / ((float) Math.sqrt(s) + eps);
        }
    }

    @Override
    public void adagrad(int n, float[] w, int wOff, float[] g, int gOff, float[] sum, int sOff,
                        float lr, float eps, float weightDecay) {
        for (int i = 0; i < n; i++) {
            float wi = w[wOff + i];
            float gi = g[gOff + i] + weightDecay * wi;
            float s = sum[sOff + i] + gi * gi;
            sum[sOff + i] = s;
            w[wOff + i] = wi - lr * gi / ((float) Math.sqrt(s) + eps);
        }
    }

    @Override
    public double sumOfSquares(int n, float[] x, int xOff) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            double v = x[xOff + i];
            s += v * v;
        }
        return s;
    }
}

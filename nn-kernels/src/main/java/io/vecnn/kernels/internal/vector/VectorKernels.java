package io.vecnn.kernels.internal.vector;

import io.vecnn.kernels.ActivationKind;
import io.vecnn.kernels.internal.KernelImpl;
import io.vecnn.kernels.internal.ScalarKernels;
import io.vecnn.kernels.internal.WorkerPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API implementation. Loaded only by reflection from
 * {@link io.vecnn.kernels.internal.KernelSelection} when {@code jdk.incubator.vector} is present.
 * Element-wise loops run whole vectors and finish with one masked vector, so every element goes
 * through the same float arithmetic.
 */
public final class VectorKernels implements KernelImpl {
    private static final VectorSpecies<Float> S = VectorGemm.S;
    private static final int L = S.length();
    private static final float GELU_C = (float) Math.sqrt(2.0 / Math.PI);
    private static final float GELU_K = 0.044715f;
    private static final float GELU_K3 = 3 * 0.044715f;

    private final int threads;
    private final WorkerPool pool;

    private VectorKernels(int threads) {
        this.threads = threads;
        this.pool = threads > 1 ? WorkerPool.shared(threads - 1) : null;
    }

    /** Called reflectively by the provider. */
    public static VectorKernels create(int threads) {
        return new VectorKernels(threads);
    }

    @Override
    public String name() {
        return "vector(" + S.vectorBitSize() + "-bit, " + L + " floats)";
    }

    @Override
    public KernelImpl withThreads(int t) {
        return new VectorKernels(t);
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        VectorGemm.gemm(pool, threads, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    @Override
    public void rank1Update(int m, int n, float alpha, float[] x, int xOff, float[] y, int yOff,
                            float[] c, int cOff, int ldc) {
        int upper = S.loopBound(n);
        for (int i = 0; i < m; i++) {
            FloatVector ax = FloatVector.broadcast(S, alpha * x[xOff + i]);
            int row = cOff + i * ldc;
            int j = 0;
            for (; j < upper; j += L) {
                ax.fma(FloatVector.fromArray(S, y, yOff + j), FloatVector.fromArray(S, c, row + j))
                        .intoArray(c, row + j);
            }
            if (j < n) {
                VectorMask<Float> mask = S.indexInRange(j, n);
                ax.fma(FloatVector.fromArray(S, y, yOff + j, mask), FloatVector.fromArray(S, c, row + j, mask))
                        .intoArray(c, row + j, mask);
            }
        }
    }

    @Override
    public void accumulateColumnSums(int rows, int cols, float[] x, int xOff, int ldx, float[] sums, int sOff) {
        // Column blocks outer, rows inner: each sum is s + x0 + x1 + ... in row order, as in the reference.
        for (int j = 0; j < cols; j += L) {
            VectorMask<Float> mask = S.indexInRange(j, cols);
            FloatVector acc = FloatVector.fromArray(S, sums, sOff + j, mask);
            for (int i = 0; i < rows; i++) {
                acc = acc.add(FloatVector.fromArray(S, x, xOff + i * ldx + j, mask));
            }
            acc.intoArray(sums, sOff + j, mask);
        }
    }

    // ------------------------------------------------------------------- activations

    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);

    /** 1/(1 + e^−z): 18 operations and one division (a negation, the exp's 16, an addition). */
    private static FloatVector sigmoid(FloatVector z) {
        return ONE.div(VectorMath.exp(z.neg()).add(1f));
    }

    // One loop per activation kind, each calling its vector function directly. A shared loop that
    // switches on the kind per vector compiles well only while a single kind has run (C2 prunes the
    // other cases from the profile); once a network uses two kinds the switch no longer fits C2's
    // inlining budget and every vector is boxed (64 KB allocated per 4,096 elements, measured).
    // Keep each helper small so that it is always inlined.

    /**
     * ½z(1 + tanh u) = z·σ(2u) = z / (1 + e^(−2u)), u = √(2/π)(z + 0.044715z³): no cancellation, one
     * exp; 21 operations and one division (4 for −2u, the exp's 16, an addition).
     */
    private static FloatVector gelu(FloatVector z) {
        FloatVector minusTwoU = z.mul(z).fma(GELU_K, 1f).mul(z.mul(-2 * GELU_C));
        return z.div(VectorMath.exp(minusTwoU).add(1f));
    }

    /** σ(2u) + z·σ(2u)·(1 − σ(2u))·2u′ with 1 − σ = e·σ, e = exp(−2u); the clamp keeps e finite. */
    private static FloatVector geluDerivative(FloatVector s) {
        FloatVector z = s.max(-ScalarKernels.GELU_CLAMP).min(ScalarKernels.GELU_CLAMP);
        FloatVector z2 = z.mul(z);
        FloatVector e = VectorMath.exp(z2.fma(GELU_K, 1f).mul(z.mul(-2 * GELU_C)));
        FloatVector sig = ONE.div(e.add(1f));
        FloatVector twoDu = z2.fma(GELU_K3, 1f).mul(2 * GELU_C);
        return z.mul(sig.mul(e).mul(sig)).mul(twoDu).add(sig);
    }

    /** Φ(z) + z·φ(z), with z clamped to ±10 as the tanh form's derivative (0 or 1 to float precision there). */
    private static FloatVector geluErfDerivative(FloatVector s) {
        FloatVector z = s.max(-ScalarKernels.GELU_CLAMP).min(ScalarKernels.GELU_CLAMP);
        FloatVector e = VectorMath.gaussian(z);
        return z.fma(e.mul(INV_SQRT_2PI), VectorMath.normalCdf(z, e));
    }

    private static final float INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));

    private static FloatVector softplus(FloatVector z) {
        return z.max(0f).add(VectorMath.log1pUnit(VectorMath.exp(z.abs().neg())));
    }

    private static FloatVector siluDerivative(FloatVector s) {
        FloatVector sig = sigmoid(s);
        return s.mul(sig.neg().add(1f)).add(1f).mul(sig);
    }

    @Override
    public void biasActivation(ActivationKind f, float alpha, int rows, int cols, float[] z, int zOff, int ldz,
                               float[] bias, int bOff, float[] h, int hOff, int ldh) {
        for (int i = 0; i < rows; i++) {
            int zr = zOff + i * ldz;
            int hr = hOff + i * ldh;
            int j = switch (f) {
                case IDENTITY -> fwdIdentity(cols, z, zr, bias, bOff, h, hr);
                case SIGMOID -> fwdSigmoid(cols, z, zr, bias, bOff, h, hr);
                case TANH -> fwdTanh(cols, z, zr, bias, bOff, h, hr);
                case RELU -> fwdRelu(cols, z, zr, bias, bOff, h, hr);
                case LEAKY_RELU -> fwdLeakyRelu(cols, alpha, z, zr, bias, bOff, h, hr);
                case ELU -> fwdElu(cols, alpha, z, zr, bias, bOff, h, hr);
                case GELU -> fwdGelu(cols, z, zr, bias, bOff, h, hr);
                case GELU_ERF -> fwdGeluErf(cols, z, zr, bias, bOff, h, hr);
                case SOFTPLUS -> fwdSoftplus(cols, z, zr, bias, bOff, h, hr);
                case SILU -> fwdSilu(cols, z, zr, bias, bOff, h, hr);
            };
            if (j < cols) { // the rest of the row through the reference
                ScalarKernels.INSTANCE.biasActivation(f, alpha, 1, cols - j, z, zr + j, ldz,
                        bias, bOff + j, h, hr + j, ldh);
            }
        }
    }

    /** z + b for one vector (b may be null), stored back to z when a bias is added. */
    private static FloatVector biased(float[] z, int zi, float[] bias, int bi) {
        FloatVector v = FloatVector.fromArray(S, z, zi);
        if (bias != null) {
            v = v.add(FloatVector.fromArray(S, bias, bi));
            v.intoArray(z, zi);
        }
        return v;
    }

    // Each forward loop returns where it stopped; the caller finishes the row.
    private static int fwdIdentity(int n, float[] z, int zi, float[] b, int bi, float[] h, int hi) {
        int j = 0;
        for (int u = S.loopBound(n); j < u; j += L) {
            biased(z, zi + j, b, bi + j).intoArray(h, hi + j);
        }
        return j;
    }

    private static int fwdSigmoid(int n, float[] z, int zi, float[] b, int bi, float[] h, int hi) {
        int j = 0;
        for (int u = S.loopBound(n); j < u; j += L) {
            sigmoid(biased(z, zi + j, b, bi + j)).intoArray(h, hi + j);
        }
        return j;
    }

    private static int fwdTanh(int n, float[] z, int zi, float[] b, int bi, float[] h, int hi) {
        int j = 0;
        for (int u = S.loopBound(n); j < u; j += L) {
            VectorMath.tanh(biased(z, zi + j, b, bi + j)).intoArray(h, hi + j);
        }
        return j;
    }

    private static int fwdRelu(int n, float[] z, int zi, float[] b, int bi, float[] h, int hi) {
        int j = 0;
        for (int u = S.loopBound(n); j < u; j += L) {
            biased(z, zi + j, b, bi + j).max(0f).intoArray(h, hi + j);
        }
        return j;
    }

    private static int fwdLeakyRelu(int n, float alpha, float[] z, int zi, float[] b, int bi, float[] h, int hi) {
        int j = 0;
        for (int u = S.loopBound(n); j < u; j += L) {
            FloatVector v = biased(z, zi + j, b, bi + j);
            v.blend(v.mul(alpha), v.compare(VectorOperators.LE, 0f)).intoArray(h, hi + j);
        }
        return j;
    }

    private static int fwdElu(int n, float alpha, float[] z, int zi, float[] b, int bi, float[] h, int hi) {
        int j = 0;
        for (int u = S.loopBound(n); j < u; j += L) {
            FloatVector v = biased(z, zi + j, b, bi + j);
            v.blend(VectorMath.expm1(v.min(0f)).mul(alpha), v.compare(VectorOperators.LE, 0f))
                    .intoArray(h, hi + j);
        }
        return j;
    }

    private static int fwdGelu(int n, float[] z, int zi, float[] b, int bi, float[] h, int hi) {
        int j = 0;
        for (int u = S.loopBound(n); j < u; j += L) {
            gelu(biased(z, zi + j, b, bi + j)).intoArray(h, hi + j);
        }
        return j;
    }

    private static int fwdGeluErf(int n, float[] z, int zi, float[] b, int bi, float[] h, int hi) {
        int j = 0;
        for (int u = S.loopBound(n); j < u; j += L) {
            VectorMath.geluErf(biased(z, zi + j, b, bi + j)).intoArray(h, hi + j);
        }
        return j;
    }

    private static int fwdSoftplus(int n, float[] z, int zi, float[] b, int bi, float[] h, int hi) {
        int j = 0;
        for (int u = S.loopBound(n); j < u; j += L) {
            softplus(biased(z, zi + j, b, bi + j)).intoArray(h, hi + j);
        }
        return j;
    }

    private static int fwdSilu(int n, float[] z, int zi, float[] b, int bi, float[] h, int hi) {
        int j = 0;
        for (int u = S.loopBound(n); j < u; j += L) {
            FloatVector v = biased(z, zi + j, b, bi + j);
            v.mul(sigmoid(v)).intoArray(h, hi + j);
        }
        return j;
    }

    @Override
    public void activationBackward(ActivationKind f, float alpha, int n, float[] grad, int gOff,
                                   float[] saved, int sOff, float[] delta, int dOff) {
        int i = switch (f) {
            case IDENTITY -> bwdIdentity(n, grad, gOff, delta, dOff);
            case SIGMOID -> bwdSigmoid(n, grad, gOff, saved, sOff, delta, dOff);
            case TANH -> bwdTanh(n, grad, gOff, saved, sOff, delta, dOff);
            case RELU -> bwdRelu(n, 0f, grad, gOff, saved, sOff, delta, dOff);
            case LEAKY_RELU -> bwdRelu(n, alpha, grad, gOff, saved, sOff, delta, dOff);
            case ELU -> bwdElu(n, alpha, grad, gOff, saved, sOff, delta, dOff);
            case GELU -> bwdGelu(n, grad, gOff, saved, sOff, delta, dOff);
            case GELU_ERF -> bwdGeluErf(n, grad, gOff, saved, sOff, delta, dOff);
            case SOFTPLUS -> bwdSoftplus(n, grad, gOff, saved, sOff, delta, dOff);
            case SILU -> bwdSilu(n, grad, gOff, saved, sOff, delta, dOff);
        };
        if (i < n) { // the rest through the reference
            ScalarKernels.INSTANCE.activationBackward(f, alpha, n - i, grad, gOff + i, saved, sOff + i, delta, dOff + i);
        }
    }

    private static FloatVector load(float[] x, int i) {
        return FloatVector.fromArray(S, x, i);
    }

    private static int bwdIdentity(int n, float[] g, int gi, float[] d, int di) {
        int i = 0;
        for (int u = S.loopBound(n); i < u; i += L) {
            load(g, gi + i).intoArray(d, di + i);
        }
        return i;
    }

    private static int bwdSigmoid(int n, float[] g, int gi, float[] s, int si, float[] d, int di) {
        int i = 0;
        for (int u = S.loopBound(n); i < u; i += L) {
            FloatVector h = load(s, si + i);
            load(g, gi + i).mul(h.neg().add(1f).mul(h)).intoArray(d, di + i);
        }
        return i;
    }

    private static int bwdTanh(int n, float[] g, int gi, float[] s, int si, float[] d, int di) {
        int i = 0;
        for (int u = S.loopBound(n); i < u; i += L) {
            FloatVector h = load(s, si + i);
            load(g, gi + i).mul(h.mul(h).neg().add(1f)).intoArray(d, di + i);
        }
        return i;
    }

    /** ReLU (slope 0) and leaky ReLU: g where z &gt; 0, slope·g elsewhere. */
    private static int bwdRelu(int n, float slope, float[] g, int gi, float[] s, int si, float[] d, int di) {
        int i = 0;
        for (int u = S.loopBound(n); i < u; i += L) {
            FloatVector gv = load(g, gi + i);
            gv.mul(slope).blend(gv, load(s, si + i).compare(VectorOperators.GT, 0f)).intoArray(d, di + i);
        }
        return i;
    }

    private static int bwdElu(int n, float alpha, float[] g, int gi, float[] s, int si, float[] d, int di) {
        int i = 0;
        for (int u = S.loopBound(n); i < u; i += L) {
            FloatVector z = load(s, si + i);
            FloatVector gv = load(g, gi + i);
            gv.mul(VectorMath.exp(z.min(0f)).mul(alpha)).blend(gv, z.compare(VectorOperators.GT, 0f))
                    .intoArray(d, di + i);
        }
        return i;
    }

    private static int bwdGelu(int n, float[] g, int gi, float[] s, int si, float[] d, int di) {
        int i = 0;
        for (int u = S.loopBound(n); i < u; i += L) {
            load(g, gi + i).mul(geluDerivative(load(s, si + i))).intoArray(d, di + i);
        }
        return i;
    }

    private static int bwdGeluErf(int n, float[] g, int gi, float[] s, int si, float[] d, int di) {
        int i = 0;
        for (int u = S.loopBound(n); i < u; i += L) {
            load(g, gi + i).mul(geluErfDerivative(load(s, si + i))).intoArray(d, di + i);
        }
        return i;
    }

    private static int bwdSoftplus(int n, float[] g, int gi, float[] s, int si, float[] d, int di) {
        int i = 0;
        for (int u = S.loopBound(n); i < u; i += L) {
            load(g, gi + i).mul(sigmoid(load(s, si + i))).intoArray(d, di + i);
        }
        return i;
    }

    private static int bwdSilu(int n, float[] g, int gi, float[] s, int si, float[] d, int di) {
        int i = 0;
        for (int u = S.loopBound(n); i < u; i += L) {
            load(g, gi + i).mul(siluDerivative(load(s, si + i))).intoArray(d, di + i);
        }
        return i;
    }

    // ------------------------------------------------------------------------ losses

    private static float rowMax(float[] x, int off, int cols) {
        FloatVector max = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int j = 0;
        for (int upper = S.loopBound(cols); j < upper; j += L) {
            max = max.max(FloatVector.fromArray(S, x, off + j));
        }
        float m = max.reduceLanes(VectorOperators.MAX);
        if (j < cols) {
            VectorMask<Float> mask = S.indexInRange(j, cols);
            m = Math.max(m, FloatVector.fromArray(S, x, off + j, mask).reduceLanes(VectorOperators.MAX, mask));
        }
        return m;
    }

    /** Σ e^(x − max) over a row; the exponentials are also written to {@code out} if it is not null. */
    private static float expSum(float[] x, int off, int cols, float max, float[] out, int outOff) {
        FloatVector sum = FloatVector.zero(S);
        for (int j = 0; j < cols; j += L) {
            VectorMask<Float> mask = S.indexInRange(j, cols);
            FloatVector e = VectorMath.exp(FloatVector.fromArray(S, x, off + j, mask).sub(max));
            e = FloatVector.zero(S).blend(e, mask);
            if (out != null) {
                e.intoArray(out, outOff + j, mask);
            }
            sum = sum.add(e);
        }
        return VectorMath.sum(sum);
    }

    private static void scaleRow(float[] x, int off, int cols, float factor) {
        for (int j = 0; j < cols; j += L) {
            VectorMask<Float> mask = S.indexInRange(j, cols);
            FloatVector.fromArray(S, x, off + j, mask).mul(factor).intoArray(x, off + j, mask);
        }
    }

    /**
     * Rows narrower than two vectors (10 classes) go to the reference: a per-row loop of one or two
     * iterations is too cold for C2 to inline the vector exp into it, so every vector would be boxed
     * (64 bytes per row, measured), and the scalar row costs little next to the GEMMs around it.
     */
    private static final int NARROW_ROW = 2 * L;

    @Override
    public void softmax(int rows, int cols, float[] x, int xOff, int ldx, float[] y, int yOff, int ldy) {
        if (cols < NARROW_ROW) {
            ScalarKernels.INSTANCE.softmax(rows, cols, x, xOff, ldx, y, yOff, ldy);
            return;
        }
        for (int i = 0; i < rows; i++) {
            int xr = xOff + i * ldx;
            int yr = yOff + i * ldy;
            float max = rowMax(x, xr, cols);
            float sum = expSum(x, xr, cols, max, y, yr);
            scaleRow(y, yr, cols, 1f / sum);
        }
    }

    @Override
    public double softmaxCrossEntropy(int rows, int cols, float[] logits, int lOff, int ldl,
                                      int[] labels, int labOff, float[] targets, int tOff, int ldt,
                                      float[] grad, int gOff, int ldg) {
        if (cols < NARROW_ROW) {
            return ScalarKernels.INSTANCE.softmaxCrossEntropy(rows, cols, logits, lOff, ldl, labels, labOff, targets, tOff, ldt,
                    grad, gOff, ldg);
        }
        double total = 0;
        float invRows = 1f / rows;
        for (int i = 0; i < rows; i++) {
            int lr = lOff + i * ldl;
            int gr = gOff + i * ldg;
            float max = rowMax(logits, lr, cols);
            // Σⱼ yⱼ(zⱼ − max), read before the gradient may overwrite the logits (in place).
            double yShifted;
            double ySum;
            if (labels != null) {
                yShifted = (double) logits[lr + labels[labOff + i]] - max;
                ySum = 1;
            } else {
                FloatVector acc = FloatVector.zero(S);
                FloatVector accY = FloatVector.zero(S);
                for (int j = 0; j < cols; j += L) {
                    VectorMask<Float> mask = S.indexInRange(j, cols);
                    FloatVector y = FloatVector.fromArray(S, targets, tOff + i * ldt + j, mask);
                    FloatVector zs = FloatVector.fromArray(S, logits, lr + j, mask).sub(max);
                    acc = y.fma(FloatVector.zero(S).blend(zs, mask), acc);
                    accY = accY.add(y);
                }
                yShifted = VectorMath.sum(acc);
                ySum = VectorMath.sum(accY);
            }
            float sum = expSum(logits, lr, cols, max, grad, gr);
            total += Math.log(sum) * ySum - yShifted;
            if (grad != null) {
                float scale = invRows / sum;
                if (labels != null) {
                    scaleRow(grad, gr, cols, scale);
                    grad[gr + labels[labOff + i]] -= invRows;
                } else {
                    for (int j = 0; j < cols; j += L) {
                        VectorMask<Float> mask = S.indexInRange(j, cols);
                        FloatVector e = FloatVector.fromArray(S, grad, gr + j, mask);
                        FloatVector y = FloatVector.fromArray(S, targets, tOff + i * ldt + j, mask);
                        e.mul(scale).sub(y.mul(invRows)).intoArray(grad, gr + j, mask);
                    }
                }
            }
        }
        return total / rows;
    }

    @Override
    public double weightedSoftmaxCrossEntropy(int rows, int cols, float[] logits, int lOff, int ldl,
                                              float[] targets, int tOff, int ldt, float[] weights, int wOff,
                                              float smoothing, float[] grad, int gOff, int ldg) {
        if (cols < NARROW_ROW) {
            return ScalarKernels.INSTANCE.weightedSoftmaxCrossEntropy(rows, cols, logits, lOff, ldl, targets, tOff, ldt,
                    weights, wOff, smoothing, grad, gOff, ldg);
        }
        double norm = rows;
        if (weights != null) {
            norm = 0;
            for (int i = 0; i < rows; i++) {
                FloatVector acc = FloatVector.zero(S);
                for (int j = 0; j < cols; j += L) {
                    VectorMask<Float> mask = S.indexInRange(j, cols);
                    acc = FloatVector.fromArray(S, weights, wOff + j, mask)
                            .fma(FloatVector.fromArray(S, targets, tOff + i * ldt + j, mask), acc);
                }
                norm += VectorMath.sum(acc);
            }
        }
        float keep = 1f - smoothing;
        float uniform = smoothing / cols;
        float invNorm = (float) (1 / norm);
        float[] w = weights != null ? weights : ones(cols);
        int wo = weights != null ? wOff : 0;
        double total = 0;
        for (int i = 0; i < rows; i++) {
            int lr = lOff + i * ldl;
            int gr = gOff + i * ldg;
            int tr = tOff + i * ldt;
            float max = rowMax(logits, lr, cols);
            // v = w·((1 − ε)y + ε/C): Σⱼ vⱼ(zⱼ − max) and Σⱼ vⱼ, read before the gradient may overwrite
            // the logits. One small loop per quantity, floats between them (vectors kept across loops
            // were boxed, measured).
            double vShifted = weightedShifted(targets, tr, w, wo, keep, uniform, logits, lr, max, cols);
            double vSum = weightedSum(targets, tr, w, wo, keep, uniform, cols);
            float sum = expSum(logits, lr, cols, max, grad, gr);
            total += Math.log(sum) * vSum - vShifted;
            if (grad != null) {
                weightedGradient(targets, tr, w, wo, keep, uniform, grad, gr, (float) (vSum / sum) * invNorm, invNorm, cols);
            }
        }
        return total / norm;
    }

    /** All ones, at least {@code n} long (grown once, never written after publication): unit class weights. */
    private static volatile float[] ones = new float[0];

    private static float[] ones(int n) {
        float[] o = ones;
        if (o.length < n) {
            o = new float[Math.max(n, 2 * o.length)];
            java.util.Arrays.fill(o, 1f);
            ones = o;
        }
        return o;
    }

    /** Σⱼ wⱼqⱼ(zⱼ − max) over one row, q = keep·y + uniform. */
    private static float weightedShifted(float[] t, int tr, float[] w, int wo, float keep, float uniform, float[] z, int zr,
                                         float max, int cols) {
        FloatVector acc = FloatVector.zero(S);
        for (int j = 0; j < cols; j += L) {
            VectorMask<Float> mask = S.indexInRange(j, cols);
            FloatVector v = FloatVector.fromArray(S, t, tr + j, mask).fma(keep, uniform).mul(FloatVector.fromArray(S, w, wo + j, mask));
            FloatVector zs = FloatVector.fromArray(S, z, zr + j, mask).sub(max);
            acc = v.fma(FloatVector.zero(S).blend(zs, mask), acc);
        }
        return VectorMath.sum(acc);
    }

    /** Σⱼ wⱼqⱼ over one row. */
    private static float weightedSum(float[] t, int tr, float[] w, int wo, float keep, float uniform, int cols) {
        FloatVector acc = FloatVector.zero(S);
        for (int j = 0; j < cols; j += L) {
            VectorMask<Float> mask = S.indexInRange(j, cols);
            acc = FloatVector.fromArray(S, t, tr + j, mask).fma(keep, uniform).fma(FloatVector.fromArray(S, w, wo + j, mask), acc);
        }
        return VectorMath.sum(acc);
    }

    /** grad = e·scale − v·invNorm over one row, e = e^(z − max) already in grad. */
    private static void weightedGradient(float[] t, int tr, float[] w, int wo, float keep, float uniform, float[] grad, int gr,
                                         float scale, float invNorm, int cols) {
        for (int j = 0; j < cols; j += L) {
            VectorMask<Float> mask = S.indexInRange(j, cols);
            FloatVector v = FloatVector.fromArray(S, t, tr + j, mask).fma(keep, uniform).mul(FloatVector.fromArray(S, w, wo + j, mask));
            FloatVector.fromArray(S, grad, gr + j, mask).mul(scale).sub(v.mul(invNorm)).intoArray(grad, gr + j, mask);
        }
    }

    @Override
    public double binaryCrossEntropyWithLogits(int rows, int cols, float[] logits, int lOff, int ldl,
                                               float[] targets, int tOff, int ldt, float[] grad, int gOff, int ldg) {
        double total = 0;
        float invRows = 1f / rows;
        for (int i = 0; i < rows; i++) {
            FloatVector acc = FloatVector.zero(S);
            for (int j = 0; j < cols; j += L) {
                VectorMask<Float> mask = S.indexInRange(j, cols);
                FloatVector z = FloatVector.fromArray(S, logits, lOff + i * ldl + j, mask);
                FloatVector y = FloatVector.fromArray(S, targets, tOff + i * ldt + j, mask);
                FloatVector loss = z.max(0f).sub(z.mul(y))
                        .add(VectorMath.log1pUnit(VectorMath.exp(z.abs().neg())));
                acc = acc.add(FloatVector.zero(S).blend(loss, mask));
                if (grad != null) {
                    sigmoid(z).sub(y).mul(invRows).intoArray(grad, gOff + i * ldg + j, mask);
                }
            }
            total += VectorMath.sum(acc);
        }
        return total / rows;
    }

    /** Chunk length of the flat loss loops: float partial sums over at most this many, then double. */
    private static final int LOSS_CHUNK = 512;

    @Override
    public double squaredErrors(int rows, int cols, float[] a, int aOff, int lda, float[] y, int yOff, int ldy,
                                float[] grad, int gOff, int ldg, float gradScale) {
        return pointwise(SQUARED, rows, cols, 0f, a, aOff, lda, y, yOff, ldy, grad, gOff, ldg, gradScale);
    }

    @Override
    public double absoluteErrors(int rows, int cols, float[] a, int aOff, int lda, float[] y, int yOff, int ldy,
                                 float[] grad, int gOff, int ldg, float gradScale) {
        return pointwise(ABSOLUTE, rows, cols, 0f, a, aOff, lda, y, yOff, ldy, grad, gOff, ldg, gradScale);
    }

    @Override
    public double huberErrors(int rows, int cols, float delta, float[] a, int aOff, int lda, float[] y, int yOff, int ldy,
                              float[] grad, int gOff, int ldg, float gradScale) {
        return pointwise(HUBER, rows, cols, delta, a, aOff, lda, y, yOff, ldy, grad, gOff, ldg, gradScale);
    }

    private static final int SQUARED = 0, ABSOLUTE = 1, HUBER = 2;

    /** The sum over the matrix of a point-wise loss of d = a − y, in chunks of float partial sums added in double. */
    private static double pointwise(int kind, int rows, int cols, float delta, float[] a, int aOff, int lda,
                                    float[] y, int yOff, int ldy, float[] grad, int gOff, int ldg, float gradScale) {
        double total = 0;
        if (lda == cols && ldy == cols && (grad == null || ldg == cols)) {
            // a contiguous batch: one flat loop instead of a short masked one per row
            int n = rows * cols;
            for (int i = 0; i < n; i += LOSS_CHUNK) {
                int len = Math.min(LOSS_CHUNK, n - i);
                total += pointwiseRun(kind, len, delta, a, aOff + i, y, yOff + i, grad, gOff + i, gradScale);
            }
        } else {
            for (int i = 0; i < rows; i++) {
                total += pointwiseRun(kind, cols, delta, a, aOff + i * lda, y, yOff + i * ldy, grad, gOff + i * ldg,
                        gradScale);
            }
        }
        return total;
    }

    private static double pointwiseRun(int kind, int n, float delta, float[] a, int aOff, float[] y, int yOff,
                                       float[] grad, int gOff, float gradScale) {
        return switch (kind) {
            case SQUARED -> squaredDiffs(n, a, aOff, y, yOff, grad, gOff, gradScale);
            case ABSOLUTE -> absoluteDiffs(n, a, aOff, y, yOff, grad, gOff, gradScale);
            default -> huberDiffs(n, delta, a, aOff, y, yOff, grad, gOff, gradScale);
        };
    }

    /** Σ |a − y| over n contiguous elements; writes sign(a − y)·scale to grad if not null. */
    private static double absoluteDiffs(int n, float[] a, int aOff, float[] y, int yOff, float[] grad, int gOff,
                                        float scale) {
        FloatVector acc = FloatVector.zero(S);
        FloatVector plus = FloatVector.broadcast(S, scale);
        FloatVector minus = FloatVector.broadcast(S, -scale);
        int j = 0;
        for (int upper = S.loopBound(n); j < upper; j += L) {
            FloatVector d = FloatVector.fromArray(S, a, aOff + j).sub(FloatVector.fromArray(S, y, yOff + j));
            acc = acc.add(d.abs());
            if (grad != null) {
                FloatVector.zero(S).blend(plus, d.compare(VectorOperators.GT, 0f))
                        .blend(minus, d.compare(VectorOperators.LT, 0f)).intoArray(grad, gOff + j);
            }
        }
        double sum = VectorMath.sum(acc);
        if (j < n) {
            VectorMask<Float> mask = S.indexInRange(j, n);
            FloatVector d = FloatVector.fromArray(S, a, aOff + j, mask).sub(FloatVector.fromArray(S, y, yOff + j, mask));
            sum += VectorMath.sum(d.abs());
            if (grad != null) {
                FloatVector.zero(S).blend(plus, d.compare(VectorOperators.GT, 0f))
                        .blend(minus, d.compare(VectorOperators.LT, 0f)).intoArray(grad, gOff + j, mask);
            }
        }
        return sum;
    }

    /**
     * Σ huber_δ(a − y) over n contiguous elements as |c|·(|d| − ½|c|), c = clamp(d, −δ, δ) (½d² inside,
     * δ(|d| − ½δ) outside); writes c·scale to grad if not null.
     */
    private static double huberDiffs(int n, float delta, float[] a, int aOff, float[] y, int yOff, float[] grad, int gOff,
                                     float scale) {
        FloatVector acc = FloatVector.zero(S);
        int j = 0;
        for (int upper = S.loopBound(n); j < upper; j += L) {
            FloatVector d = FloatVector.fromArray(S, a, aOff + j).sub(FloatVector.fromArray(S, y, yOff + j));
            FloatVector c = d.max(-delta).min(delta);
            FloatVector ac = c.abs();
            acc = ac.fma(ac.mul(-0.5f).add(d.abs()), acc);
            if (grad != null) {
                c.mul(scale).intoArray(grad, gOff + j);
            }
        }
        double sum = VectorMath.sum(acc);
        if (j < n) {
            VectorMask<Float> mask = S.indexInRange(j, n);
            FloatVector d = FloatVector.fromArray(S, a, aOff + j, mask).sub(FloatVector.fromArray(S, y, yOff + j, mask));
            FloatVector c = d.max(-delta).min(delta);
            FloatVector ac = c.abs();
            sum += VectorMath.sum(ac.mul(ac.mul(-0.5f).add(d.abs())));
            if (grad != null) {
                c.mul(scale).intoArray(grad, gOff + j, mask);
            }
        }
        return sum;
    }

    /** Σ (a − y)² over n contiguous elements; writes (a − y)·scale to grad if not null. */
    private static double squaredDiffs(int n, float[] a, int aOff, float[] y, int yOff, float[] grad, int gOff,
                                       float scale) {
        FloatVector acc = FloatVector.zero(S);
        int j = 0;
        for (int upper = S.loopBound(n); j < upper; j += L) {
            FloatVector d = FloatVector.fromArray(S, a, aOff + j).sub(FloatVector.fromArray(S, y, yOff + j));
            acc = d.fma(d, acc);
            if (grad != null) {
                d.mul(scale).intoArray(grad, gOff + j);
            }
        }
        double sum = VectorMath.sum(acc); // before the tail: no vector merges after a branch
        if (j < n) {
            VectorMask<Float> mask = S.indexInRange(j, n);
            FloatVector d = FloatVector.fromArray(S, a, aOff + j, mask).sub(FloatVector.fromArray(S, y, yOff + j, mask));
            sum += VectorMath.sum(d.mul(d));
            if (grad != null) {
                d.mul(scale).intoArray(grad, gOff + j, mask);
            }
        }
        return sum;
    }

    // ----------------------------------------------------------------- normalisation

    @Override
    public void layerNorm(int rows, int cols, float eps, float[] x, int xOff, int ldx, float[] gamma, int gOff,
                          float[] beta, int bOff, float[] y, int yOff, int ldy, float[] xhat, int hOff, int ldh,
                          float[] rstd, int rOff) {
        if (cols < NARROW_ROW) { // as for softmax: too short a row for the vector loops to pay
            ScalarKernels.INSTANCE.layerNorm(rows, cols, eps, x, xOff, ldx, gamma, gOff, beta, bOff, y, yOff, ldy,
                    xhat, hOff, ldh, rstd, rOff);
            return;
        }
        for (int i = 0; i < rows; i++) {
            int xr = xOff + i * ldx;
            float mean = rowSum(x, xr, cols) / cols;
            float r = (float) (1 / Math.sqrt(centredSquares(x, xr, cols, mean) / cols + eps));
            if (rstd != null) {
                rstd[rOff + i] = r;
            }
            normaliseRow(x, xr, cols, mean, r, gamma, gOff, beta, bOff, y, yOff + i * ldy, xhat, hOff + i * ldh);
        }
    }

    private static float rowSum(float[] x, int off, int cols) {
        FloatVector acc = FloatVector.zero(S);
        for (int j = 0; j < cols; j += L) {
            acc = acc.add(FloatVector.fromArray(S, x, off + j, S.indexInRange(j, cols)));
        }
        return VectorMath.sum(acc);
    }

    /** Σ (x − mean)² over a row (the two-pass variance: no cancellation). */
    private static float centredSquares(float[] x, int off, int cols, float mean) {
        FloatVector acc = FloatVector.zero(S);
        for (int j = 0; j < cols; j += L) {
            VectorMask<Float> mask = S.indexInRange(j, cols);
            FloatVector d = FloatVector.fromArray(S, x, off + j, mask).sub(mean);
            acc = d.fma(FloatVector.zero(S).blend(d, mask), acc);
        }
        return VectorMath.sum(acc);
    }

    private static void normaliseRow(float[] x, int xr, int cols, float mean, float r, float[] gamma, int gOff,
                                     float[] beta, int bOff, float[] y, int yr, float[] xhat, int hr) {
        for (int j = 0; j < cols; j += L) {
            VectorMask<Float> mask = S.indexInRange(j, cols);
            FloatVector h = FloatVector.fromArray(S, x, xr + j, mask).sub(mean).mul(r);
            if (xhat != null) {
                h.intoArray(xhat, hr + j, mask);
            }
            FloatVector.fromArray(S, gamma, gOff + j, mask).fma(h, FloatVector.fromArray(S, beta, bOff + j, mask))
                    .intoArray(y, yr + j, mask);
        }
    }

    @Override
    public void layerNormBackward(int rows, int cols, float[] dy, int dyOff, int lddy, float[] xhat, int hOff, int ldh,
                                  float[] rstd, int rOff, float[] gamma, int gOff, float[] dGamma, int dgOff,
                                  float[] dBeta, int dbOff, float[] dx, int dxOff, int lddx) {
        if (cols < NARROW_ROW) {
            ScalarKernels.INSTANCE.layerNormBackward(rows, cols, dy, dyOff, lddy, xhat, hOff, ldh, rstd, rOff, gamma, gOff,
                    dGamma, dgOff, dBeta, dbOff, dx, dxOff, lddx);
            return;
        }
        for (int i = 0; i < rows; i++) {
            int dr = dyOff + i * lddy;
            int hr = hOff + i * ldh;
            // One small loop per quantity, floats between them: vectors kept across a branch or
            // a second loop were boxed (96 bytes per row, measured).
            parameterGradients(dy, dr, xhat, hr, cols, dGamma, dgOff, dBeta, dbOff);
            float a = rowDot(dy, dr, gamma, gOff, cols);
            if (dx == null) {
                continue;
            }
            float b = scaledDot(dy, dr, xhat, hr, cols, gamma, gOff);
            inputGradient(dy, dr, xhat, hr, cols, gamma, gOff, a / cols, b / cols, rstd[rOff + i], dx, dxOff + i * lddx);
        }
    }

    /** ∂γ += g ⊙ x̂ and ∂β += g for one row. */
    private static void parameterGradients(float[] dy, int dr, float[] xhat, int hr, int cols,
                                           float[] dGamma, int dgOff, float[] dBeta, int dbOff) {
        for (int j = 0; j < cols; j += L) {
            VectorMask<Float> mask = S.indexInRange(j, cols);
            FloatVector g = FloatVector.fromArray(S, dy, dr + j, mask);
            FloatVector h = FloatVector.fromArray(S, xhat, hr + j, mask);
            g.fma(h, FloatVector.fromArray(S, dGamma, dgOff + j, mask)).intoArray(dGamma, dgOff + j, mask);
            g.add(FloatVector.fromArray(S, dBeta, dbOff + j, mask)).intoArray(dBeta, dbOff + j, mask);
        }
    }

    /**
     * Σ x ⊙ y over one row. Its own method, apart from the updates above: with them in one loop, on
     * 256-bit vectors the masked loads and stores took C2 past its inlining node budget before it
     * reached the lane sum, and the accumulator was boxed once per row (64 bytes, measured).
     */
    private static float rowDot(float[] x, int xOff, float[] y, int yOff, int cols) {
        FloatVector acc = FloatVector.zero(S);
        for (int j = 0; j < cols; j += L) {
            VectorMask<Float> mask = S.indexInRange(j, cols);
            acc = FloatVector.fromArray(S, x, xOff + j, mask).fma(FloatVector.fromArray(S, y, yOff + j, mask), acc);
        }
        return VectorMath.sum(acc);
    }

    /** Σ g ⊙ γ ⊙ x̂ over one row. */
    private static float scaledDot(float[] dy, int dr, float[] xhat, int hr, int cols, float[] gamma, int gOff) {
        FloatVector acc = FloatVector.zero(S);
        for (int j = 0; j < cols; j += L) {
            VectorMask<Float> mask = S.indexInRange(j, cols);
            FloatVector gg = FloatVector.fromArray(S, dy, dr + j, mask).mul(FloatVector.fromArray(S, gamma, gOff + j, mask));
            acc = gg.fma(FloatVector.fromArray(S, xhat, hr + j, mask), acc);
        }
        return VectorMath.sum(acc);
    }

    /** ∂x = r·(g ⊙ γ − a − x̂·b) for one row (dx may be dy: each element is read before it is written). */
    private static void inputGradient(float[] dy, int dr, float[] xhat, int hr, int cols, float[] gamma, int gOff,
                                      float a, float b, float r, float[] dx, int xr) {
        for (int j = 0; j < cols; j += L) {
            VectorMask<Float> mask = S.indexInRange(j, cols);
            FloatVector gg = FloatVector.fromArray(S, dy, dr + j, mask).mul(FloatVector.fromArray(S, gamma, gOff + j, mask));
            FloatVector h = FloatVector.fromArray(S, xhat, hr + j, mask);
            h.mul(-b).add(gg.sub(a)).mul(r).intoArray(dx, xr + j, mask);
        }
    }

    // ------------------------------------------------------------------- embeddings

    @Override
    public void gatherRows(int n, int cols, float[] table, int tOff, int ldt, int[] index, int iOff, float[] y, int yOff,
                           int ldy) {
        for (int i = 0; i < n; i++) {
            System.arraycopy(table, tOff + index[iOff + i] * ldt, y, yOff + i * ldy, cols);
        }
    }

    @Override
    public void scatterAddRows(int n, int cols, float[] x, int xOff, int ldx, int[] index, int iOff, float[] table, int tOff,
                               int ldt) {
        int upper = S.loopBound(cols);
        for (int i = 0; i < n; i++) {
            int dst = tOff + index[iOff + i] * ldt;
            int src = xOff + i * ldx;
            int j = 0;
            for (; j < upper; j += L) {
                FloatVector.fromArray(S, table, dst + j).add(FloatVector.fromArray(S, x, src + j)).intoArray(table, dst + j);
            }
            for (; j < cols; j++) { // the same IEEE addition per element as the vector lanes
                table[dst + j] += x[src + j];
            }
        }
    }

    // -------------------------------------------------------------------- optimizers

    @Override
    public void sgd(int n, float[] w, int wOff, float[] g, int gOff, float[] velocity, int vOff,
                    float lr, float momentum, float weightDecay, boolean nesterov) {
        if (splits(n)) {
            UpdateTask t = UPDATE.get();
            t.op = UpdateTask.SGD;
            t.set(n, w, wOff, g, gOff, velocity, vOff, null, 0, lr, momentum, 0, 0, weightDecay, nesterov, 0);
            t.runOn(pool, threads);
            return;
        }
        sgdSerial(n, w, wOff, g, gOff, velocity, vOff, lr, momentum, weightDecay, nesterov);
    }

    static void sgdSerial(int n, float[] w, int wOff, float[] g, int gOff, float[] velocity, int vOff,
                          float lr, float momentum, float weightDecay, boolean nesterov) {
        // One method per variant: each loop compiles on its own profile, with no branch on vectors
        // (C2 boxes a vector that merges after a branch). A weight decay of 0 adds w·0 = 0.
        int i;
        if (velocity == null) {
            i = sgdPlain(n, w, wOff, g, gOff, lr, weightDecay);
        } else if (nesterov) {
            i = sgdNesterov(n, w, wOff, g, gOff, velocity, vOff, lr, momentum, weightDecay);
        } else {
            i = sgdMomentum(n, w, wOff, g, gOff, velocity, vOff, lr, momentum, weightDecay);
        }
        if (i < n) { // the tail through the reference (masking every iteration costs more)
            ScalarKernels.INSTANCE.sgd(n - i, w, wOff + i, g, gOff + i, velocity, vOff + i, lr, momentum, weightDecay,
                    nesterov);
        }
    }

    private static int sgdPlain(int n, float[] w, int wOff, float[] g, int gOff, float lr, float weightDecay) {
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += L) {
            FloatVector wi = load(w, wOff + i);
            FloatVector gi = load(g, gOff + i).add(wi.mul(weightDecay));
            wi.sub(gi.mul(lr)).intoArray(w, wOff + i);
        }
        return i;
    }

    private static int sgdMomentum(int n, float[] w, int wOff, float[] g, int gOff, float[] velocity, int vOff,
                                   float lr, float momentum, float weightDecay) {
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += L) {
            FloatVector wi = load(w, wOff + i);
            FloatVector gi = load(g, gOff + i).add(wi.mul(weightDecay));
            FloatVector v = load(velocity, vOff + i).mul(momentum).add(gi);
            v.intoArray(velocity, vOff + i);
            wi.sub(v.mul(lr)).intoArray(w, wOff + i);
        }
        return i;
    }

    private static int sgdNesterov(int n, float[] w, int wOff, float[] g, int gOff, float[] velocity, int vOff,
                                   float lr, float momentum, float weightDecay) {
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += L) {
            FloatVector wi = load(w, wOff + i);
            FloatVector gi = load(g, gOff + i).add(wi.mul(weightDecay));
            FloatVector v = load(velocity, vOff + i).mul(momentum).add(gi);
            v.intoArray(velocity, vOff + i);
            wi.sub(gi.add(v.mul(momentum)).mul(lr)).intoArray(w, wOff + i);
        }
        return i;
    }

    @Override
    public void adam(int n, float[] w, int wOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff,
                     float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled, long step) {
        if (splits(n)) {
            UpdateTask t = UPDATE.get();
            t.op = UpdateTask.ADAM;
            t.set(n, w, wOff, g, gOff, m, mOff, v, vOff, lr, beta1, beta2, eps, weightDecay, decoupled, step);
            t.runOn(pool, threads);
            return;
        }
        adamSerial(n, w, wOff, g, gOff, m, mOff, v, vOff, lr, beta1, beta2, eps, weightDecay, decoupled, step);
    }

    static void adamSerial(int n, float[] w, int wOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff,
                           float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled, long step) {
        float stepSize = (float) (lr / (1 - Math.pow(beta1, step)));
        float invSqrtBc2 = (float) (1 / Math.sqrt(1 - Math.pow(beta2, step)));
        float decay = decoupled ? 1 - lr * weightDecay : 1f;
        float l2 = decoupled ? 0f : weightDecay;
        float oneMinusB1 = 1 - beta1;
        float oneMinusB2 = 1 - beta2;
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += L) {
            // decoupled: decay < 1 and l2 = 0; L2: decay = 1 and l2 = λ (no branch on vectors)
            FloatVector w0 = load(w, wOff + i);
            FloatVector gi = load(g, gOff + i).add(w0.mul(l2));
            FloatVector wi = w0.mul(decay);
            FloatVector mi = FloatVector.fromArray(S, m, mOff + i).mul(beta1).add(gi.mul(oneMinusB1));
            FloatVector vi = FloatVector.fromArray(S, v, vOff + i).mul(beta2).add(gi.mul(gi).mul(oneMinusB2));
            mi.intoArray(m, mOff + i);
            vi.intoArray(v, vOff + i);
            FloatVector denom = vi.sqrt().mul(invSqrtBc2).add(eps);
            wi.sub(mi.mul(stepSize).div(denom)).intoArray(w, wOff + i);
        }
        if (i < n) { // the tail through the reference (masking every iteration costs more)
            ScalarKernels.INSTANCE.adam(n - i, w, wOff + i, g, gOff + i, m, mOff + i, v, vOff + i, lr, beta1, beta2, eps,
                    weightDecay, decoupled, step);
        }
    }

    @Override
    public void rmsprop(int n, float[] w, int wOff, float[] g, int gOff, float[] sq, int sOff,
                        float lr, float rho, float eps, float weightDecay) {
        if (splits(n)) {
            UpdateTask t = UPDATE.get();
            t.op = UpdateTask.RMSPROP;
            t.set(n, w, wOff, g, gOff, sq, sOff, null, 0, lr, rho, 0, eps, weightDecay, false, 0);
            t.runOn(pool, threads);
            return;
        }
        rmspropSerial(n, w, wOff, g, gOff, sq, sOff, lr, rho, eps, weightDecay);
    }

    static void rmspropSerial(int n, float[] w, int wOff, float[] g, int gOff, float[] sq, int sOff,
                              float lr, float rho, float eps, float weightDecay) {
        float oneMinusRho = 1 - rho;
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += L) {
            FloatVector wi = load(w, wOff + i);
            FloatVector gi = load(g, gOff + i).add(wi.mul(weightDecay));
            FloatVector s = FloatVector.fromArray(S, sq, sOff + i).mul(rho).add(gi.mul(gi).mul(oneMinusRho));
            s.intoArray(sq, sOff + i);
            wi.sub(gi.mul(lr).div(s.sqrt().add(eps))).intoArray(w, wOff + i);
        }
        if (i < n) { // the tail through the reference (masking every iteration costs more)
            ScalarKernels.INSTANCE.rmsprop(n - i, w, wOff + i, g, gOff + i, sq, sOff + i, lr, rho, eps, weightDecay);
        }
    }

    @Override
    public void adagrad(int n, float[] w, int wOff, float[] g, int gOff, float[] sum, int sOff,
                        float lr, float eps, float weightDecay) {
        if (splits(n)) {
            UpdateTask t = UPDATE.get();
            t.op = UpdateTask.ADAGRAD;
            t.set(n, w, wOff, g, gOff, sum, sOff, null, 0, lr, 0, 0, eps, weightDecay, false, 0);
            t.runOn(pool, threads);
            return;
        }
        adagradSerial(n, w, wOff, g, gOff, sum, sOff, lr, eps, weightDecay);
    }

    static void adagradSerial(int n, float[] w, int wOff, float[] g, int gOff, float[] sum, int sOff,
                              float lr, float eps, float weightDecay) {
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += L) {
            FloatVector wi = load(w, wOff + i);
            FloatVector gi = load(g, gOff + i).add(wi.mul(weightDecay));
            FloatVector s = FloatVector.fromArray(S, sum, sOff + i).add(gi.mul(gi));
            s.intoArray(sum, sOff + i);
            wi.sub(gi.mul(lr).div(s.sqrt().add(eps))).intoArray(w, wOff + i);
        }
        if (i < n) { // the tail through the reference (masking every iteration costs more)
            ScalarKernels.INSTANCE.adagrad(n - i, w, wOff + i, g, gOff + i, sum, sOff + i, lr, eps, weightDecay);
        }
    }

    // -------------------------------------------------------------------- reductions

    @Override
    public double sumOfSquares(int n, float[] x, int xOff) {
        // Four independent accumulators keep the loop throughput-bound; fixed-order lane sums
        // (VectorMath.sum) keep the result the same in every compilation state.
        FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
        int i = 0;
        for (int upper = n - 4 * L; i <= upper; i += 4 * L) {
            FloatVector a = FloatVector.fromArray(S, x, xOff + i);
            FloatVector b = FloatVector.fromArray(S, x, xOff + i + L);
            FloatVector c = FloatVector.fromArray(S, x, xOff + i + 2 * L);
            FloatVector d = FloatVector.fromArray(S, x, xOff + i + 3 * L);
            s0 = a.fma(a, s0);
            s1 = b.fma(b, s1);
            s2 = c.fma(c, s2);
            s3 = d.fma(d, s3);
        }
        for (int upper = S.loopBound(n); i < upper; i += L) {
            FloatVector a = FloatVector.fromArray(S, x, xOff + i);
            s0 = a.fma(a, s0);
        }
        double sum = (double) VectorMath.sum(s0.add(s1).add(s2.add(s3)));
        for (; i < n; i++) {
            float v = x[xOff + i];
            sum += v * v;
        }
        return sum;
    }

    // -------------------------------------------------------------------- parallel updates

    /**
     * Parameter counts from which an optimizer update is split among the kernel threads. Measured
     * (OptimizerBenchmark, TrainingStepBenchmark): back to back, a split Adam update of 78,400
     * parameters runs 1.9× faster, but inside a batch-10 step, where the worker has gone idle, a
     * split from 32,768 made the whole step 10 % slower; from 131,072 it costs nothing there and a
     * 784×256 layer (200,704 weights) still splits.
     */
    static final int PARALLEL_UPDATE_MIN = 1 << 17;

    private static final ThreadLocal<UpdateTask> UPDATE = ThreadLocal.withInitial(UpdateTask::new);

    private boolean splits(int n) {
        return pool != null && n >= PARALLEL_UPDATE_MIN;
    }

    /**
     * One optimizer update split into contiguous ranges that start on multiples of 16 vectors. Every
     * element is updated by the same arithmetic whatever the split (the vector body covers the same
     * elements, and only the last range has the scalar tail the serial update has): results do not
     * depend on the thread count.
     */
    private static final class UpdateTask implements WorkerPool.Task {
        static final int SGD = 0, ADAM = 1, RMSPROP = 2, ADAGRAD = 3;
        int op, n, parts;
        float[] w, g, s1, s2;
        int wOff, gOff, s1Off, s2Off;
        float lr, a, b, eps, weightDecay;
        boolean flag;
        long step;

        void set(int n, float[] w, int wOff, float[] g, int gOff, float[] s1, int s1Off, float[] s2, int s2Off,
                 float lr, float a, float b, float eps, float weightDecay, boolean flag, long step) {
            this.n = n;
            this.w = w;
            this.wOff = wOff;
            this.g = g;
            this.gOff = gOff;
            this.s1 = s1;
            this.s1Off = s1Off;
            this.s2 = s2;
            this.s2Off = s2Off;
            this.lr = lr;
            this.a = a;
            this.b = b;
            this.eps = eps;
            this.weightDecay = weightDecay;
            this.flag = flag;
            this.step = step;
        }

        void runOn(WorkerPool pool, int threads) {
            parts = threads;
            try {
                if (!pool.tryRun(this, parts)) {
                    parts = 1;
                    run(0);
                }
            } finally {
                w = g = s1 = s2 = null;
            }
        }

        @Override
        public void run(int part) {
            int from = GemmBlocking.blockStart(n, parts, part, 16 * L);
            int count = GemmBlocking.blockStart(n, parts, part + 1, 16 * L) - from;
            if (count <= 0) {
                return;
            }
            switch (op) {
                case SGD -> sgdSerial(count, w, wOff + from, g, gOff + from, s1, s1 == null ? 0 : s1Off + from, lr, a,
                        weightDecay, flag);
                case ADAM -> adamSerial(count, w, wOff + from, g, gOff + from, s1, s1Off + from, s2, s2Off + from, lr, a, b,
                        eps, weightDecay, flag, step);
                case RMSPROP -> rmspropSerial(count, w, wOff + from, g, gOff + from, s1, s1Off + from, lr, a, eps, weightDecay);
                default -> adagradSerial(count, w, wOff + from, g, gOff + from, s1, s1Off + from, lr, eps, weightDecay);
            }
        }
    }
}

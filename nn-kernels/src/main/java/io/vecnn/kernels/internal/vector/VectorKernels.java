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

    private static FloatVector sigmoid(FloatVector z) {
        return ONE.div(z.neg().lanewise(VectorOperators.EXP).add(1f));
    }

    /**
     * tanh z = sign(z)·(1 − e)/(1 + e) with e = exp(−2|z|) ∈ (0, 1]: one EXP, no overflow, about
     * 2.4 times faster than the lanewise TANH here; absolute error a few ulps of 1.
     */
    private static FloatVector tanh(FloatVector z) {
        FloatVector e = z.abs().mul(-2f).lanewise(VectorOperators.EXP);
        FloatVector t = ONE.sub(e).div(ONE.add(e));
        return t.blend(t.neg(), z.compare(VectorOperators.LT, 0f));
    }

    // activate() and derivative() are switch tables of small helpers on purpose: C2 inlines a hot
    // method only below 325 bytecodes, and a vector helper it does not inline boxes its vectors on
    // every call. Keep each method here small.

    static FloatVector activate(ActivationKind f, float alpha, FloatVector z) {
        return switch (f) {
            case IDENTITY -> z;
            case SIGMOID -> sigmoid(z);
            case TANH -> tanh(z);
            case RELU -> z.max(0f);
            case LEAKY_RELU -> z.blend(z.mul(alpha), z.compare(VectorOperators.LE, 0f));
            case ELU -> z.blend(z.lanewise(VectorOperators.EXPM1).mul(alpha), z.compare(VectorOperators.LE, 0f));
            case GELU -> gelu(z);
            case SOFTPLUS -> softplus(z);
            case SILU -> z.mul(sigmoid(z));
        };
    }

    static FloatVector derivative(ActivationKind f, float alpha, FloatVector s) {
        return switch (f) {
            case IDENTITY -> ONE;
            case SIGMOID -> s.neg().add(1f).mul(s);
            case TANH -> s.mul(s).neg().add(1f);
            case RELU -> FloatVector.zero(S).blend(1f, s.compare(VectorOperators.GT, 0f));
            case LEAKY_RELU -> FloatVector.broadcast(S, alpha).blend(1f, s.compare(VectorOperators.GT, 0f));
            case ELU -> s.lanewise(VectorOperators.EXP).mul(alpha).blend(1f, s.compare(VectorOperators.GT, 0f));
            case GELU -> geluDerivative(s);
            case SOFTPLUS -> sigmoid(s);
            case SILU -> siluDerivative(s);
        };
    }

    /** ½z(1 + tanh u) = z·σ(2u), u = √(2/π)(z + 0.044715z³): one EXP, no cancellation. */
    private static FloatVector gelu(FloatVector z) {
        return z.mul(sigmoid(z.mul(z).mul(GELU_K).add(1f).mul(z).mul(2 * GELU_C)));
    }

    /** σ(2u) + z·σ(2u)·(1 − σ(2u))·2u′ with 1 − σ = e·σ, e = exp(−2u); the clamp keeps e finite. */
    private static FloatVector geluDerivative(FloatVector s) {
        FloatVector z = s.max(-ScalarKernels.GELU_CLAMP).min(ScalarKernels.GELU_CLAMP);
        FloatVector z2 = z.mul(z);
        FloatVector e = z2.mul(GELU_K).add(1f).mul(z).mul(-2 * GELU_C).lanewise(VectorOperators.EXP);
        FloatVector sig = ONE.div(e.add(1f));
        FloatVector twoDu = z2.mul(GELU_K3).add(1f).mul(2 * GELU_C);
        return z.mul(sig.mul(e).mul(sig)).mul(twoDu).add(sig);
    }

    private static FloatVector softplus(FloatVector z) {
        return z.max(0f).add(z.abs().neg().lanewise(VectorOperators.EXP).lanewise(VectorOperators.LOG1P));
    }

    private static FloatVector siluDerivative(FloatVector s) {
        FloatVector sig = sigmoid(s);
        return s.mul(sig.neg().add(1f)).add(1f).mul(sig);
    }

    @Override
    public void biasActivation(ActivationKind f, float alpha, int rows, int cols, float[] z, int zOff, int ldz,
                               float[] bias, int bOff, float[] h, int hOff, int ldh) {
        int upper = S.loopBound(cols);
        for (int i = 0; i < rows; i++) {
            int zr = zOff + i * ldz;
            int hr = hOff + i * ldh;
            int j = 0;
            for (; j < upper; j += L) {
                FloatVector v = FloatVector.fromArray(S, z, zr + j);
                if (bias != null) {
                    v = v.add(FloatVector.fromArray(S, bias, bOff + j));
                    v.intoArray(z, zr + j);
                }
                activate(f, alpha, v).intoArray(h, hr + j);
            }
            if (j < cols) {
                // The rest of the row through the reference: a second, cold call site of activate()
                // would not be inlined and would make C2 box vectors.
                ScalarKernels.INSTANCE.biasActivation(f, alpha, 1, cols - j, z, zr + j, ldz,
                        bias, bOff + j, h, hr + j, ldh);
            }
        }
    }

    @Override
    public void activationBackward(ActivationKind f, float alpha, int n, float[] grad, int gOff,
                                   float[] saved, int sOff, float[] delta, int dOff) {
        int upper = S.loopBound(n);
        int i = 0;
        for (; i < upper; i += L) {
            FloatVector g = FloatVector.fromArray(S, grad, gOff + i);
            FloatVector s = FloatVector.fromArray(S, saved, sOff + i);
            g.mul(derivative(f, alpha, s)).intoArray(delta, dOff + i);
        }
        if (i < n) { // the rest through the reference, as in biasActivation
            ScalarKernels.INSTANCE.activationBackward(f, alpha, n - i, grad, gOff + i, saved, sOff + i, delta, dOff + i);
        }
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
            FloatVector e = FloatVector.fromArray(S, x, off + j, mask).sub(max).lanewise(VectorOperators.EXP);
            e = FloatVector.zero(S).blend(e, mask);
            if (out != null) {
                e.intoArray(out, outOff + j, mask);
            }
            sum = sum.add(e);
        }
        return sum.reduceLanes(VectorOperators.ADD);
    }

    private static void scaleRow(float[] x, int off, int cols, float factor) {
        for (int j = 0; j < cols; j += L) {
            VectorMask<Float> mask = S.indexInRange(j, cols);
            FloatVector.fromArray(S, x, off + j, mask).mul(factor).intoArray(x, off + j, mask);
        }
    }

    @Override
    public void softmax(int rows, int cols, float[] x, int xOff, int ldx, float[] y, int yOff, int ldy) {
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
                yShifted = acc.reduceLanes(VectorOperators.ADD);
                ySum = accY.reduceLanes(VectorOperators.ADD);
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
                        .add(z.abs().neg().lanewise(VectorOperators.EXP).lanewise(VectorOperators.LOG1P));
                acc = acc.add(FloatVector.zero(S).blend(loss, mask));
                if (grad != null) {
                    sigmoid(z).sub(y).mul(invRows).intoArray(grad, gOff + i * ldg + j, mask);
                }
            }
            total += acc.reduceLanes(VectorOperators.ADD);
        }
        return total / rows;
    }

    /** Chunk length of the flat loss loops: float partial sums over at most this many, then double. */
    private static final int LOSS_CHUNK = 512;

    @Override
    public double quadraticCost(int rows, int cols, float[] a, int aOff, int lda, float[] y, int yOff, int ldy,
                                float[] grad, int gOff, int ldg) {
        float invRows = 1f / rows;
        double total = 0;
        if (lda == cols && ldy == cols && (grad == null || ldg == cols)) {
            // a contiguous batch: one flat loop instead of a short masked one per row
            int n = rows * cols;
            for (int i = 0; i < n; i += LOSS_CHUNK) {
                int len = Math.min(LOSS_CHUNK, n - i);
                total += squaredDiffs(len, a, aOff + i, y, yOff + i, grad, gOff + i, invRows);
            }
        } else {
            for (int i = 0; i < rows; i++) {
                total += squaredDiffs(cols, a, aOff + i * lda, y, yOff + i * ldy, grad, gOff + i * ldg, invRows);
            }
        }
        return 0.5 * total / rows;
    }

    /** Σ (a − y)² over n contiguous elements; writes (a − y)·invRows to grad if not null. */
    private static double squaredDiffs(int n, float[] a, int aOff, float[] y, int yOff, float[] grad, int gOff,
                                       float invRows) {
        FloatVector acc = FloatVector.zero(S);
        int j = 0;
        for (int upper = S.loopBound(n); j < upper; j += L) {
            FloatVector d = FloatVector.fromArray(S, a, aOff + j).sub(FloatVector.fromArray(S, y, yOff + j));
            acc = d.fma(d, acc);
            if (grad != null) {
                d.mul(invRows).intoArray(grad, gOff + j);
            }
        }
        if (j < n) {
            VectorMask<Float> mask = S.indexInRange(j, n);
            FloatVector d = FloatVector.fromArray(S, a, aOff + j, mask).sub(FloatVector.fromArray(S, y, yOff + j, mask));
            acc = d.fma(d, acc);
            if (grad != null) {
                d.mul(invRows).intoArray(grad, gOff + j, mask);
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    // -------------------------------------------------------------------- optimizers

    @Override
    public void sgd(int n, float[] w, int wOff, float[] g, int gOff, float[] velocity, int vOff,
                    float lr, float momentum, float weightDecay, boolean nesterov) {
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += L) {
            FloatVector wi = FloatVector.fromArray(S, w, wOff + i);
            FloatVector gi = FloatVector.fromArray(S, g, gOff + i);
            if (weightDecay != 0) {
                gi = gi.add(wi.mul(weightDecay));
            }
            FloatVector step = gi;
            if (velocity != null) {
                FloatVector v = FloatVector.fromArray(S, velocity, vOff + i).mul(momentum).add(gi);
                v.intoArray(velocity, vOff + i);
                step = nesterov ? gi.add(v.mul(momentum)) : v;
            }
            wi.sub(step.mul(lr)).intoArray(w, wOff + i);
        }
        if (i < n) { // the tail through the reference (masking every iteration costs more)
            ScalarKernels.INSTANCE.sgd(n - i, w, wOff + i, g, gOff + i, velocity, vOff + i, lr, momentum, weightDecay, nesterov);
        }
    }

    @Override
    public void adam(int n, float[] w, int wOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff,
                     float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled, long step) {
        float stepSize = (float) (lr / (1 - Math.pow(beta1, step)));
        float invSqrtBc2 = (float) (1 / Math.sqrt(1 - Math.pow(beta2, step)));
        float decay = decoupled ? 1 - lr * weightDecay : 1f;
        float l2 = decoupled ? 0f : weightDecay;
        float oneMinusB1 = 1 - beta1;
        float oneMinusB2 = 1 - beta2;
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += L) {
            FloatVector wi = FloatVector.fromArray(S, w, wOff + i);
            FloatVector gi = FloatVector.fromArray(S, g, gOff + i);
            if (decoupled) {
                wi = wi.mul(decay);
            } else if (l2 != 0) {
                gi = gi.add(wi.mul(l2));
            }
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
        float oneMinusRho = 1 - rho;
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += L) {
            FloatVector wi = FloatVector.fromArray(S, w, wOff + i);
            FloatVector gi = FloatVector.fromArray(S, g, gOff + i);
            if (weightDecay != 0) {
                gi = gi.add(wi.mul(weightDecay));
            }
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
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += L) {
            FloatVector wi = FloatVector.fromArray(S, w, wOff + i);
            FloatVector gi = FloatVector.fromArray(S, g, gOff + i);
            if (weightDecay != 0) {
                gi = gi.add(wi.mul(weightDecay));
            }
            FloatVector s = FloatVector.fromArray(S, sum, sOff + i).add(gi.mul(gi));
            s.intoArray(sum, sOff + i);
            wi.sub(gi.mul(lr).div(s.sqrt().add(eps))).intoArray(w, wOff + i);
        }
        if (i < n) { // the tail through the reference (masking every iteration costs more)
            ScalarKernels.INSTANCE.adagrad(n - i, w, wOff + i, g, gOff + i, sum, sOff + i, lr, eps, weightDecay);
        }
    }
}

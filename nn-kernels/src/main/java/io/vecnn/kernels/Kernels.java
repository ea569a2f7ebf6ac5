package io.vecnn.kernels;

import io.vecnn.kernels.internal.Checks;
import io.vecnn.kernels.internal.KernelImpl;
import io.vecnn.kernels.internal.KernelSelection;
import io.vecnn.kernels.internal.WorkerPool;

import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * The numerical kernels of vecnn: one entry point, two implementations.
 *
 * <h2>Implementations</h2>
 * {@link #scalar()} is the reference: plain loops written to be obviously right; it is the
 * specification that tests and benchmarks hold the fast path to. {@link #vector()} is the Vector API
 * ({@code jdk.incubator.vector}) implementation. {@link #get()} is the one chosen once at start-up:
 * the vector implementation when the incubator module is readable ({@code --add-modules
 * jdk.incubator.vector}) and the JIT is C2, otherwise the scalar one, with one log line saying why.
 * The system property {@code vecnn.kernels=scalar|vector} forces the choice.
 *
 * <h2>Argument conventions (BLAS style)</h2>
 * <ul>
 * <li>Matrices are float32, <b>row-major</b>, in heap {@code float[]} arrays: element (i, j) of a
 *     matrix X passed as {@code (x, xOff, ldx)} is {@code x[xOff + i*ldx + j]}. The leading
 *     dimension {@code ldx} is the distance between rows and must be at least
 *     {@code max(1, columns)}; wider values address a sub-matrix or one batch inside a larger
 *     buffer without copying. Elements between rows (the padding) are never read or written.</li>
 * <li>Vectors are contiguous: {@code (x, xOff)} with a length argument.</li>
 * <li>Dimensions are given for op(X), the matrix as used; the stored matrix of an operand with
 *     {@link Transpose#T} is its transpose (a {@code k × m} matrix for op(A) of {@code m × k}).</li>
 * <li>An empty operand (a zero dimension) may be {@code null}.</li>
 * <li>Outputs must not overlap inputs, except that element-wise kernels may work in place (output
 *     range identical to an input range). Documented per method.</li>
 * <li>Every argument is validated before anything is written; a bad one throws
 *     {@link IllegalArgumentException} naming the argument and its value.</li>
 * <li>Losses return the mean over the rows (the batch) as a {@code double} accumulated in double
 *     precision, and write the gradient of that mean, so every gradient carries the 1/B factor.</li>
 * </ul>
 *
 * <h2>Threads and determinism</h2>
 * GEMM uses up to {@link #threads()} threads when the product is large enough to gain from it
 * (system property {@code vecnn.threads}, by default the available processors; a value that is not
 * an integer ≥ 1 is logged and ignored; {@link #withThreads} for a different limit). {@link #get()}
 * honours it with either implementation; {@link #scalar()} itself runs on the calling thread. Work is split by blocks of the output only, never inside one sum, so
 * results are bit-identical whatever the thread count. Instances are immutable and safe to share;
 * concurrent calls are safe as long as their outputs do not overlap.
 *
 * <h2>Special values</h2>
 * NaN and infinities propagate as IEEE arithmetic dictates, except where a BLAS rule says an
 * operand is not read: GEMM with β = 0 overwrites C (NaN in C does not survive), and α = 0 reads
 * neither A nor B.
 */
public final class Kernels {
    private static final Kernels SCALAR = new Kernels(KernelSelection.scalar());

    private final KernelImpl impl;

    private Kernels(KernelImpl impl) {
        this.impl = impl;
    }

    /**
     * The implementation chosen at start-up (see the class documentation).
     *
     * @return the kernels every layer uses by default
     */
    public static Kernels get() {
        return DefaultHolder.DEFAULT;
    }

    /**
     * The scalar reference implementation. Always available.
     *
     * @return the scalar kernels, on the calling thread
     */
    public static Kernels scalar() {
        return SCALAR;
    }

    /**
     * The Vector API implementation.
     *
     * @return the Vector API kernels, with the default thread limit
     * @throws UnsupportedOperationException if {@code jdk.incubator.vector} is not readable; the
     *                                       message says how to enable it
     */
    public static Kernels vector() {
        return VectorHolder.vector();
    }

    /**
     * True if {@link #vector()} is available on this JVM.
     *
     * @return whether {@link #vector()} succeeds
     */
    public static boolean vectorAvailable() {
        return KernelSelection.vectorUnavailableReason() == null;
    }

    /**
     * A short name: {@code "scalar"} or {@code "vector(FloatVector x8)"} and the like.
     *
     * @return the implementation's name, for logs and reports
     */
    public String name() {
        return impl.name();
    }

    /**
     * The most threads a GEMM call may use.
     *
     * @return the thread limit of GEMM, at least 1
     */
    public int threads() {
        return impl.threads();
    }

    /**
     * These kernels with GEMM limited to {@code threads} threads ({@code 1}: the calling thread
     * only). Results do not depend on it.
     *
     * @param threads the most threads GEMM may use, at least 1
     * @return kernels of the same implementation with that limit ({@code this} if it is already the
     *     limit)
     */
    public Kernels withThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        return threads == impl.threads() ? this : new Kernels(impl.withThreads(threads));
    }

    @Override
    public String toString() {
        return "Kernels[" + name() + ", threads=" + threads() + "]";
    }

    /**
     * Runs {@code body.accept(p)} for every part p in [0, parts) on up to {@link #threads()} threads
     * (the calling thread included, on the pool GEMM uses) and returns when all parts are done: the
     * way callers run independent work, such as model replicas, side by side. Parts may run in any
     * order and concurrently, so they must not write the same memory; a part that throws makes this
     * call throw after every part has finished. With one thread, or when the pool is busy with
     * another caller, the parts run in order on the calling thread. Allocation-free.
     *
     * @param parts the number of parts, at least 0
     * @param body the work of one part, given its index
     */
    public void parallelFor(int parts, IntConsumer body) {
        Objects.requireNonNull(body, "body");
        Checks.nonNegative("parts", parts);
        int threads = Math.min(threads(), parts);
        if (threads > 1) {
            PartAdapter a = PART_ADAPTER.get();
            a.body = body;
            a.parts = parts;
            a.threads = threads;
            try {
                if (WorkerPool.shared(threads - 1).tryRun(a, threads)) {
                    return;
                }
            } finally {
                a.body = null;
            }
        }
        for (int p = 0; p < parts; p++) {
            body.accept(p);
        }
    }

    private static final ThreadLocal<PartAdapter> PART_ADAPTER = ThreadLocal.withInitial(PartAdapter::new);

    /** One per calling thread, so that handing a body to the pool allocates nothing. */
    private static final class PartAdapter implements WorkerPool.Task {
        IntConsumer body;
        int parts;
        int threads;

        // Pool part t runs a contiguous block of the caller's parts.
        @Override
        public void run(int t) {
            for (int p = (int) ((long) parts * t / threads), end = (int) ((long) parts * (t + 1) / threads); p < end; p++) {
                body.accept(p);
            }
        }
    }

    // ---------------------------------------------------------------------------------- GEMM

    /**
     * General matrix multiply: C = α·op(A)·op(B) + β·C, with op(A) of {@code m × k}, op(B) of
     * {@code k × n} and C of {@code m × n}. β = 0 overwrites C without reading it; α = 0 (or
     * k = 0) reads neither A nor B. C must not overlap A or B.
     *
     * @param transA whether A is stored transposed
     * @param transB whether B is stored transposed
     * @param m the rows of op(A) and C
     * @param n the columns of op(B) and C
     * @param k the columns of op(A), the rows of op(B)
     * @param alpha α, the scale of the product
     * @param a the storage of A
     * @param aOff the offset of A's first element
     * @param lda A's leading dimension
     * @param b the storage of B
     * @param bOff the offset of B's first element
     * @param ldb B's leading dimension
     * @param beta β, the scale of C's old value
     * @param c the storage of C, updated
     * @param cOff the offset of C's first element
     * @param ldc C's leading dimension
     */
    public void gemm(Transpose transA, Transpose transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        Objects.requireNonNull(transA, "transA");
        Objects.requireNonNull(transB, "transB");
        Checks.nonNegative("m", m);
        Checks.nonNegative("n", n);
        Checks.nonNegative("k", k);
        boolean readsAB = alpha != 0 && k > 0 && m > 0 && n > 0;
        int aRows = transA.transposed() ? k : m;
        int aCols = transA.transposed() ? m : k;
        int bRows = transB.transposed() ? n : k;
        int bCols = transB.transposed() ? k : n;
        // Leading dimensions are checked always (as BLAS does); the arrays only when they are read.
        Checks.leadingDimension("A", lda, aCols);
        Checks.leadingDimension("B", ldb, bCols);
        if (readsAB) {
            Checks.matrix("A", a, aOff, aRows, aCols, lda);
            Checks.matrix("B", b, bOff, bRows, bCols, ldb);
        }
        Checks.matrix("C", c, cOff, m, n, ldc);
        if (readsAB) {
            Checks.noOverlap("C", c, cOff, m, n, ldc, "A", a, aOff, aRows, aCols, lda);
            Checks.noOverlap("C", c, cOff, m, n, ldc, "B", b, bOff, bRows, bCols, ldb);
        }
        if (m == 0 || n == 0) {
            return;
        }
        impl.gemm(transA.transposed(), transB.transposed(), m, n, k, alpha, a, aOff, lda, b, bOff, ldb,
                beta, c, cOff, ldc);
    }

    // ------------------------------------------------------------------------ gradients

    /**
     * Weight-gradient accumulation over a batch: ∂W += Σᵢ δᵢ ⊗ aᵢ = δᵀ·a, where δ is
     * {@code batch × out} (the error of each sample), a is {@code batch × in} (each sample's
     * input activations) and ∂W is {@code out × in}. A batch of one uses a rank-1 update;
     * larger batches run on the GEMM. ∂W must not overlap δ or a.
     *
     * @param batch the number of samples (rows of δ and a)
     * @param out the number of outputs (columns of δ, rows of ∂W)
     * @param in the number of inputs (columns of a and of ∂W)
     * @param delta δ, the error of each sample
     * @param dOff the offset of δ's first element
     * @param ldd δ's leading dimension
     * @param a each sample's input activations
     * @param aOff the offset of a's first element
     * @param lda a's leading dimension
     * @param dW the weight gradient ∂W, accumulated into
     * @param wOff the offset of ∂W's first element
     * @param ldw ∂W's leading dimension
     */
    public void accumulateOuterProducts(int batch, int out, int in,
                                        float[] delta, int dOff, int ldd,
                                        float[] a, int aOff, int lda,
                                        float[] dW, int wOff, int ldw) {
        Checks.nonNegative("batch", batch);
        Checks.nonNegative("out", out);
        Checks.nonNegative("in", in);
        Checks.matrix("delta", delta, dOff, batch, out, ldd);
        Checks.matrix("a", a, aOff, batch, in, lda);
        Checks.matrix("dW", dW, wOff, out, in, ldw);
        Checks.noOverlap("dW", dW, wOff, out, in, ldw, "delta", delta, dOff, batch, out, ldd);
        Checks.noOverlap("dW", dW, wOff, out, in, ldw, "a", a, aOff, batch, in, lda);
        if (batch == 0 || out == 0 || in == 0) {
            return;
        }
        if (batch == 1) {
            impl.rank1Update(out, in, 1f, delta, dOff, a, aOff, dW, wOff, ldw);
        } else {
            impl.gemm(true, false, out, in, batch, 1f, delta, dOff, ldd, a, aOff, lda, 1f, dW, wOff, ldw);
        }
    }

    /**
     * Bias-gradient accumulation: ∂b += Σᵢ δᵢ, the column sums of δ ({@code batch × out}) added
     * to the {@code out} elements of ∂b. ∂b must not overlap δ.
     *
     * @param batch the number of samples (rows of δ)
     * @param out the number of outputs (columns of δ, elements of ∂b)
     * @param delta δ, the error of each sample
     * @param dOff the offset of δ's first element
     * @param ldd δ's leading dimension
     * @param db the bias gradient ∂b, accumulated into
     * @param dbOff the offset of ∂b's first element
     */
    public void accumulateBiasGradient(int batch, int out, float[] delta, int dOff, int ldd, float[] db, int dbOff) {
        Checks.nonNegative("batch", batch);
        Checks.matrix("delta", delta, dOff, batch, out, ldd);
        Checks.vector("db", db, dbOff, out);
        Checks.noOverlap("db", db, dbOff, 1, out, Math.max(1, out), "delta", delta, dOff, batch, out, ldd);
        if (batch == 0 || out == 0) {
            return;
        }
        impl.accumulateColumnSums(batch, out, delta, dOff, ldd, db, dbOff);
    }

    // ---------------------------------------------------------------------- activations

    /**
     * Forward bias add and activation in one pass over a {@code rows × cols} batch: for every
     * row, z ← z + b (if {@code bias} is not null) and h ← f(z). {@code h} may be the same
     * storage as {@code z} (same offset and leading dimension), in which case only f(z) remains;
     * keep z separately when {@code f.derivativeFromOutput()} is false.
     *
     * @param f the activation
     * @param alpha the parameter of {@link ActivationKind#LEAKY_RELU} and {@link ActivationKind#ELU}
     * @param rows the number of rows (the batch)
     * @param cols the number of columns
     * @param z the pre-activations, {@code rows × cols}, updated with the bias
     * @param zOff the offset of z's first element
     * @param ldz z's leading dimension
     * @param bias the {@code cols} biases, or null for none
     * @param bOff the offset of the first bias
     * @param h where the activations are written, {@code rows × cols}
     * @param hOff the offset of h's first element
     * @param ldh h's leading dimension
     */
    public void biasActivation(ActivationKind f, float alpha, int rows, int cols,
                               float[] z, int zOff, int ldz, float[] bias, int bOff,
                               float[] h, int hOff, int ldh) {
        Objects.requireNonNull(f, "f");
        Checks.finite("alpha", alpha);
        Checks.matrix("z", z, zOff, rows, cols, ldz);
        if (bias != null) {
            Checks.vector("bias", bias, bOff, cols);
            Checks.noOverlap("z", z, zOff, rows, cols, ldz, "bias", bias, bOff, 1, cols, Math.max(1, cols));
            Checks.noOverlap("h", h, hOff, rows, cols, ldh, "bias", bias, bOff, 1, cols, Math.max(1, cols));
        }
        Checks.matrix("h", h, hOff, rows, cols, ldh);
        Checks.sameOrDisjoint("h", h, hOff, ldh, "z", z, zOff, ldz, rows, cols);
        if (rows == 0 || cols == 0) {
            return;
        }
        impl.biasActivation(f, alpha, rows, cols, z, zOff, ldz, bias, bOff, h, hOff, ldh);
    }

    /**
     * Fused activation-derivative Hadamard product: δ = g ⊙ f′(·) over {@code n} contiguous
     * elements, in one pass. {@code saved} is the stored output h when
     * {@code f.derivativeFromOutput()}, the pre-activation z otherwise. δ may be the same range as
     * g or saved (in place).
     *
     * @param f the activation
     * @param alpha the parameter of {@link ActivationKind#LEAKY_RELU} and {@link
     *     ActivationKind#ELU}
     * @param n the number of elements
     * @param grad g, the gradient with respect to the activation's output
     * @param gOff the offset of g's first element
     * @param saved h or z, as {@code f.derivativeFromOutput()} says
     * @param sOff the offset of the first saved value
     * @param delta where δ, the gradient with respect to z, is written
     * @param dOff the offset of δ's first element
     */
    public void activationBackward(ActivationKind f, float alpha, int n, float[] grad, int gOff,
                                   float[] saved, int sOff, float[] delta, int dOff) {
        Objects.requireNonNull(f, "f");
        Checks.finite("alpha", alpha);
        Checks.nonNegative("n", n);
        Checks.vector("grad", grad, gOff, n);
        Checks.vector("saved", saved, sOff, n);
        Checks.vector("delta", delta, dOff, n);
        Checks.sameOrDisjoint("delta", delta, dOff, "grad", grad, gOff, n);
        Checks.sameOrDisjoint("delta", delta, dOff, "saved", saved, sOff, n);
        if (n == 0) {
            return;
        }
        impl.activationBackward(f, alpha, n, grad, gOff, saved, sOff, delta, dOff);
    }

    // --------------------------------------------------------------------------- losses

    /**
     * Row-wise softmax with the row maximum subtracted: y = softmax(x). y may be x (in place, same
     * offset and leading dimension).
     *
     * @param rows the number of rows (the batch)
     * @param cols the number of columns
     * @param x the input rows
     * @param xOff the offset of x's first element
     * @param ldx x's leading dimension
     * @param y where the probabilities are written
     * @param yOff the offset of y's first element
     * @param ldy y's leading dimension
     */
    public void softmax(int rows, int cols, float[] x, int xOff, int ldx, float[] y, int yOff, int ldy) {
        Checks.matrix("x", x, xOff, rows, cols, ldx);
        Checks.matrix("y", y, yOff, rows, cols, ldy);
        Checks.sameOrDisjoint("y", y, yOff, ldy, "x", x, xOff, ldx, rows, cols);
        if (rows == 0 || cols == 0) {
            return;
        }
        impl.softmax(rows, cols, x, xOff, ldx, y, yOff, ldy);
    }

    /**
     * Softmax fused with cross-entropy against class labels, for a batch of {@code rows} logit rows
     * of {@code cols} classes: returns the mean of −log softmax(zᵢ)[labelᵢ] and, if {@code grad}
     * is not null, writes the gradient of that mean, (ŷ − y)/rows, to it. Stable for any finite
     * logits (max-subtracted). {@code grad} may be the logits' storage (in place).
     *
     * @param rows the number of rows (the batch)
     * @param cols the number of classes
     * @param logits the logits z, {@code rows × cols}
     * @param lOff the offset of the first logit
     * @param ldl the logits' leading dimension
     * @param labels the class index of each row, in [0, cols)
     * @param labOff the offset of the first label
     * @param grad where the gradient is written, {@code rows × cols}, or null for the loss alone
     * @param gOff the offset of the gradient's first element
     * @param ldg the gradient's leading dimension
     * @return the mean loss over the rows
     */
    public double softmaxCrossEntropy(int rows, int cols, float[] logits, int lOff, int ldl,
                                      int[] labels, int labOff, float[] grad, int gOff, int ldg) {
        checkLoss("logits", rows, cols, logits, lOff, ldl, grad, gOff, ldg);
        Checks.labels("labels", labels, labOff, rows, cols);
        if (rows == 0) {
            return 0;
        }
        return impl.softmaxCrossEntropy(rows, cols, logits, lOff, ldl, labels, labOff, null, 0, 0, grad, gOff, ldg);
    }

    /**
     * Softmax fused with cross-entropy against target distributions (one-hot or soft labels,
     * {@code rows × cols}): returns the mean over rows of −Σⱼ yⱼ log softmax(z)ⱼ and writes
     * (ŷ − y)/rows to {@code grad} if it is not null (rows of y are assumed to sum to 1).
     *
     * @param rows the number of rows (the batch)
     * @param cols the number of classes
     * @param logits the logits z, {@code rows × cols}
     * @param lOff the offset of the first logit
     * @param ldl the logits' leading dimension
     * @param targets the target distributions y, {@code rows × cols}
     * @param tOff the offset of the first target
     * @param ldt the targets' leading dimension
     * @param grad where the gradient is written, {@code rows × cols}, or null for the loss alone
     * @param gOff the offset of the gradient's first element
     * @param ldg the gradient's leading dimension
     * @return the mean loss over the rows
     */
    public double softmaxCrossEntropy(int rows, int cols, float[] logits, int lOff, int ldl,
                                      float[] targets, int tOff, int ldt, float[] grad, int gOff, int ldg) {
        checkLoss("logits", rows, cols, logits, lOff, ldl, grad, gOff, ldg);
        Checks.matrix("targets", targets, tOff, rows, cols, ldt);
        Checks.noOverlap("grad", grad, gOff, rows, cols, ldg, "targets", targets, tOff, rows, cols, ldt);
        if (rows == 0 || cols == 0) {
            return 0;
        }
        return impl.softmaxCrossEntropy(rows, cols, logits, lOff, ldl, null, 0, targets, tOff, ldt, grad, gOff, ldg);
    }

    /**
     * Binary cross-entropy on logits, in its stable form max(z, 0) − z·y + ln(1 + e^−|z|), summed
     * over the {@code cols} outputs of a row and averaged over the {@code rows}; writes
     * (σ(z) − y)/rows to {@code grad} if it is not null. Targets must lie in [0, 1].
     *
     * @param rows the number of rows (the batch)
     * @param cols the number of outputs per row
     * @param logits the logits z, {@code rows × cols}
     * @param lOff the offset of the first logit
     * @param ldl the logits' leading dimension
     * @param targets the targets y in [0, 1], {@code rows × cols}
     * @param tOff the offset of the first target
     * @param ldt the targets' leading dimension
     * @param grad where the gradient is written, {@code rows × cols}, or null for the loss alone
     * @param gOff the offset of the gradient's first element
     * @param ldg the gradient's leading dimension
     * @return the mean loss over the rows
     */
    public double binaryCrossEntropyWithLogits(int rows, int cols, float[] logits, int lOff, int ldl,
                                               float[] targets, int tOff, int ldt, float[] grad, int gOff, int ldg) {
        checkLoss("logits", rows, cols, logits, lOff, ldl, grad, gOff, ldg);
        Checks.matrix("targets", targets, tOff, rows, cols, ldt);
        Checks.noOverlap("grad", grad, gOff, rows, cols, ldg, "targets", targets, tOff, rows, cols, ldt);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                float y = targets[tOff + i * ldt + j];
                if (!(y >= 0 && y <= 1)) {
                    throw new IllegalArgumentException("targets[" + (tOff + i * ldt + j) + "] (row " + i + ", column "
                            + j + ") = " + y + " is outside [0, 1]");
                }
            }
        }
        if (rows == 0 || cols == 0) {
            return 0;
        }
        return impl.binaryCrossEntropyWithLogits(rows, cols, logits, lOff, ldl, targets, tOff, ldt, grad, gOff, ldg);
    }

    /**
     * Quadratic cost: the mean over rows of ½‖aᵢ − yᵢ‖², and its gradient (a − y)/rows written to
     * {@code grad} if it is not null. {@code grad} may be the storage of {@code a} (in place).
     *
     * @param rows the number of rows (the batch)
     * @param cols the number of columns
     * @param a the outputs a, {@code rows × cols}
     * @param aOff the offset of the first output
     * @param lda the outputs' leading dimension
     * @param y the targets y, {@code rows × cols}
     * @param yOff the offset of the first target
     * @param ldy the targets' leading dimension
     * @param grad where the gradient is written, {@code rows × cols}, or null for the loss alone
     * @param gOff the offset of the gradient's first element
     * @param ldg the gradient's leading dimension
     * @return the mean loss over the rows
     */
    public double quadraticCost(int rows, int cols, float[] a, int aOff, int lda, float[] y, int yOff, int ldy,
                                float[] grad, int gOff, int ldg) {
        checkLoss("a", rows, cols, a, aOff, lda, grad, gOff, ldg);
        Checks.matrix("y", y, yOff, rows, cols, ldy);
        Checks.noOverlap("grad", grad, gOff, rows, cols, ldg, "y", y, yOff, rows, cols, ldy);
        if (rows == 0 || cols == 0) {
            return 0;
        }
        return 0.5 * impl.squaredErrors(rows, cols, a, aOff, lda, y, yOff, ldy, grad, gOff, ldg, 1f / rows) / rows;
    }

    /**
     * Mean squared error as PyTorch's {@code MSELoss} (reduction {@code 'mean'}) defines it: the mean
     * over all {@code rows × cols} elements of (aᵢⱼ − yᵢⱼ)², and its gradient 2(a − y)/(rows·cols)
     * written to {@code grad} if it is not null. It is 2/cols times {@link #quadraticCost}.
     * {@code grad} may be the storage of {@code a} (in place).
     *
     * @param rows the batch size
     * @param cols the outputs per row
     * @param a    the outputs, {@code rows × cols}
     * @param aOff offset of a
     * @param lda  leading dimension of a
     * @param y    the targets, {@code rows × cols}
     * @param yOff offset of y
     * @param ldy  leading dimension of y
     * @param grad null, or the {@code rows × cols} gradient to write
     * @param gOff offset of grad
     * @param ldg  leading dimension of grad
     * @return the mean, accumulated in double (0 for an empty matrix)
     * @throws IllegalArgumentException if an argument is out of range or buffers overlap
     */
    public double meanSquaredError(int rows, int cols, float[] a, int aOff, int lda, float[] y, int yOff, int ldy,
                                   float[] grad, int gOff, int ldg) {
        checkRegression(rows, cols, a, aOff, lda, y, yOff, ldy, grad, gOff, ldg);
        if (rows == 0 || cols == 0) {
            return 0;
        }
        double n = (double) rows * cols;
        return impl.squaredErrors(rows, cols, a, aOff, lda, y, yOff, ldy, grad, gOff, ldg, (float) (2 / n)) / n;
    }

    /**
     * Mean absolute error as PyTorch's {@code L1Loss} (reduction {@code 'mean'}): the mean over all
     * {@code rows × cols} elements of |aᵢⱼ − yᵢⱼ|, and its gradient sign(a − y)/(rows·cols) (0 where
     * a = y, as PyTorch's sign) written to {@code grad} if it is not null (may be a's storage).
     *
     * @param rows the batch size
     * @param cols the outputs per row
     * @param a    the outputs, {@code rows × cols}
     * @param aOff offset of a
     * @param lda  leading dimension of a
     * @param y    the targets, {@code rows × cols}
     * @param yOff offset of y
     * @param ldy  leading dimension of y
     * @param grad null, or the {@code rows × cols} gradient to write
     * @param gOff offset of grad
     * @param ldg  leading dimension of grad
     * @return the mean, accumulated in double (0 for an empty matrix)
     * @throws IllegalArgumentException if an argument is out of range or buffers overlap
     */
    public double meanAbsoluteError(int rows, int cols, float[] a, int aOff, int lda, float[] y, int yOff, int ldy,
                                    float[] grad, int gOff, int ldg) {
        checkRegression(rows, cols, a, aOff, lda, y, yOff, ldy, grad, gOff, ldg);
        if (rows == 0 || cols == 0) {
            return 0;
        }
        double n = (double) rows * cols;
        return impl.absoluteErrors(rows, cols, a, aOff, lda, y, yOff, ldy, grad, gOff, ldg, (float) (1 / n)) / n;
    }

    /**
     * Huber loss as PyTorch's {@code HuberLoss(delta)} (reduction {@code 'mean'}): the mean over all
     * {@code rows × cols} elements of ½d² where |d| &lt; δ and δ(|d| − ½δ) elsewhere, d = a − y, and
     * its gradient clamp(d, −δ, δ)/(rows·cols) written to {@code grad} if it is not null (may be a's
     * storage).
     *
     * @param delta δ &gt; 0, where the loss turns from quadratic to linear (PyTorch's default 1)
     * @param rows  the batch size
     * @param cols  the outputs per row
     * @param a     the outputs, {@code rows × cols}
     * @param aOff  offset of a
     * @param lda   leading dimension of a
     * @param y     the targets, {@code rows × cols}
     * @param yOff  offset of y
     * @param ldy   leading dimension of y
     * @param grad  null, or the {@code rows × cols} gradient to write
     * @param gOff  offset of grad
     * @param ldg   leading dimension of grad
     * @return the mean, accumulated in double (0 for an empty matrix)
     * @throws IllegalArgumentException if δ is not a positive finite number, an argument is out of
     *                                  range or buffers overlap
     */
    public double huberLoss(float delta, int rows, int cols, float[] a, int aOff, int lda, float[] y, int yOff, int ldy,
                            float[] grad, int gOff, int ldg) {
        Checks.positive("delta", delta);
        checkRegression(rows, cols, a, aOff, lda, y, yOff, ldy, grad, gOff, ldg);
        if (rows == 0 || cols == 0) {
            return 0;
        }
        double n = (double) rows * cols;
        return impl.huberErrors(rows, cols, delta, a, aOff, lda, y, yOff, ldy, grad, gOff, ldg, (float) (1 / n)) / n;
    }

    private static void checkRegression(int rows, int cols, float[] a, int aOff, int lda, float[] y, int yOff, int ldy,
                                        float[] grad, int gOff, int ldg) {
        checkLoss("a", rows, cols, a, aOff, lda, grad, gOff, ldg);
        Checks.matrix("y", y, yOff, rows, cols, ldy);
        Checks.noOverlap("grad", grad, gOff, rows, cols, ldg, "y", y, yOff, rows, cols, ldy);
    }

    /**
     * Softmax cross-entropy with class weights and label smoothing, as PyTorch's
     * {@code CrossEntropyLoss(weight, label_smoothing)} with class-index targets (reduction
     * {@code 'mean'}), for one-hot target rows y: with q = (1 − ε)y + ε/cols and p = softmax(z), the
     * loss is Σᵢ Σⱼ wⱼqᵢⱼ(−log pᵢⱼ) divided by W = Σᵢ Σⱼ wⱼyᵢⱼ (for one-hot rows the sum of the
     * targets' class weights), and the gradient (pᵢⱼ·Σₖ wₖqᵢₖ − wⱼqᵢⱼ)/W is written to {@code grad}
     * if it is not null (may be the logits' storage). Without weights (null) W is rows, so any target
     * distributions are accepted and the result is PyTorch's for probability targets too; with
     * weights and rows that are not one-hot the same formula applies (PyTorch's probability-target
     * mode divides by rows instead).
     *
     * @param rows           the batch size
     * @param cols           the classes
     * @param logits         the logits, {@code rows × cols}
     * @param lOff           offset of the logits
     * @param ldl            leading dimension of the logits
     * @param targets        the target rows, {@code rows × cols}
     * @param tOff           offset of the targets
     * @param ldt            leading dimension of the targets
     * @param classWeights   null (all 1), or {@code cols} finite non-negative weights
     * @param wOff           offset of the weights
     * @param labelSmoothing ε in [0, 1]
     * @param grad           null, or the {@code rows × cols} gradient to write
     * @param gOff           offset of grad
     * @param ldg            leading dimension of grad
     * @return the weighted mean, accumulated in double (0 for an empty matrix)
     * @throws IllegalArgumentException if an argument is out of range, buffers overlap, a weight is
     *                                  negative or not finite, or W is not positive
     */
    public double softmaxCrossEntropy(int rows, int cols, float[] logits, int lOff, int ldl,
                                      float[] targets, int tOff, int ldt, float[] classWeights, int wOff,
                                      float labelSmoothing, float[] grad, int gOff, int ldg) {
        checkLoss("logits", rows, cols, logits, lOff, ldl, grad, gOff, ldg);
        Checks.matrix("targets", targets, tOff, rows, cols, ldt);
        Checks.noOverlap("grad", grad, gOff, rows, cols, ldg, "targets", targets, tOff, rows, cols, ldt);
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
            throw new IllegalArgumentException("labelSmoothing must lie in [0, 1], got " + labelSmoothing);
        }
        if (classWeights != null) {
            Checks.vector("classWeights", classWeights, wOff, cols);
            for (int j = 0; j < cols; j++) {
                float w = classWeights[wOff + j];
                if (!(w >= 0f && w < Float.POSITIVE_INFINITY)) {
                    throw new IllegalArgumentException("classWeights[" + (wOff + j) + "] (class " + j + ") = " + w
                            + "; class weights must be finite and >= 0");
                }
            }
            if (grad != null) {
                Checks.noOverlap("grad", grad, gOff, rows, cols, ldg, "classWeights", classWeights, wOff, 1, cols,
                        Math.max(1, cols));
            }
        }
        if (rows == 0 || cols == 0) {
            return 0;
        }
        if (classWeights != null) {
            double total = 0;
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    total += (double) classWeights[wOff + j] * targets[tOff + i * ldt + j];
                }
            }
            if (!(total > 0)) {
                throw new IllegalArgumentException("the targets' class weights sum to " + total
                        + "; the weighted mean needs a positive total weight");
            }
        }
        return impl.weightedSoftmaxCrossEntropy(rows, cols, logits, lOff, ldl, targets, tOff, ldt, classWeights, wOff,
                labelSmoothing, grad, gOff, ldg);
    }

    private static void checkLoss(String inName, int rows, int cols, float[] in, int inOff, int ldi,
                                  float[] grad, int gOff, int ldg) {
        Checks.matrix(inName, in, inOff, rows, cols, ldi);
        if (grad != null) {
            Checks.matrix("grad", grad, gOff, rows, cols, ldg);
            Checks.sameOrDisjoint("grad", grad, gOff, ldg, inName, in, inOff, ldi, rows, cols);
        }
    }

    // -------------------------------------------------------------------- normalisation

    /**
     * Layer normalisation of each of {@code rows} rows of {@code cols} values, as PyTorch's
     * {@code LayerNorm} over the last dimension: μ and σ² (biased: divided by cols) of the row,
     * x̂ = (x − μ)/√(σ² + ε), y = γ ⊙ x̂ + β. Writes y, and x̂ and 1/√(σ² + ε) per row when
     * {@code xhat} and {@code rstd} are not null (what {@link #layerNormBackward} needs). y may be
     * x (in place); x̂ must not overlap x or y.
     *
     * @param rows  the rows (groups) to normalise
     * @param cols  the values per row, ≥ 1
     * @param eps   ε &gt; 0 (PyTorch's default 1e−5)
     * @param x     the input, {@code rows × cols}
     * @param xOff  offset of x
     * @param ldx   leading dimension of x
     * @param gamma the scale γ, {@code cols} values
     * @param gOff  offset of γ
     * @param beta  the shift β, {@code cols} values
     * @param bOff  offset of β
     * @param y     the output, {@code rows × cols}
     * @param yOff  offset of y
     * @param ldy   leading dimension of y
     * @param xhat  null, or {@code rows × cols} for x̂
     * @param hOff  offset of x̂
     * @param ldh   leading dimension of x̂
     * @param rstd  null, or {@code rows} values for 1/√(σ² + ε)
     * @param rOff  offset of rstd
     * @throws IllegalArgumentException if an argument is out of range or buffers overlap
     */
    public void layerNorm(int rows, int cols, float eps, float[] x, int xOff, int ldx, float[] gamma, int gOff,
                          float[] beta, int bOff, float[] y, int yOff, int ldy, float[] xhat, int hOff, int ldh,
                          float[] rstd, int rOff) {
        Checks.nonNegative("rows", rows);
        if (cols < 1) {
            throw new IllegalArgumentException("cols must be >= 1, got " + cols);
        }
        Checks.positive("eps", eps);
        Checks.matrix("x", x, xOff, rows, cols, ldx);
        Checks.vector("gamma", gamma, gOff, cols);
        Checks.vector("beta", beta, bOff, cols);
        Checks.matrix("y", y, yOff, rows, cols, ldy);
        Checks.sameOrDisjoint("y", y, yOff, ldy, "x", x, xOff, ldx, rows, cols);
        Checks.noOverlap("y", y, yOff, rows, cols, ldy, "gamma", gamma, gOff, 1, cols, cols);
        Checks.noOverlap("y", y, yOff, rows, cols, ldy, "beta", beta, bOff, 1, cols, cols);
        if (xhat != null) {
            Checks.matrix("xhat", xhat, hOff, rows, cols, ldh);
            Checks.noOverlap("xhat", xhat, hOff, rows, cols, ldh, "x", x, xOff, rows, cols, ldx);
            Checks.noOverlap("xhat", xhat, hOff, rows, cols, ldh, "y", y, yOff, rows, cols, ldy);
        }
        if (rstd != null) {
            Checks.vector("rstd", rstd, rOff, rows);
        }
        if (rows == 0) {
            return;
        }
        impl.layerNorm(rows, cols, eps, x, xOff, ldx, gamma, gOff, beta, bOff, y, yOff, ldy, xhat, hOff, ldh, rstd, rOff);
    }

    /**
     * The backward pass of {@link #layerNorm}: from ∂L/∂y, adds Σ ∂L/∂y ⊙ x̂ over the rows to
     * ∂γ and Σ ∂L/∂y to ∂β (row by row, in row order), and writes, if {@code dx} is not null,
     * ∂L/∂x = rstd·(g − mean(g) − x̂·mean(g ⊙ x̂)) with g = ∂L/∂y ⊙ γ. dx may be dy (in place).
     *
     * @param rows   the rows (groups)
     * @param cols   the values per row, ≥ 1
     * @param dy     ∂L/∂y, {@code rows × cols}
     * @param dyOff  offset of dy
     * @param lddy   leading dimension of dy
     * @param xhat   x̂ from the forward pass
     * @param hOff   offset of x̂
     * @param ldh    leading dimension of x̂
     * @param rstd   1/√(σ² + ε) per row from the forward pass
     * @param rOff   offset of rstd
     * @param gamma  γ, {@code cols} values
     * @param gOff   offset of γ
     * @param dGamma ∂γ to add into, {@code cols} values
     * @param dgOff  offset of ∂γ
     * @param dBeta  ∂β to add into, {@code cols} values
     * @param dbOff  offset of ∂β
     * @param dx     null, or ∂L/∂x to write, {@code rows × cols}
     * @param dxOff  offset of dx
     * @param lddx   leading dimension of dx
     * @throws IllegalArgumentException if an argument is out of range or buffers overlap
     */
    public void layerNormBackward(int rows, int cols, float[] dy, int dyOff, int lddy, float[] xhat, int hOff, int ldh,
                                  float[] rstd, int rOff, float[] gamma, int gOff, float[] dGamma, int dgOff,
                                  float[] dBeta, int dbOff, float[] dx, int dxOff, int lddx) {
        Checks.nonNegative("rows", rows);
        if (cols < 1) {
            throw new IllegalArgumentException("cols must be >= 1, got " + cols);
        }
        Checks.matrix("dy", dy, dyOff, rows, cols, lddy);
        Checks.matrix("xhat", xhat, hOff, rows, cols, ldh);
        Checks.vector("rstd", rstd, rOff, rows);
        Checks.vector("gamma", gamma, gOff, cols);
        Checks.vector("dGamma", dGamma, dgOff, cols);
        Checks.vector("dBeta", dBeta, dbOff, cols);
        Checks.noOverlap("dGamma", dGamma, dgOff, 1, cols, cols, "dBeta", dBeta, dbOff, 1, cols, cols);
        Checks.noOverlap("dGamma", dGamma, dgOff, 1, cols, cols, "dy", dy, dyOff, rows, cols, lddy);
        Checks.noOverlap("dBeta", dBeta, dbOff, 1, cols, cols, "dy", dy, dyOff, rows, cols, lddy);
        if (dx != null) {
            Checks.matrix("dx", dx, dxOff, rows, cols, lddx);
            Checks.sameOrDisjoint("dx", dx, dxOff, lddx, "dy", dy, dyOff, lddy, rows, cols);
            Checks.noOverlap("dx", dx, dxOff, rows, cols, lddx, "xhat", xhat, hOff, rows, cols, ldh);
            Checks.noOverlap("dx", dx, dxOff, rows, cols, lddx, "dGamma", dGamma, dgOff, 1, cols, cols);
            Checks.noOverlap("dx", dx, dxOff, rows, cols, lddx, "dBeta", dBeta, dbOff, 1, cols, cols);
        }
        if (rows == 0) {
            return;
        }
        impl.layerNormBackward(rows, cols, dy, dyOff, lddy, xhat, hOff, ldh, rstd, rOff, gamma, gOff, dGamma, dgOff,
                dBeta, dbOff, dx, dxOff, lddx);
    }

    // --------------------------------------------------------------- convolution and pooling

    /**
     * 2-D convolution (cross-correlation, as PyTorch's {@code conv2d}) of a batch of NCHW images:
     * y[n, o, oy, ox] = b[o] + Σ_{c,i,j} W[o, c, i, j] · x[n, c, oy·sh − ph + i, ox·sw − pw + j], zero outside
     * the image. Computed image by image as a GEMM over the image's patches (im2col, then
     * W (outChannels × patchSize) times the columns), so it runs at the GEMM's speed and is bit-identical
     * for any thread count. y must not overlap x, W or b.
     *
     * @param g           the input geometry and window
     * @param batch       images in the batch, ≥ 0
     * @param outChannels output channels, ≥ 1
     * @param x           the input, {@code batch × g.inputSize()} values
     * @param xOff        offset of x
     * @param w           the weights, {@code outChannels × g.patchSize()} (PyTorch's [O, C, kh, kw])
     * @param wOff        offset of W
     * @param bias        null, or {@code outChannels} values
     * @param bOff        offset of the bias
     * @param y           the output, {@code batch × outChannels × g.outputPositions()} values
     * @param yOff        offset of y
     * @throws IllegalArgumentException if an argument is out of range or buffers overlap
     */
    public void conv2d(ConvGeometry g, int batch, int outChannels, float[] x, int xOff, float[] w, int wOff,
                       float[] bias, int bOff, float[] y, int yOff) {
        int ySize = convChecks(g, batch, outChannels, "x", x, xOff, "w", w, wOff, "y", y, yOff);
        if (bias != null) {
            Checks.vector("bias", bias, bOff, outChannels);
            Checks.noOverlap("y", y, yOff, 1, ySize, ySize, "bias", bias, bOff, 1, outChannels, outChannels);
        }
        if (batch == 0) {
            return;
        }
        impl.conv2d(g, batch, outChannels, x, xOff, w, wOff, bias, bOff, y, yOff);
    }

    /**
     * The parameter gradients of {@link #conv2d}, added: ∂W += Σₙ ∂Yₙ · colsₙᵀ (the outer products of
     * output gradients and patches, image by image in batch order) and, if {@code db} is not null,
     * ∂b[o] += Σ ∂y[n, o, ·, ·]. Outputs must not overlap the inputs or each other.
     *
     * @param g           the input geometry and window
     * @param batch       images, ≥ 0
     * @param outChannels output channels, ≥ 1
     * @param x           the forward pass's input, {@code batch × g.inputSize()}
     * @param xOff        offset of x
     * @param dy          ∂L/∂y, {@code batch × outChannels × g.outputPositions()}
     * @param dyOff       offset of ∂y
     * @param dw          ∂W to add into, {@code outChannels × g.patchSize()}
     * @param dwOff       offset of ∂W
     * @param db          null, or ∂b to add into, {@code outChannels} values
     * @param dbOff       offset of ∂b
     * @throws IllegalArgumentException if an argument is out of range or buffers overlap
     */
    public void conv2dBackwardFilter(ConvGeometry g, int batch, int outChannels, float[] x, int xOff, float[] dy,
                                     int dyOff, float[] dw, int dwOff, float[] db, int dbOff) {
        int ySize = convChecks(g, batch, outChannels, "x", x, xOff, "dw", dw, dwOff, "dy", dy, dyOff);
        int wSize = outChannels * g.patchSize();
        Checks.noOverlap("dw", dw, dwOff, 1, wSize, wSize, "x", x, xOff, 1, batch * g.inputSize(), Math.max(1, batch * g.inputSize()));
        if (db != null) {
            Checks.vector("db", db, dbOff, outChannels);
            Checks.noOverlap("db", db, dbOff, 1, outChannels, outChannels, "dy", dy, dyOff, 1, ySize, ySize);
            Checks.noOverlap("db", db, dbOff, 1, outChannels, outChannels, "dw", dw, dwOff, 1, wSize, wSize);
        }
        if (batch == 0) {
            return;
        }
        impl.conv2dBackwardFilter(g, batch, outChannels, x, xOff, dy, dyOff, dw, dwOff, db, dbOff);
    }

    /**
     * The input gradient of {@link #conv2d}, written: ∂colsₙ = Wᵀ · ∂Yₙ, then every column entry is added
     * back to the image position it was copied from (col2im) in one fixed order (patch row, then output
     * position), so the result is bit-identical for any thread count. dx must not overlap dy or W.
     *
     * @param g           the input geometry and window
     * @param batch       images, ≥ 0
     * @param outChannels output channels, ≥ 1
     * @param dy          ∂L/∂y, {@code batch × outChannels × g.outputPositions()}
     * @param dyOff       offset of ∂y
     * @param w           the weights, {@code outChannels × g.patchSize()}
     * @param wOff        offset of W
     * @param dx          ∂L/∂x to write, {@code batch × g.inputSize()}
     * @param dxOff       offset of ∂x
     * @throws IllegalArgumentException if an argument is out of range or buffers overlap
     */
    public void conv2dBackwardData(ConvGeometry g, int batch, int outChannels, float[] dy, int dyOff, float[] w,
                                   int wOff, float[] dx, int dxOff) {
        convChecks(g, batch, outChannels, "dx", dx, dxOff, "w", w, wOff, "dy", dy, dyOff);
        if (batch == 0) {
            return;
        }
        impl.conv2dBackwardData(g, batch, outChannels, dy, dyOff, w, wOff, dx, dxOff);
    }

    /**
     * The column matrix of one image: cols[(c·kh + i)·kw + j, oy·OW + ox] = x[c, oy·sh − ph + i, ox·sw − pw + j]
     * (0 outside the image), {@code g.patchSize() × g.outputPositions()} row-major. What {@link #conv2d}
     * multiplies, offered for callers who run their own GEMM on it.
     *
     * @param g    the geometry
     * @param x    the image, {@code g.inputSize()} values
     * @param xOff offset of the image
     * @param cols the columns to write
     * @param cOff offset of the columns
     * @throws IllegalArgumentException if an array is too short or they overlap
     */
    public void im2col(ConvGeometry g, float[] x, int xOff, float[] cols, int cOff) {
        Objects.requireNonNull(g, "g");
        int n = g.patchSize() * g.outputPositions();
        Checks.vector("x", x, xOff, g.inputSize());
        Checks.vector("cols", cols, cOff, n);
        Checks.noOverlap("cols", cols, cOff, 1, n, n, "x", x, xOff, 1, g.inputSize(), g.inputSize());
        impl.im2col(g, x, xOff, cols, cOff);
    }

    /**
     * The adjoint of {@link #im2col}: adds every column entry into the image position it came from, in
     * patch-row then position order (entries of padding are dropped).
     *
     * @param g    the geometry
     * @param cols the columns, {@code g.patchSize() × g.outputPositions()}
     * @param cOff offset of the columns
     * @param dx   the image to add into, {@code g.inputSize()} values
     * @param xOff offset of the image
     * @throws IllegalArgumentException if an array is too short or they overlap
     */
    public void col2imAdd(ConvGeometry g, float[] cols, int cOff, float[] dx, int xOff) {
        Objects.requireNonNull(g, "g");
        int n = g.patchSize() * g.outputPositions();
        Checks.vector("cols", cols, cOff, n);
        Checks.vector("dx", dx, xOff, g.inputSize());
        Checks.noOverlap("dx", dx, xOff, 1, g.inputSize(), g.inputSize(), "cols", cols, cOff, 1, n, n);
        impl.col2imAdd(g, cols, cOff, dx, xOff);
    }

    private static int convChecks(ConvGeometry g, int batch, int outChannels, String xName, float[] x, int xOff,
                                  String wName, float[] w, int wOff, String yName, float[] y, int yOff) {
        Objects.requireNonNull(g, "g");
        Checks.nonNegative("batch", batch);
        if (outChannels < 1) {
            throw new IllegalArgumentException("outChannels must be >= 1, got " + outChannels);
        }
        long xs = (long) batch * g.inputSize();
        long ys = (long) batch * outChannels * g.outputPositions();
        long ws = (long) outChannels * g.patchSize();
        if (xs > Integer.MAX_VALUE || ys > Integer.MAX_VALUE || ws > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a batch of " + batch + " convolutions of " + g + " is too large");
        }
        Checks.vector(xName, x, xOff, (int) xs);
        Checks.vector(wName, w, wOff, (int) ws);
        Checks.vector(yName, y, yOff, (int) ys);
        int xi = (int) xs, yi = (int) ys, wi = (int) ws;
        Checks.noOverlap(yName, y, yOff, 1, yi, yi, xName, x, xOff, 1, xi, Math.max(1, xi));
        Checks.noOverlap(yName, y, yOff, 1, yi, yi, wName, w, wOff, 1, wi, wi);
        Checks.noOverlap(xName, x, xOff, 1, xi, Math.max(1, xi), wName, w, wOff, 1, wi, wi);
        return yi;
    }

    /**
     * Max pooling over the windows of {@code g} in every channel of a batch of NCHW images; padding never
     * wins (and a NaN in a window wins, as in PyTorch). If {@code argmax} is not null, it receives for every
     * output the index of its winner within its image (c·H·W + iy·W + ix; the first maximum in row-major
     * window order), which {@link #maxPool2dBackward} reads. Every window must contain an image value
     * (padding at most half the kernel, as PyTorch requires). y must not overlap x.
     *
     * @param g     the geometry (channels are pooled separately)
     * @param batch images, ≥ 0
     * @param x     the input, {@code batch × g.inputSize()}
     * @param xOff  offset of x
     * @param y     the output, {@code batch × g.channels() × g.outputPositions()}
     * @param yOff  offset of y
     * @param argmax null, or as many ints as y has values
     * @param aOff  offset of argmax
     * @throws IllegalArgumentException if an argument is out of range, a window lies in the padding alone,
     *                                  or buffers overlap
     */
    public void maxPool2d(ConvGeometry g, int batch, float[] x, int xOff, float[] y, int yOff, int[] argmax, int aOff) {
        int ySize = poolChecks(g, batch, "x", x, xOff, "y", y, yOff);
        if (2 * g.padH() > g.kernelH() || 2 * g.padW() > g.kernelW()) {
            throw new IllegalArgumentException("max pooling padding " + g.padH() + "x" + g.padW()
                    + " must be at most half the kernel " + g.kernelH() + "x" + g.kernelW());
        }
        if (argmax != null) {
            Checks.nonNegative("offset of argmax", aOff);
            if ((long) aOff + ySize > argmax.length) {
                throw new IllegalArgumentException("argmax is too short: needs " + ((long) aOff + ySize)
                        + ", its length is " + argmax.length);
            }
        }
        if (batch == 0) {
            return;
        }
        impl.maxPool2d(g, batch, x, xOff, y, yOff, argmax, aOff);
    }

    /**
     * The input gradient of {@link #maxPool2d}, written: ∂x is zero except at each window's winner, which
     * receives the window's ∂y (added in output order where windows overlap).
     *
     * @param g      the geometry of the forward pass
     * @param batch  images, ≥ 0
     * @param dy     ∂L/∂y, {@code batch × g.channels() × g.outputPositions()}
     * @param dyOff  offset of ∂y
     * @param argmax the winners the forward pass wrote
     * @param aOff   offset of argmax
     * @param dx     ∂L/∂x to write, {@code batch × g.inputSize()}
     * @param dxOff  offset of ∂x
     * @throws IllegalArgumentException if an argument or a winner index is out of range, or buffers overlap
     */
    public void maxPool2dBackward(ConvGeometry g, int batch, float[] dy, int dyOff, int[] argmax, int aOff,
                                  float[] dx, int dxOff) {
        int ySize = poolChecks(g, batch, "dx", dx, dxOff, "dy", dy, dyOff);
        Objects.requireNonNull(argmax, "argmax");
        Checks.nonNegative("offset of argmax", aOff);
        if ((long) aOff + ySize > argmax.length) {
            throw new IllegalArgumentException("argmax is too short: needs " + ((long) aOff + ySize) + ", its length is "
                    + argmax.length);
        }
        int in = g.inputSize();
        for (int i = aOff, e = aOff + ySize; i < e; i++) {
            if (argmax[i] < 0 || argmax[i] >= in) {
                throw new IllegalArgumentException("argmax[" + i + "] = " + argmax[i] + " is outside an image of " + in);
            }
        }
        if (batch == 0) {
            return;
        }
        impl.maxPool2dBackward(g, batch, dy, dyOff, argmax, aOff, dx, dxOff);
    }

    /**
     * Average pooling over the windows of {@code g}: each output is the sum of its window divided by
     * kh·kw, padding counted as zeros (PyTorch's {@code count_include_pad=True}). With a kernel of the
     * whole image this is global average pooling. y must not overlap x.
     *
     * @param g     the geometry
     * @param batch images, ≥ 0
     * @param x     the input, {@code batch × g.inputSize()}
     * @param xOff  offset of x
     * @param y     the output, {@code batch × g.channels() × g.outputPositions()}
     * @param yOff  offset of y
     * @throws IllegalArgumentException if an argument is out of range or buffers overlap
     */
    public void avgPool2d(ConvGeometry g, int batch, float[] x, int xOff, float[] y, int yOff) {
        poolChecks(g, batch, "x", x, xOff, "y", y, yOff);
        if (batch == 0) {
            return;
        }
        impl.avgPool2d(g, batch, x, xOff, y, yOff);
    }

    /**
     * The input gradient of {@link #avgPool2d}, written: every input position receives ∂y/(kh·kw) of each
     * window containing it, added in output order.
     *
     * @param g     the geometry of the forward pass
     * @param batch images, ≥ 0
     * @param dy    ∂L/∂y, {@code batch × g.channels() × g.outputPositions()}
     * @param dyOff offset of ∂y
     * @param dx    ∂L/∂x to write, {@code batch × g.inputSize()}
     * @param dxOff offset of ∂x
     * @throws IllegalArgumentException if an argument is out of range or buffers overlap
     */
    public void avgPool2dBackward(ConvGeometry g, int batch, float[] dy, int dyOff, float[] dx, int dxOff) {
        poolChecks(g, batch, "dx", dx, dxOff, "dy", dy, dyOff);
        if (batch == 0) {
            return;
        }
        impl.avgPool2dBackward(g, batch, dy, dyOff, dx, dxOff);
    }

    private static int poolChecks(ConvGeometry g, int batch, String xName, float[] x, int xOff, String yName,
                                  float[] y, int yOff) {
        Objects.requireNonNull(g, "g");
        Checks.nonNegative("batch", batch);
        long xs = (long) batch * g.inputSize(), ys = (long) batch * g.channels() * g.outputPositions();
        if (xs > Integer.MAX_VALUE || ys > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a batch of " + batch + " poolings of " + g + " is too large");
        }
        int xi = (int) xs, yi = (int) ys;
        Checks.vector(xName, x, xOff, xi);
        Checks.vector(yName, y, yOff, yi);
        Checks.noOverlap(yName, y, yOff, 1, yi, Math.max(1, yi), xName, x, xOff, 1, xi, Math.max(1, xi));
        return yi;
    }

    // ------------------------------------------------------------------ batch normalisation

    /**
     * Batch normalisation in training mode over a batch of {@code batch} samples of
     * {@code channels × spatial} values (NCHW images with spatial = H·W; dense features with spatial = 1):
     * per channel, the mean μ and biased variance σ² over the batch·spatial values (two passes in double),
     * x̂ = (x − μ)/√(σ² + ε), y = γ·x̂ + β. Optionally saves x̂, μ, σ² and 1/√(σ² + ε) for the backward
     * pass and the running statistics. y may be x (in place) when x̂ is not saved into x.
     *
     * @param batch    samples, ≥ 1
     * @param channels channels, ≥ 1
     * @param spatial  values per channel and sample, ≥ 1
     * @param eps      ε &gt; 0 (PyTorch's default 1e−5)
     * @param x        the input, {@code batch × channels × spatial}
     * @param xOff     offset of x
     * @param gamma    γ, {@code channels} values
     * @param gOff     offset of γ
     * @param beta     β, {@code channels} values
     * @param bOff     offset of β
     * @param y        the output, like x
     * @param yOff     offset of y
     * @param xhat     null, or x̂ to write, like x
     * @param hOff     offset of x̂
     * @param mean     null, or the batch means to write, {@code channels}
     * @param mOff     offset of the means
     * @param var      null, or the biased batch variances to write, {@code channels}
     * @param vOff     offset of the variances
     * @param rstd     null, or 1/√(σ² + ε) to write, {@code channels}
     * @param rOff     offset of rstd
     * @throws IllegalArgumentException if an argument is out of range or outputs overlap inputs
     */
    public void batchNormTraining(int batch, int channels, int spatial, float eps, float[] x, int xOff,
                                  float[] gamma, int gOff, float[] beta, int bOff, float[] y, int yOff,
                                  float[] xhat, int hOff, float[] mean, int mOff, float[] var, int vOff,
                                  float[] rstd, int rOff) {
        int n = bnChecks(batch, channels, spatial, eps, x, xOff, gamma, gOff, beta, bOff, y, yOff);
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1 for batch statistics, got " + batch);
        }
        if (xhat != null) {
            Checks.vector("xhat", xhat, hOff, n);
            Checks.noOverlap("xhat", xhat, hOff, 1, n, n, "x", x, xOff, 1, n, n);
            Checks.noOverlap("xhat", xhat, hOff, 1, n, n, "y", y, yOff, 1, n, n);
        }
        channelStatistic("mean", mean, mOff, channels, y, yOff, n);
        channelStatistic("var", var, vOff, channels, y, yOff, n);
        channelStatistic("rstd", rstd, rOff, channels, y, yOff, n);
        impl.batchNormTraining(batch, channels, spatial, eps, x, xOff, gamma, gOff, beta, bOff, y, yOff, xhat, hOff,
                mean, mOff, var, vOff, rstd, rOff);
    }

    /**
     * Batch normalisation in inference mode: y = γ·(x − μ)/√(σ² + ε) + β with given (running) statistics,
     * computed per channel as y = x·s + t with s and t rounded once from double. y may be x (in place).
     *
     * @param batch    samples, ≥ 0
     * @param channels channels, ≥ 1
     * @param spatial  values per channel and sample, ≥ 1
     * @param eps      ε &gt; 0
     * @param x        the input, {@code batch × channels × spatial}
     * @param xOff     offset of x
     * @param gamma    γ, {@code channels} values
     * @param gOff     offset of γ
     * @param beta     β, {@code channels} values
     * @param bOff     offset of β
     * @param mean     μ, {@code channels} values
     * @param mOff     offset of μ
     * @param var      σ², {@code channels} values
     * @param vOff     offset of σ²
     * @param y        the output, like x
     * @param yOff     offset of y
     * @throws IllegalArgumentException if an argument is out of range or y overlaps an input
     */
    public void batchNormInference(int batch, int channels, int spatial, float eps, float[] x, int xOff,
                                   float[] gamma, int gOff, float[] beta, int bOff, float[] mean, int mOff,
                                   float[] var, int vOff, float[] y, int yOff) {
        int n = bnChecks(batch, channels, spatial, eps, x, xOff, gamma, gOff, beta, bOff, y, yOff);
        Checks.vector("mean", mean, mOff, channels);
        Checks.vector("var", var, vOff, channels);
        Checks.noOverlap("y", y, yOff, 1, n, Math.max(1, n), "mean", mean, mOff, 1, channels, channels);
        Checks.noOverlap("y", y, yOff, 1, n, Math.max(1, n), "var", var, vOff, 1, channels, channels);
        if (batch == 0) {
            return;
        }
        impl.batchNormInference(batch, channels, spatial, eps, x, xOff, gamma, gOff, beta, bOff, mean, mOff, var, vOff,
                y, yOff);
    }

    /**
     * The backward pass of {@link #batchNormTraining}: per channel, with the sums Σ∂y and Σ∂y·x̂ over the
     * batch (in double, in order), adds them to ∂β and ∂γ and, if dx is not null, writes
     * ∂x = γ·rstd·(∂y − mean(∂y) − x̂·mean(∂y·x̂)). dx may be dy (in place).
     *
     * @param batch    samples, ≥ 1
     * @param channels channels, ≥ 1
     * @param spatial  values per channel and sample, ≥ 1
     * @param dy       ∂L/∂y, {@code batch × channels × spatial}
     * @param dyOff    offset of ∂y
     * @param xhat     x̂ of the forward pass
     * @param hOff     offset of x̂
     * @param rstd     1/√(σ² + ε) of the forward pass, {@code channels}
     * @param rOff     offset of rstd
     * @param gamma    γ, {@code channels}
     * @param gOff     offset of γ
     * @param dGamma   ∂γ to add into, {@code channels}
     * @param dgOff    offset of ∂γ
     * @param dBeta    ∂β to add into, {@code channels}
     * @param dbOff    offset of ∂β
     * @param dx       null, or ∂L/∂x to write, like dy
     * @param dxOff    offset of ∂x
     * @throws IllegalArgumentException if an argument is out of range or outputs overlap inputs
     */
    public void batchNormBackward(int batch, int channels, int spatial, float[] dy, int dyOff, float[] xhat, int hOff,
                                  float[] rstd, int rOff, float[] gamma, int gOff, float[] dGamma, int dgOff,
                                  float[] dBeta, int dbOff, float[] dx, int dxOff) {
        int n = bnSizes(batch, channels, spatial);
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        Checks.vector("dy", dy, dyOff, n);
        Checks.vector("xhat", xhat, hOff, n);
        Checks.vector("rstd", rstd, rOff, channels);
        Checks.vector("gamma", gamma, gOff, channels);
        Checks.vector("dGamma", dGamma, dgOff, channels);
        Checks.vector("dBeta", dBeta, dbOff, channels);
        Checks.noOverlap("dGamma", dGamma, dgOff, 1, channels, channels, "dBeta", dBeta, dbOff, 1, channels, channels);
        Checks.noOverlap("dGamma", dGamma, dgOff, 1, channels, channels, "dy", dy, dyOff, 1, n, n);
        Checks.noOverlap("dBeta", dBeta, dbOff, 1, channels, channels, "dy", dy, dyOff, 1, n, n);
        if (dx != null) {
            Checks.vector("dx", dx, dxOff, n);
            Checks.sameOrDisjoint("dx", dx, dxOff, "dy", dy, dyOff, n);
            Checks.noOverlap("dx", dx, dxOff, 1, n, n, "xhat", xhat, hOff, 1, n, n);
        }
        impl.batchNormBackward(batch, channels, spatial, dy, dyOff, xhat, hOff, rstd, rOff, gamma, gOff, dGamma, dgOff,
                dBeta, dbOff, dx, dxOff);
    }

    private static void channelStatistic(String name, float[] a, int off, int channels, float[] y, int yOff, int n) {
        if (a != null) {
            Checks.vector(name, a, off, channels);
            Checks.noOverlap(name, a, off, 1, channels, channels, "y", y, yOff, 1, n, n);
        }
    }

    private static int bnSizes(int batch, int channels, int spatial) {
        Checks.nonNegative("batch", batch);
        if (channels < 1 || spatial < 1) {
            throw new IllegalArgumentException("channels and spatial must be >= 1, got " + channels + " and " + spatial);
        }
        long n = (long) batch * channels * spatial;
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a batch of " + batch + " x " + channels + " x " + spatial + " is too large");
        }
        return (int) n;
    }

    private static int bnChecks(int batch, int channels, int spatial, float eps, float[] x, int xOff,
                                float[] gamma, int gOff, float[] beta, int bOff, float[] y, int yOff) {
        int n = bnSizes(batch, channels, spatial);
        Checks.positive("eps", eps);
        Checks.vector("x", x, xOff, n);
        Checks.vector("gamma", gamma, gOff, channels);
        Checks.vector("beta", beta, bOff, channels);
        Checks.vector("y", y, yOff, n);
        Checks.sameOrDisjoint("y", y, yOff, "x", x, xOff, n);
        Checks.noOverlap("y", y, yOff, 1, n, Math.max(1, n), "gamma", gamma, gOff, 1, channels, channels);
        Checks.noOverlap("y", y, yOff, 1, n, Math.max(1, n), "beta", beta, bOff, 1, channels, channels);
        return n;
    }

    // ----------------------------------------------------------------------- embeddings

    /**
     * Row gather, the forward pass of an embedding: y[i, :] = table[index[i], :] for i in [0, n),
     * {@code cols} values each. y must not overlap the table.
     *
     * @param n         the rows to gather
     * @param cols      the values per row
     * @param table     the table, {@code tableRows × cols}
     * @param tOff      offset of the table
     * @param ldt       leading dimension of the table
     * @param tableRows the rows of the table; every index must lie in [0, tableRows)
     * @param index     the row indices
     * @param iOff      offset of the first index
     * @param y         the output, {@code n × cols}
     * @param yOff      offset of y
     * @param ldy       leading dimension of y
     * @throws IllegalArgumentException if an argument or an index is out of range, naming it, or y overlaps the table
     */
    public void gatherRows(int n, int cols, float[] table, int tOff, int ldt, int tableRows, int[] index, int iOff,
                           float[] y, int yOff, int ldy) {
        checkRows(n, cols, table, tOff, ldt, tableRows, index, iOff);
        Checks.matrix("y", y, yOff, n, cols, ldy);
        Checks.noOverlap("y", y, yOff, n, cols, ldy, "table", table, tOff, tableRows, cols, ldt);
        if (n == 0 || cols == 0) {
            return;
        }
        impl.gatherRows(n, cols, table, tOff, ldt, index, iOff, y, yOff, ldy);
    }

    /**
     * Row scatter-add, the backward pass of an embedding: table[index[i], :] += x[i, :] for
     * i = 0, 1, …, n − 1 in that order, so a row used several times receives its contributions in
     * index order and the result does not depend on threads. Rows not indexed are not touched.
     * The table must not overlap x.
     *
     * @param n         the rows to add
     * @param cols      the values per row
     * @param x         the rows to add, {@code n × cols}
     * @param xOff      offset of x
     * @param ldx       leading dimension of x
     * @param index     the destination row of each row of x
     * @param iOff      offset of the first index
     * @param table     the table to add into, {@code tableRows × cols}
     * @param tOff      offset of the table
     * @param ldt       leading dimension of the table
     * @param tableRows the rows of the table; every index must lie in [0, tableRows)
     * @throws IllegalArgumentException if an argument or an index is out of range, naming it, or x overlaps the table
     */
    public void scatterAddRows(int n, int cols, float[] x, int xOff, int ldx, int[] index, int iOff,
                               float[] table, int tOff, int ldt, int tableRows) {
        checkRows(n, cols, table, tOff, ldt, tableRows, index, iOff);
        Checks.matrix("x", x, xOff, n, cols, ldx);
        Checks.noOverlap("table", table, tOff, tableRows, cols, ldt, "x", x, xOff, n, cols, ldx);
        if (n == 0 || cols == 0) {
            return;
        }
        impl.scatterAddRows(n, cols, x, xOff, ldx, index, iOff, table, tOff, ldt);
    }

    private static void checkRows(int n, int cols, float[] table, int tOff, int ldt, int tableRows, int[] index, int iOff) {
        Checks.nonNegative("n", n);
        Checks.nonNegative("cols", cols);
        Checks.nonNegative("tableRows", tableRows);
        Checks.matrix("table", table, tOff, tableRows, cols, ldt);
        Checks.labels("index", index, iOff, n, tableRows);
    }

    // ----------------------------------------------------------------------- optimizers

    /**
     * One SGD step over {@code n} parameters, in one pass (PyTorch semantics, no dampening):
     * g′ = g + λw; with momentum μ &gt; 0, v ← μv + g′ and the step direction is v, or g′ + μv
     * with Nesterov; w ← w − η·direction. {@code velocity} may be null when μ = 0.
     *
     * @param n the number of parameters
     * @param w the parameters, updated in place
     * @param wOff the offset of the first parameter
     * @param g the gradient (read only)
     * @param gOff the offset of the gradient's first element
     * @param velocity the momentum buffer v, updated in place (null when μ = 0)
     * @param vOff the offset of v's first element
     * @param lr the learning rate η
     * @param momentum the momentum μ (0 for none)
     * @param weightDecay the weight decay λ (0 for none)
     * @param nesterov whether to use Nesterov's look-ahead direction
     */
    public void sgd(int n, float[] w, int wOff, float[] g, int gOff, float[] velocity, int vOff,
                    float lr, float momentum, float weightDecay, boolean nesterov) {
        checkUpdate(n, w, wOff, g, gOff, lr, weightDecay);
        Checks.inRange("momentum", momentum, 0f, 1f);
        if (nesterov && momentum == 0) {
            throw new IllegalArgumentException("nesterov needs momentum > 0, got momentum " + momentum);
        }
        if (momentum != 0) {
            checkState("velocity", velocity, vOff, n, w, wOff, g, gOff);
        }
        if (n == 0) {
            return;
        }
        impl.sgd(n, w, wOff, g, gOff, momentum != 0 ? velocity : null, vOff, lr, momentum, weightDecay, nesterov);
    }

    /**
     * One Adam step (Kingma &amp; Ba, with PyTorch's bias correction) over {@code n} parameters, in
     * one pass: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², w ← w − η·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε).
     * Weight decay λ is added to the gradient (L2, Adam) or, with {@code decoupled}, applied as
     * w ← w(1 − ηλ) before the step (AdamW). {@code step} is t, counted from 1.
     *
     * @param n the number of parameters
     * @param w the parameters, updated in place
     * @param wOff the offset of the first parameter
     * @param g the gradient (read only)
     * @param gOff the offset of the gradient's first element
     * @param m the first-moment estimate, updated in place
     * @param mOff the offset of m's first element
     * @param v the second-moment estimate, updated in place
     * @param vOff the offset of v's first element
     * @param lr the learning rate η
     * @param beta1 β₁, the decay of the first moment
     * @param beta2 β₂, the decay of the second moment
     * @param eps ε, added to the denominator for stability
     * @param weightDecay the weight decay λ (0 for none)
     * @param decoupled true for AdamW's decoupled decay, false for L2 added to the gradient
     * @param step the step number t, from 1
     */
    public void adam(int n, float[] w, int wOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff,
                     float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled, long step) {
        checkUpdate(n, w, wOff, g, gOff, lr, weightDecay);
        Checks.inRange("beta1", beta1, 0f, 1f);
        Checks.inRange("beta2", beta2, 0f, 1f);
        Checks.positive("eps", eps);
        if (step < 1) {
            throw new IllegalArgumentException("step must be >= 1, got " + step);
        }
        checkState("m", m, mOff, n, w, wOff, g, gOff);
        checkState("v", v, vOff, n, w, wOff, g, gOff);
        Checks.noOverlap("v", v, vOff, 1, n, Math.max(1, n), "m", m, mOff, 1, n, Math.max(1, n));
        if (n == 0) {
            return;
        }
        impl.adam(n, w, wOff, g, gOff, m, mOff, v, vOff, lr, beta1, beta2, eps, weightDecay, decoupled, step);
    }

    /**
     * One RMSProp step: s ← ρs + (1−ρ)g², w ← w − η·g/(√s + ε), with g ← g + λw first.
     *
     * @param n the number of parameters
     * @param w the parameters, updated in place
     * @param wOff the offset of the first parameter
     * @param g the gradient (read only)
     * @param gOff the offset of the gradient's first element
     * @param sq the running mean s of squared gradients, updated in place
     * @param sOff the offset of the first accumulator
     * @param lr the learning rate η
     * @param rho ρ, the decay of s
     * @param eps ε, added to the denominator for stability
     * @param weightDecay the weight decay λ (0 for none)
     */
    public void rmsprop(int n, float[] w, int wOff, float[] g, int gOff, float[] sq, int sOff,
                        float lr, float rho, float eps, float weightDecay) {
        checkUpdate(n, w, wOff, g, gOff, lr, weightDecay);
        Checks.inRange("rho", rho, 0f, 1f);
        Checks.positive("eps", eps);
        checkState("sq", sq, sOff, n, w, wOff, g, gOff);
        if (n == 0) {
            return;
        }
        impl.rmsprop(n, w, wOff, g, gOff, sq, sOff, lr, rho, eps, weightDecay);
    }

    /**
     * One AdaGrad step: s ← s + g², w ← w − η·g/(√s + ε), with g ← g + λw first.
     *
     * @param n the number of parameters
     * @param w the parameters, updated in place
     * @param wOff the offset of the first parameter
     * @param g the gradient (read only)
     * @param gOff the offset of the gradient's first element
     * @param sum the sum s of squared gradients, updated in place
     * @param sOff the offset of the first accumulator
     * @param lr the learning rate η
     * @param eps ε, added to the denominator for stability
     * @param weightDecay the weight decay λ (0 for none)
     */
    public void adagrad(int n, float[] w, int wOff, float[] g, int gOff, float[] sum, int sOff,
                        float lr, float eps, float weightDecay) {
        checkUpdate(n, w, wOff, g, gOff, lr, weightDecay);
        Checks.positive("eps", eps);
        checkState("sum", sum, sOff, n, w, wOff, g, gOff);
        if (n == 0) {
            return;
        }
        impl.adagrad(n, w, wOff, g, gOff, sum, sOff, lr, eps, weightDecay);
    }

    /**
     * Σ xᵢ² over {@code n} elements from {@code xOff}: the squared L2 norm, e.g. of a gradient for
     * clipping or for a divergence check (any NaN or ∞ element makes it non-finite). The vector
     * implementation accumulates in float lanes in a fixed order, so the result does not depend on
     * timing or thread count; its relative error is within about {@code (n/lanes + lanes) · 2⁻²⁴} of
     * the exact sum, and a sum beyond {@link Float#MAX_VALUE} is ∞.
     *
     * @param n the number of elements
     * @param x the elements
     * @param xOff the offset of the first element
     * @return the sum of squares, in double
     */
    public double sumOfSquares(int n, float[] x, int xOff) {
        Checks.nonNegative("n", n);
        Checks.vector("x", x, xOff, n);
        return n == 0 ? 0 : impl.sumOfSquares(n, x, xOff);
    }

    private static void checkUpdate(int n, float[] w, int wOff, float[] g, int gOff, float lr, float weightDecay) {
        Checks.nonNegative("n", n);
        Checks.positive("lr", lr);
        if (!(weightDecay >= 0) || !Float.isFinite(weightDecay)) {
            throw new IllegalArgumentException("weightDecay must be finite and >= 0, got " + weightDecay);
        }
        Checks.vector("w", w, wOff, n);
        Checks.vector("g", g, gOff, n);
        Checks.noOverlap("w", w, wOff, 1, n, Math.max(1, n), "g", g, gOff, 1, n, Math.max(1, n));
    }

    private static void checkState(String name, float[] s, int sOff, int n, float[] w, int wOff, float[] g, int gOff) {
        Checks.vector(name, s, sOff, n);
        Checks.noOverlap(name, s, sOff, 1, n, Math.max(1, n), "w", w, wOff, 1, n, Math.max(1, n));
        Checks.noOverlap(name, s, sOff, 1, n, Math.max(1, n), "g", g, gOff, 1, n, Math.max(1, n));
    }

    private static final class DefaultHolder {
        static final Kernels DEFAULT = new Kernels(KernelSelection.chooseDefault());
    }

    private static final class VectorHolder {
        private static volatile Kernels vector;

        static Kernels vector() {
            Kernels v = vector;
            if (v == null) {
                v = new Kernels(KernelSelection.vector());
                vector = v;
            }
            return v;
        }
    }
}

package io.vecnn.kernels.internal;

import io.vecnn.kernels.ActivationKind;
import io.vecnn.kernels.ConvGeometry;

/**
 * What an implementation provides. Arguments arrive already validated by
 * {@link io.vecnn.kernels.Kernels}; implementations never re-check them. Semantics are those
 * documented on {@code Kernels}.
 */
public interface KernelImpl {
    String name();

    /** This implementation using at most {@code threads} threads for large GEMMs. */
    KernelImpl withThreads(int threads);

    int threads();

    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
              float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
              float beta, float[] c, int cOff, int ldc);

    void rank1Update(int m, int n, float alpha, float[] x, int xOff, float[] y, int yOff,
                     float[] c, int cOff, int ldc);

    void accumulateColumnSums(int rows, int cols, float[] x, int xOff, int ldx, float[] sums, int sOff);

    void biasActivation(ActivationKind f, float alpha, int rows, int cols, float[] z, int zOff, int ldz,
                        float[] bias, int bOff, float[] h, int hOff, int ldh);

    void activationBackward(ActivationKind f, float alpha, int n, float[] grad, int gOff,
                            float[] saved, int sOff, float[] delta, int dOff);

    void softmax(int rows, int cols, float[] x, int xOff, int ldx, float[] y, int yOff, int ldy);

    double softmaxCrossEntropy(int rows, int cols, float[] logits, int lOff, int ldl,
                               int[] labels, int labOff, float[] targets, int tOff, int ldt,
                               float[] grad, int gOff, int ldg);

    double binaryCrossEntropyWithLogits(int rows, int cols, float[] logits, int lOff, int ldl,
                                        float[] targets, int tOff, int ldt, float[] grad, int gOff, int ldg);

    /** Σ (a − y)² over the matrix; writes (a − y)·gradScale to grad if not null. */
    double squaredErrors(int rows, int cols, float[] a, int aOff, int lda, float[] y, int yOff, int ldy,
                         float[] grad, int gOff, int ldg, float gradScale);

    /** Σ |a − y| over the matrix; writes sign(a − y)·gradScale (sign 0 at 0) to grad if not null. */
    double absoluteErrors(int rows, int cols, float[] a, int aOff, int lda, float[] y, int yOff, int ldy,
                          float[] grad, int gOff, int ldg, float gradScale);

    /** Σ huber_δ(a − y) over the matrix; writes clamp(a − y, −δ, δ)·gradScale to grad if not null. */
    double huberErrors(int rows, int cols, float delta, float[] a, int aOff, int lda, float[] y, int yOff, int ldy,
                       float[] grad, int gOff, int ldg, float gradScale);

    /**
     * Softmax cross-entropy with class weights w (null: all 1) and label smoothing ε against target rows y:
     * q = (1 − ε)y + ε/cols, loss Σᵢ Σⱼ wⱼqᵢⱼ(−log pᵢⱼ) / W with W = Σᵢ Σⱼ wⱼyᵢⱼ (rows when w is null);
     * gradient (pᵢⱼ·Σₖ wₖqᵢₖ − wⱼqᵢⱼ)/W. W &gt; 0 is checked by the caller.
     */
    double weightedSoftmaxCrossEntropy(int rows, int cols, float[] logits, int lOff, int ldl,
                                       float[] targets, int tOff, int ldt, float[] weights, int wOff, float smoothing,
                                       float[] grad, int gOff, int ldg);

    /** Row-wise layer normalisation (see {@code Kernels.layerNorm}); xhat and rstd may be null. */
    void layerNorm(int rows, int cols, float eps, float[] x, int xOff, int ldx, float[] gamma, int gOff,
                   float[] beta, int bOff, float[] y, int yOff, int ldy, float[] xhat, int hOff, int ldh,
                   float[] rstd, int rOff);

    /** Its backward (see {@code Kernels.layerNormBackward}); dx may be null or dy itself. */
    void layerNormBackward(int rows, int cols, float[] dy, int dyOff, int lddy, float[] xhat, int hOff, int ldh,
                           float[] rstd, int rOff, float[] gamma, int gOff, float[] dGamma, int dgOff,
                           float[] dBeta, int dbOff, float[] dx, int dxOff, int lddx);

    /** y[i, :] = table[index[i], :] (indices already checked). */
    void gatherRows(int n, int cols, float[] table, int tOff, int ldt, int[] index, int iOff, float[] y, int yOff, int ldy);

    /** table[index[i], :] += x[i, :] for i = 0, 1, …, n − 1, in that order (indices already checked). */
    void scatterAddRows(int n, int cols, float[] x, int xOff, int ldx, int[] index, int iOff, float[] table, int tOff, int ldt);

    void sgd(int n, float[] w, int wOff, float[] g, int gOff, float[] velocity, int vOff,
             float lr, float momentum, float weightDecay, boolean nesterov);

    void adam(int n, float[] w, int wOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff,
              float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled, long step);

    void rmsprop(int n, float[] w, int wOff, float[] g, int gOff, float[] sq, int sOff,
                 float lr, float rho, float eps, float weightDecay);

    void adagrad(int n, float[] w, int wOff, float[] g, int gOff, float[] sum, int sOff,
                 float lr, float eps, float weightDecay);

    // Convolution runs on this implementation's own GEMM (im2col + gemm, see Convolution); pooling and
    // batch normalisation are one shared loop (ImageLoops). Both are defaults so that every implementation
    // gets them; an implementation with a faster path overrides them.

    /** Convolution forward (see {@code Kernels.conv2d}). */
    default void conv2d(ConvGeometry g, int batch, int outChannels, float[] x, int xOff, float[] w, int wOff,
                        float[] bias, int bOff, float[] y, int yOff) {
        Convolution.forward(this, g, batch, outChannels, x, xOff, w, wOff, bias, bOff, y, yOff);
    }

    /** Convolution weight and bias gradients, added (see {@code Kernels.conv2dBackwardFilter}). */
    default void conv2dBackwardFilter(ConvGeometry g, int batch, int outChannels, float[] x, int xOff, float[] dy,
                                      int dyOff, float[] dw, int dwOff, float[] db, int dbOff) {
        Convolution.backwardFilter(this, g, batch, outChannels, x, xOff, dy, dyOff, dw, dwOff, db, dbOff);
    }

    /** Convolution input gradient, written (see {@code Kernels.conv2dBackwardData}). */
    default void conv2dBackwardData(ConvGeometry g, int batch, int outChannels, float[] dy, int dyOff, float[] w,
                                    int wOff, float[] dx, int dxOff) {
        Convolution.backwardData(this, g, batch, outChannels, dy, dyOff, w, wOff, dx, dxOff);
    }

    /** Patches to columns (see {@code Kernels.im2col}). */
    default void im2col(ConvGeometry g, float[] x, int xOff, float[] cols, int cOff) {
        Convolution.im2col(g, x, xOff, cols, cOff);
    }

    /** Columns added back into an image (see {@code Kernels.col2imAdd}). */
    default void col2imAdd(ConvGeometry g, float[] cols, int cOff, float[] dx, int xOff) {
        Convolution.col2imAdd(g, cols, cOff, dx, xOff);
    }

    default void maxPool2d(ConvGeometry g, int batch, float[] x, int xOff, float[] y, int yOff, int[] argmax, int aOff) {
        ImageLoops.maxPool(g, batch, x, xOff, y, yOff, argmax, aOff);
    }

    default void maxPool2dBackward(ConvGeometry g, int batch, float[] dy, int dyOff, int[] argmax, int aOff,
                                   float[] dx, int dxOff) {
        ImageLoops.maxPoolBackward(g, batch, dy, dyOff, argmax, aOff, dx, dxOff);
    }

    default void avgPool2d(ConvGeometry g, int batch, float[] x, int xOff, float[] y, int yOff) {
        ImageLoops.avgPool(g, batch, x, xOff, y, yOff);
    }

    default void avgPool2dBackward(ConvGeometry g, int batch, float[] dy, int dyOff, float[] dx, int dxOff) {
        ImageLoops.avgPoolBackward(g, batch, dy, dyOff, dx, dxOff);
    }

    default void batchNormTraining(int batch, int channels, int spatial, float eps, float[] x, int xOff,
                                   float[] gamma, int gOff, float[] beta, int bOff, float[] y, int yOff,
                                   float[] xhat, int hOff, float[] mean, int mOff, float[] var, int vOff,
                                   float[] rstd, int rOff) {
        ImageLoops.batchNormTraining(batch, channels, spatial, eps, x, xOff, gamma, gOff, beta, bOff, y, yOff, xhat,
                hOff, mean, mOff, var, vOff, rstd, rOff);
    }

    default void batchNormInference(int batch, int channels, int spatial, float eps, float[] x, int xOff,
                                    float[] gamma, int gOff, float[] beta, int bOff, float[] mean, int mOff,
                                    float[] var, int vOff, float[] y, int yOff) {
        ImageLoops.batchNormInference(batch, channels, spatial, eps, x, xOff, gamma, gOff, beta, bOff, mean, mOff,
                var, vOff, y, yOff);
    }

    default void batchNormBackward(int batch, int channels, int spatial, float[] dy, int dyOff, float[] xhat, int hOff,
                                   float[] rstd, int rOff, float[] gamma, int gOff, float[] dGamma, int dgOff,
                                   float[] dBeta, int dbOff, float[] dx, int dxOff) {
        ImageLoops.batchNormBackward(batch, channels, spatial, dy, dyOff, xhat, hOff, rstd, rOff, gamma, gOff, dGamma,
                dgOff, dBeta, dbOff, dx, dxOff);
    }

    double sumOfSquares(int n, float[] x, int xOff);
}

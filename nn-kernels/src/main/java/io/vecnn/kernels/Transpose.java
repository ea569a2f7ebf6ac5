package io.vecnn.kernels;

/** Whether a GEMM operand is used as stored ({@link #N}) or transposed ({@link #T}). */
public enum Transpose {
    /** op(X) = X. */
    N,
    /** op(X) = Xᵀ. */
    T;

    /**
     * True for {@link #T}.
     *
     * @return whether the operand is stored transposed
     */
    public boolean transposed() {
        return this == T;
    }
}

package io.vecnn.kernels;

/**
 * The element-wise activation functions with fused kernels.
 *
 * <p>Each kind says which value its backward kernel needs: the stored output h = f(z) where the
 * derivative is cheaper from it (sigmoid: h(1−h), tanh: 1−h²), the pre-activation z otherwise.
 * Kinds with a parameter (leaky ReLU's slope, ELU's α) take it as the {@code alpha} argument of
 * the kernels; the others ignore it.
 */
public enum ActivationKind {
    /** f(z) = z. */
    IDENTITY(true),
    /** f(z) = 1 / (1 + e^−z); f′ = h(1 − h). */
    SIGMOID(true),
    /** f(z) = tanh z; f′ = 1 − h². */
    TANH(true),
    /** f(z) = max(z, 0); f′ = [z &gt; 0]. */
    RELU(false),
    /** f(z) = z for z &gt; 0, α·z otherwise; f′ = 1 or α. */
    LEAKY_RELU(false),
    /** f(z) = z for z &gt; 0, α(e^z − 1) otherwise; f′ = 1 or α·e^z. */
    ELU(false),
    /**
     * GELU, tanh form: f(z) = ½z(1 + tanh(√(2/π)(z + 0.044715z³))). Its derivative is evaluated
     * with z clamped to [−10, 10], where it is 0 or 1 to float precision, so that huge inputs give
     * finite gradients.
     */
    GELU(false),
    /**
     * GELU, exact form: f(z) = z·Φ(z) = ½z·erfc(−z/√2), Φ the standard normal distribution function;
     * f′ = Φ(z) + z·φ(z). This is PyTorch's default {@code nn.GELU()} ({@code approximate='none'});
     * {@link #GELU} is its {@code approximate='tanh'}. The vector kernels compute Φ from
     * e^(−z²/2) (with z²/2 split in two floats, so large |z| loses no accuracy) times a degree-10
     * polynomial of 1/(1 + 0.4·|z|/√2) fitted to erfcx, within 8 ulp of the correctly rounded
     * f(z) for z ≥ −12; beyond |z| = 13, Φ is taken as 0 or 1. The derivative is evaluated with z
     * clamped to [−10, 10], as {@link #GELU}'s.
     */
    GELU_ERF(false),
    /** f(z) = ln(1 + e^z), evaluated as max(z, 0) + ln(1 + e^−|z|); f′ = σ(z). */
    SOFTPLUS(false),
    /** SiLU (swish): f(z) = z·σ(z); f′ = σ(z)(1 + z(1 − σ(z))). */
    SILU(false);

    private final boolean derivativeFromOutput;

    ActivationKind(boolean derivativeFromOutput) {
        this.derivativeFromOutput = derivativeFromOutput;
    }

    /**
     * True when {@link Kernels#activationBackward} takes the stored output h = f(z), false when
     * it takes the pre-activation z.
     *
     * @return true if the derivative is computed from the output h, false if from z
     */
    public boolean derivativeFromOutput() {
        return derivativeFromOutput;
    }

    /**
     * f(z) for one value, as the scalar reference computes it (in double, rounded to float). For
     * batches use {@link Kernels#biasActivation}.
     *
     * @param alpha the parameter of leaky ReLU and ELU (ignored by the other kinds)
     * @param z the pre-activation value
     * @return f(z)
     */
    public float apply(float alpha, float z) {
        return io.vecnn.kernels.internal.ScalarKernels.activate(this, alpha, z);
    }

    /**
     * f′ for one value, as the scalar reference computes it: from h = f(z) when
     * {@link #derivativeFromOutput()}, from z otherwise.
     *
     * @param alpha the parameter of leaky ReLU and ELU (ignored by the other kinds)
     * @param saved h or z, as {@link #derivativeFromOutput()} says
     * @return f′ at that point
     */
    public float derivative(float alpha, float saved) {
        return io.vecnn.kernels.internal.ScalarKernels.derivative(this, alpha, saved);
    }
}

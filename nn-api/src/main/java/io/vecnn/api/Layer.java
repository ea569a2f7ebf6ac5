package io.vecnn.api;

/**
 * A node with one input: a function of its input batch, usually with trainable
 * {@link Parameter}s (dense, convolution) or without (dropout, flatten).
 *
 * <p>Contract for implementations: {@link #forward} reads the parameters and writes only the
 * state; {@link #backward} adds into the gradients the state provides ({@link State#gradient(int)},
 * never assigns) and writes the state. Both validate shapes and throw {@link ShapeException} naming
 * the layer before writing anything. Computation goes through {@link State#kernels()}.
 */
public interface Layer extends Node {
    /**
     * The shape of one sample of the input.
     *
     * @return the input sample's shape
     */
    Shape inputShape();

    /**
     * Values per input sample: {@code inputShape().size()}.
     *
     * @return the size of one input sample
     */
    default int inputSize() {
        return inputShape().size();
    }

    /**
     * Values per output sample: {@code outputShape().size()}.
     *
     * @return the size of one output sample
     */
    default int outputSize() {
        return outputShape().size();
    }

    /**
     * The forward pass of a batch (B × {@link #inputSize()}). In {@link Mode#TRAINING} the state keeps
     * what backward needs, including a reference to {@code input}, which must stay unchanged until
     * backward.
     *
     * @param input the batch, B × {@link #inputSize()}
     * @param state this layer's state in the running workspace
     * @return B × {@link #outputSize()}, owned by the state (or {@code input} itself for layers that
     *         do not change values, such as flatten): valid until its next forward
     */
    Matrix forward(Matrix input, State state);

    /**
     * The backward pass for the batch of the last training forward with this state: adds
     * ∂L/∂parameters into the state's gradients and returns ∂L/∂input.
     *
     * @param outputGradient    ∂L/∂output, B × {@link #outputSize()}; may be overwritten
     * @param state the state of that forward pass
     * @param needInputGradient false when nobody uses the input gradient (the input is the model's)
     * @return ∂L/∂input (B × {@link #inputSize()}, owned by the state or {@code outputGradient}
     *         itself), or null if not needed
     */
    Matrix backward(Matrix outputGradient, State state, boolean needInputGradient);

    /** {@inheritDoc} Default: name, type and shapes. */
    @Override
    default String describe() {
        return name() + " " + type() + " " + inputShape() + "→" + outputShape();
    }

    /** A {@link Node.Spec} that creates a single-input layer (what a sequential builder takes). */
    @FunctionalInterface
    interface Spec extends Node.Spec {
        @Override
        Layer create(BuildContext context);
    }
}

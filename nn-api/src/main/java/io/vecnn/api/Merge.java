package io.vecnn.api;

import java.util.List;

/**
 * A node with several inputs (a residual add, a concatenation). Backward hands each input its part
 * of the gradient; when several nodes consume one output, the model sums what they hand back
 * (sub-gradients from several paths add up).
 */
public interface Merge extends Node {
    /**
     * The shapes of one sample of each input, in order.
     *
     * @return the input sample shapes
     */
    List<Shape> inputShapes();

    /**
     * The forward pass.
     *
     * @param inputs one B-row batch per input (the array is the workspace's: read it, do not keep it)
     * @param state this node's state in the running workspace
     * @return B × {@code outputShape().size()}, owned by the state
     */
    Matrix forward(Matrix[] inputs, State state);

    /**
     * The backward pass: writes ∂L/∂input i into {@code inputGradients[i]} for every input. Each
     * matrix written must be distinct (the producers may overwrite them); one of them may be
     * {@code outputGradient} itself, the others belong to the state.
     *
     * @param outputGradient ∂L/∂output; may be overwritten or handed on
     * @param state the state of the forward pass
     * @param inputGradients where ∂L/∂input i goes, one matrix per input, set by this method
     */
    void backward(Matrix outputGradient, State state, Matrix[] inputGradients);

    /** {@inheritDoc} Default: name, type and shapes. */
    @Override
    default String describe() {
        return name() + " " + type() + " " + inputShapes() + "→" + outputShape();
    }
}

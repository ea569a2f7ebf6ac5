package io.vecnn.api;

import java.util.List;

/**
 * One stage of a network: a function of its input batch with trainable {@link Parameter}s.
 *
 * <p>A layer separates what is shared from what belongs to one execution. Its parameters are
 * shared by every thread; everything one forward/backward pass needs (output buffers, saved
 * activations, masks) lives in a {@link State} from {@link #newState()}, owned by one
 * {@link Model.Workspace}. Buffers are reused from one batch to the next, so that in steady state a
 * pass allocates nothing.
 *
 * <p>Contract for implementations: {@link #forward} reads the parameters and writes only the
 * state; {@link #backward} adds into the parameters' gradients (never assigns) and writes the state.
 * Both validate shapes and throw {@link ShapeException} naming the layer before writing anything.
 */
public interface Layer {
    /** The layer's name, unique within its model (e.g. {@code "dense2"}). */
    String name();

    /** Width of each input row. */
    int inputSize();

    /** Width of each output row. */
    int outputSize();

    /** The trainable parameters, in a fixed order (empty if none). */
    List<Parameter> parameters();

    /** A new, empty execution state for this layer. */
    State newState();

    /**
     * The forward pass of a batch (B × {@link #inputSize()}). In {@link Mode#TRAINING} the state keeps
     * what backward needs, including a reference to {@code input}, which must stay unchanged until
     * backward.
     *
     * @return B × {@link #outputSize()}, owned by the state: valid until its next forward
     */
    Matrix forward(Matrix input, State state);

    /**
     * The backward pass for the batch of the last training forward with this state: adds
     * ∂L/∂parameters into the parameters' gradients and returns ∂L/∂input.
     *
     * @param outputGradient    ∂L/∂output, B × {@link #outputSize()}; may be overwritten
     * @param needInputGradient false for the first layer, whose input gradient nobody uses
     * @return ∂L/∂input (B × {@link #inputSize()}, owned by the state), or null if not needed
     */
    Matrix backward(Matrix outputGradient, State state, boolean needInputGradient);

    /** One line for model summaries, e.g. {@code "dense 784→256, relu"}. */
    default String describe() {
        return name() + " " + inputSize() + "→" + outputSize();
    }

    /**
     * Per-execution state of a layer. Layers subclass it with their buffers; the model sets the
     * {@linkplain #mode() mode} and {@linkplain #step() step} before each forward pass.
     */
    abstract class State {
        private Mode mode = Mode.INFERENCE;
        private long step;

        /** For subclasses: a layer's own state type. */
        protected State() {
        }

        /** The mode of the current pass. */
        public final Mode mode() {
            return mode;
        }

        /**
         * The training step of the current pass (a counter set by the trainer); stochastic layers
         * derive their randomness from it, so that a resumed run reproduces the original one.
         */
        public final long step() {
            return step;
        }

        final void begin(Mode mode, long step) {
            this.mode = mode;
            this.step = step;
        }
    }

    /**
     * How a {@link Model.Builder} creates a layer once it knows the layer's input width.
     */
    @FunctionalInterface
    interface Spec {
        /**
         * @param inputSize the width of the previous layer's output (or the model's input)
         * @param position  the layer's 1-based position in the model, for default names
         * @param random    a generator for this layer's initial values, derived from the model's seed
         */
        Layer create(int inputSize, int position, java.util.random.RandomGenerator random);
    }
}

package io.vecnn.api;

import io.vecnn.kernels.Kernels;

import java.util.List;

/**
 * A stage of a network: a {@link Layer} (one input) or a {@link Merge} (several inputs, such as a
 * residual add or a concatenation). A model is a fixed graph of nodes run in topological order.
 *
 * <p>A node separates what is shared from what belongs to one execution. Its parameters and
 * buffers are shared by every workspace; everything one forward/backward pass needs (output buffers,
 * saved activations, masks) lives in a {@link State} from {@link #newState()}, owned by one
 * {@link Model.Workspace}. The workspace gives the state its {@link Kernels} and, when it trains,
 * views of its own gradient buffer, so that several workspaces (replicas) can run one model at once.
 *
 * <h2>Self-description</h2>
 * Every node names its {@link #type()} and gives its {@link #config()}; a {@link LayerType}
 * registered under that type name (found through {@link java.util.ServiceLoader}, see
 * {@link Registry}) rebuilds an equal node from the configuration, and checkpoints then restore
 * the named tensors ({@link #parameters()} and {@link #buffers()}) into it. That is all a layer
 * needs to be saved and loaded.
 */
public interface Node {
    /**
     * The node's name, unique within its model (e.g. {@code "dense2"}).
     *
     * @return the name
     */
    String name();

    /**
     * The shape of one sample of the output.
     *
     * @return the output sample's shape
     */
    Shape outputShape();

    /**
     * The trainable parameters, in a fixed order (empty if none).
     *
     * @return the parameters
     */
    default List<Parameter> parameters() {
        return List.of();
    }

    /**
     * Non-trainable state saved with the model, in a fixed order (for example a batch
     * normalization's running mean and variance; empty if none). Names are unique within the model.
     *
     * @return the buffers
     */
    default List<Buffer> buffers() {
        return List.of();
    }

    /**
     * Updates this node's {@link #buffers()} from a training step, once per step after every shard's
     * training forward pass: {@code shardStates} are this node's states in the step's shard workspaces,
     * in shard order (a shard that ran no rows is among them and contributes nothing). A batch
     * normalization combines its shards' batch statistics, in that fixed order, into its running mean
     * and variance, so its buffers depend on the batch and the shard count, never on which thread ran
     * which shard. Runs on one thread while no workspace of the model is running. Default: nothing
     * (a node whose buffers do not change in training).
     *
     * @param shardStates this node's states of the step's shards, in shard order
     */
    default void updateBuffers(List<? extends State> shardStates) {
    }

    /**
     * A new, empty execution state for this node.
     *
     * @return the new state
     */
    State newState();

    /**
     * The type name under which a {@link LayerType} rebuilds this node (e.g. {@code "dense"}).
     *
     * @return the type name
     */
    String type();

    /**
     * What the node's {@link LayerType} needs to rebuild it (besides its tensors).
     *
     * @return the configuration
     */
    LayerConfig config();

    /**
     * One line for model summaries, e.g. {@code "dense 784→256, relu"}.
     *
     * @return the description
     */
    default String describe() {
        return name() + " " + type();
    }

    /**
     * A named non-trainable tensor of a node.
     *
     * @param name the buffer's name, unique in its model
     * @param value the buffer's values
     */
    record Buffer(String name, Matrix value) {
    }

    /**
     * Per-execution state of a node. Nodes subclass it with their buffers. Before each pass the
     * workspace sets the {@linkplain #mode() mode} and {@linkplain #step() step}; it also provides the
     * {@linkplain #kernels() kernels} to compute with and, in a training workspace, the
     * {@linkplain #gradient(int) gradients} to accumulate into.
     */
    abstract class State {
        private Mode mode = Mode.INFERENCE;
        private long step;
        private Kernels kernels;
        private Matrix[] gradients;

        /** For subclasses: a node's own state type. */
        protected State() {
        }

        /**
         * The mode of the current pass.
         *
         * @return training or inference
         */
        public final Mode mode() {
            return mode;
        }

        /**
         * The training step of the current pass (a counter set by the trainer); stochastic layers
         * derive their randomness from it, so that a resumed run reproduces the original one.
         *
         * @return the step
         */
        public final long step() {
            return step;
        }

        /**
         * The kernels of the workspace that owns this state (its thread count, its implementation).
         *
         * @return the kernels
         */
        public final Kernels kernels() {
            return kernels;
        }

        /**
         * The gradient of this node's parameter {@code i} (in {@link #parameters()} order): a view into
         * the owning training workspace's {@link Gradients} buffer, into which backward adds.
         *
         * @param i the parameter's index
         * @return its gradient
         * @throws IllegalStateException in an inference workspace
         */
        public final Matrix gradient(int i) {
            if (gradients == null) {
                throw new IllegalStateException("gradients exist only in a training workspace");
            }
            return gradients[i];
        }

        final void bind(Kernels kernels, Matrix[] gradients) {
            this.kernels = kernels;
            this.gradients = gradients;
        }

        final void begin(Mode mode, long step) {
            this.mode = mode;
            this.step = step;
        }
    }

    /**
     * How a model builder creates a node once it knows the node's input shapes, e.g.
     * {@code Dense.of(128, relu())}.
     */
    @FunctionalInterface
    interface Spec {
        /**
         * Creates the node; throws {@link ShapeException} naming the node if the inputs do not fit.
         *
         * @param context the node's name, position, input shapes and random generator
         * @return the node
         */
        Node create(BuildContext context);
    }
}

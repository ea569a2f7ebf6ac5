package io.vecnn.api;

import io.vecnn.kernels.Kernels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A network: a fixed graph of {@link Node}s over one or more named inputs, run in a fixed
 * topological order (the order in which nodes were added), with one output.
 *
 * <pre>{@code
 * Model mlp = Model.builder(784)                       // sequential
 *         .add(Dense.of(256, Activations.relu()))
 *         .add(Dense.of(10))                           // logits; the loss applies softmax
 *         .seed(42)
 *         .build();
 *
 * Model residual = Model.graph()                       // a graph
 *         .input("x", Shape.of(64))
 *         .add("h", Dense.of(64, Activations.relu()), "x")
 *         .add("sum", Add.of(), "x", "h")
 *         .add("out", Dense.of(10), "sum")
 *         .build();
 * }</pre>
 *
 * <h2>Shapes</h2>
 * Each node gets its input shapes when the model is built and reports its output shape, so stacked
 * layers infer their sizes; a mismatch fails at build time with a {@link ShapeException} naming the
 * node, the expected and the actual shape. A batch is a {@link Matrix} with one sample per row (see
 * {@link Shape} for the layout).
 *
 * <h2>Workspaces, gradients and threads</h2>
 * The model holds the parameters' values (shared). Everything else a pass needs lives in a
 * {@link Workspace}: each node's execution state, the {@link Kernels} to compute with and, for a
 * training workspace, its own {@link Gradients} buffer. So
 * <ul>
 * <li>{@link #predict} may be called from any number of threads at once;</li>
 * <li>a model may have several training workspaces at once (replicas, e.g. one per thread, each
 *     computing the gradients of its part of a batch); summing their buffers in a fixed order and
 *     applying one update keeps every replica equal;</li>
 * <li>a workspace is used by one thread at a time; updating parameter values while other threads
 *     run passes is the caller's to order.</li>
 * </ul>
 */
public final class Model {
    private final List<String> inputNames;
    private final List<Shape> inputShapes;
    private final List<Node> nodes;
    /** Per node, its sources: a node index (≥ 0) or −(model input index + 1). */
    private final int[][] sources;
    private final int output;
    /** Per node, how many consumers read its output (the model's output counts as one). */
    private final int[] consumers;
    private final int[] firstParameter;
    private final List<Parameter> parameters;
    private final List<Node.Buffer> buffers;
    private final boolean checkInputs;
    private final boolean sequential;

    private Model(List<String> inputNames, List<Shape> inputShapes, List<Node> nodes, int[][] sources, int output,
                  boolean checkInputs, boolean sequential) {
        this.inputNames = List.copyOf(inputNames);
        this.inputShapes = List.copyOf(inputShapes);
        this.nodes = List.copyOf(nodes);
        this.sources = sources;
        this.output = output;
        this.checkInputs = checkInputs;
        this.sequential = sequential;
        this.consumers = new int[nodes.size()];
        for (int[] s : sources) {
            for (int src : s) {
                if (src >= 0) {
                    consumers[src]++;
                }
            }
        }
        consumers[output]++;
        Set<String> names = new HashSet<>(inputNames);
        List<Parameter> ps = new ArrayList<>();
        List<Node.Buffer> bs = new ArrayList<>();
        firstParameter = new int[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (!names.add(n.name())) {
                throw new IllegalArgumentException("two nodes (or a node and an input) are named '" + n.name() + "'");
            }
            firstParameter[i] = ps.size();
            ps.addAll(n.parameters());
            bs.addAll(n.buffers());
        }
        Set<String> tensorNames = new HashSet<>();
        for (Parameter p : ps) {
            if (!tensorNames.add(p.name())) {
                throw new IllegalArgumentException("two parameters are named '" + p.name() + "'");
            }
        }
        for (Node.Buffer b : bs) {
            if (!tensorNames.add(b.name())) {
                throw new IllegalArgumentException("two tensors (parameters or buffers) are named '" + b.name() + "'");
            }
        }
        this.parameters = Collections.unmodifiableList(ps);
        this.buffers = Collections.unmodifiableList(bs);
    }

    /**
     * A sequential builder for a model whose input rows have {@code inputSize} features.
     *
     * @param inputSize the number of features of an input row
     * @return a new builder
     */
    public static Builder builder(int inputSize) {
        if (inputSize < 1) {
            throw new IllegalArgumentException("input size must be >= 1, got " + inputSize);
        }
        return new Builder(Shape.of(inputSize));
    }

    /**
     * A sequential builder for a model whose input samples have this shape (e.g. an image).
     *
     * @param inputShape the shape of one input sample
     * @return a new builder
     */
    public static Builder builder(Shape inputShape) {
        return new Builder(Objects.requireNonNull(inputShape, "inputShape"));
    }

    /**
     * A builder for a graph model with named inputs and nodes.
     *
     * @return a new graph builder
     */
    public static GraphBuilder graph() {
        return new GraphBuilder();
    }

    /**
     * The names of the inputs, in the order {@link Workspace#forward(Matrix[], Mode, long)} takes
     * them.
     *
     * @return the input names (unmodifiable)
     */
    public List<String> inputNames() {
        return inputNames;
    }

    /**
     * The shapes of the inputs, in order.
     *
     * @return the shapes of one sample of each input
     */
    public List<Shape> inputShapes() {
        return inputShapes;
    }

    /**
     * The input's shape.
     *
     * @return the shape of one input sample
     * @throws IllegalStateException if the model has several inputs
     */
    public Shape inputShape() {
        if (inputShapes.size() != 1) {
            throw new IllegalStateException("this model has " + inputShapes.size() + " inputs " + inputNames);
        }
        return inputShapes.get(0);
    }

    /**
     * Values per input sample of a single-input model.
     *
     * @return the size of one input sample
     */
    public int inputSize() {
        return inputShape().size();
    }

    /**
     * The output's shape.
     *
     * @return the shape of one output sample
     */
    public Shape outputShape() {
        return nodes.get(output).outputShape();
    }

    /**
     * Values per output sample.
     *
     * @return the size of one output sample
     */
    public int outputSize() {
        return outputShape().size();
    }

    /**
     * The nodes, in the order they run (unmodifiable).
     *
     * @return the nodes
     */
    public List<Node> nodes() {
        return nodes;
    }

    /**
     * The nodes as layers, for models whose nodes all have one input (every sequential model).
     *
     * @return the layers, in order (unmodifiable)
     * @throws IllegalStateException if a node is a {@link Merge}
     */
    public List<Layer> layers() {
        List<Layer> l = new ArrayList<>();
        for (Node n : nodes) {
            if (!(n instanceof Layer layer)) {
                throw new IllegalStateException("node " + n.name() + " is a merge, not a layer; use nodes()");
            }
            l.add(layer);
        }
        return List.copyOf(l);
    }

    /**
     * The names of the inputs of node {@code i} (model inputs or other nodes), in order.
     *
     * @param i the node's index in {@link #nodes()}
     * @return the names it reads
     */
    public List<String> inputsOf(int i) {
        List<String> l = new ArrayList<>();
        for (int src : sources[i]) {
            l.add(src >= 0 ? nodes.get(src).name() : inputNames.get(-src - 1));
        }
        return List.copyOf(l);
    }

    /**
     * The name of the node whose output is the model's output.
     *
     * @return the output node's name
     */
    public String outputName() {
        return nodes.get(output).name();
    }

    /**
     * Whether the model is a chain (built by {@link #builder}): each node reads the one before.
     *
     * @return true for a sequential model
     */
    public boolean sequential() {
        return sequential;
    }

    /**
     * Every node's parameters, in node order (unmodifiable): the layout of {@link Gradients}.
     *
     * @return the parameters
     */
    public List<Parameter> parameters() {
        return parameters;
    }

    /**
     * Every node's non-trainable buffers, in node order (unmodifiable).
     *
     * @return the buffers
     */
    public List<Node.Buffer> buffers() {
        return buffers;
    }

    /**
     * The total number of parameter elements.
     *
     * @return the number of trainable and frozen parameter values
     */
    public long parameterCount() {
        long n = 0;
        for (Parameter p : parameters) {
            n += p.size();
        }
        return n;
    }

    /**
     * Whether forward passes reject NaN and infinite inputs (see {@link Builder#checkInputs}).
     *
     * @return true if inputs are checked
     */
    public boolean checksInputs() {
        return checkInputs;
    }

    /**
     * A new zeroed gradient buffer laid out for {@link #parameters()}.
     *
     * @return the new buffer
     */
    public Gradients newGradients() {
        return new Gradients(parameters);
    }

    /**
     * Inference on a batch (B × {@link #inputSize()}) of a single-input model: returns a new
     * B × {@link #outputSize()} matrix. Thread-safe; runs on {@link Kernels#get()}.
     *
     * @param input the batch
     * @return the model's output for it
     */
    public Matrix predict(Matrix input) {
        return predict(new Matrix[] {input});
    }

    /**
     * Inference on one batch per input (in {@link #inputNames()} order). Thread-safe.
     *
     * @param inputs one batch per input, of equal batch sizes
     * @return the model's output for them, a new matrix
     */
    public Matrix predict(Matrix[] inputs) {
        Matrix out = newWorkspace().forward(inputs, Mode.INFERENCE, 0);
        // The workspace is the caller's alone, so its output buffer can be handed over, unless a
        // pass-through model returned an input itself.
        for (Matrix in : inputs) {
            if (out == in) {
                return out.copy();
            }
        }
        return out;
    }

    /**
     * A workspace for inference on {@link Kernels#get()} (its forward passes may not be followed by
     * backward).
     *
     * @return the new inference workspace
     */
    public Workspace newWorkspace() {
        return new Workspace(Kernels.get(), false);
    }

    /**
     * A workspace for inference on the given kernels.
     *
     * @param kernels the kernels to compute with
     * @return the new inference workspace
     */
    public Workspace newWorkspace(Kernels kernels) {
        return new Workspace(Objects.requireNonNull(kernels, "kernels"), false);
    }

    /**
     * A training workspace on {@link Kernels#get()}, with its own gradient buffer.
     *
     * @return the new training workspace
     */
    public Workspace newTrainingWorkspace() {
        return new Workspace(Kernels.get(), true);
    }

    /**
     * A training workspace on the given kernels, with its own gradient buffer.
     *
     * @param kernels the kernels to compute with
     * @return the new training workspace
     */
    public Workspace newTrainingWorkspace(Kernels kernels) {
        return new Workspace(Objects.requireNonNull(kernels, "kernels"), true);
    }

    /**
     * A table of the nodes: their output shapes and parameter counts.
     *
     * @return the table, one line per node and a total
     */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        String fmt = "%-4s %-44s %-16s %-14s %12s%n";
        sb.append(String.format(fmt, "#", "node", "inputs", "output", "parameters"));
        for (int i = 0; i < inputNames.size(); i++) {
            sb.append(String.format(fmt, "in", inputNames.get(i), "", "B×" + inputShapes.get(i), "0"));
        }
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            long count = 0;
            for (Parameter p : n.parameters()) {
                count += p.size();
            }
            sb.append(String.format(fmt, i + 1, abbreviate(n.describe(), 44), abbreviate(String.join(",", inputsOf(i)), 16),
                    "B×" + n.outputShape(), String.format("%,d", count)));
        }
        sb.append(String.format("total parameters: %,d%n", parameterCount()));
        return sb.toString();
    }

    private static String abbreviate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Model(").append(String.join(", ", inputShapes.stream().map(Shape::toString).toList()));
        for (Node n : nodes) {
            sb.append(" → ").append(n.describe());
        }
        return sb.append(')').toString();
    }

    /**
     * The buffers of one execution of the model: each node's {@link Node.State}, its
     * {@link Kernels} and, for a training workspace, its {@link Gradients}. Reused from batch to
     * batch, so steady-state passes allocate nothing. Used by one thread at a time.
     */
    public final class Workspace implements AutoCloseable {
        private final Kernels kernels;
        private final boolean training;
        private final Gradients gradients;
        private final Node.State[] states;
        /** Per node with buffers: a one-element list of its state, for {@link #updateBuffers()}. */
        private final List<List<Node.State>> ownStates;
        private final Matrix[] outputs;
        private final Matrix[][] mergeArguments;
        private final Matrix[][] mergeGradients;
        private final Matrix[] pending;
        private final int[] received;
        private final MatrixBuffer[] accumulators;
        private final Matrix[] single = new Matrix[1];
        private Matrix[] inputs;
        private boolean trainedForward;
        private boolean closed;

        private Workspace(Kernels kernels, boolean training) {
            this.kernels = kernels;
            this.training = training;
            this.gradients = training ? new Gradients(parameters) : null;
            int n = nodes.size();
            states = new Node.State[n];
            List<List<Node.State>> own = new java.util.ArrayList<>(n);
            ownStates = own;
            outputs = new Matrix[n];
            mergeArguments = new Matrix[n][];
            mergeGradients = new Matrix[n][];
            pending = new Matrix[n];
            received = new int[n];
            accumulators = new MatrixBuffer[n];
            for (int i = 0; i < n; i++) {
                Node node = nodes.get(i);
                states[i] = node.newState();
                Matrix[] views = null;
                if (training) {
                    views = new Matrix[node.parameters().size()];
                    for (int p = 0; p < views.length; p++) {
                        views[p] = gradients.get(firstParameter[i] + p);
                    }
                }
                states[i].bind(kernels, views);
                own.add(node.buffers().isEmpty() ? null : List.of(states[i]));
                if (node instanceof Merge) {
                    mergeArguments[i] = new Matrix[sources[i].length];
                    mergeGradients[i] = new Matrix[sources[i].length];
                }
            }
        }

        /**
         * The state of node {@code i} (in {@link Model#nodes()} order) in this workspace: what a trainer
         * hands to {@link Node#updateBuffers} after a step.
         *
         * @param i the node's index
         * @return its state
         * @throws IndexOutOfBoundsException if there is no node {@code i}
         */
        public Node.State state(int i) {
            return states[i];
        }

        /**
         * After a training step run by this workspace alone (one shard), updates every node's buffers
         * from it ({@link Node#updateBuffers}, e.g. a batch normalization's running statistics). A
         * trainer running several shards calls {@link Node#updateBuffers} with all their states instead.
         *
         * @throws IllegalStateException in an inference workspace
         */
        public void updateBuffers() {
            if (!training) {
                throw new IllegalStateException("buffers are updated from a training workspace");
            }
            for (int i = 0; i < states.length; i++) {
                if (ownStates.get(i) != null) {
                    nodes.get(i).updateBuffers(ownStates.get(i));
                }
            }
        }

        /**
         * The model this workspace runs.
         *
         * @return the model
         */
        public Model model() {
            return Model.this;
        }

        /**
         * Whether this is a training workspace.
         *
         * @return true for a training workspace, false for inference
         */
        public boolean training() {
            return training;
        }

        /**
         * The kernels this workspace computes with.
         *
         * @return the kernels
         */
        public Kernels kernels() {
            return kernels;
        }

        /**
         * This workspace's gradient buffer, into which {@link #backward} adds.
         *
         * @return the gradient buffer
         * @throws IllegalStateException for an inference workspace
         */
        public Gradients gradients() {
            if (!training) {
                throw new IllegalStateException("an inference workspace has no gradients");
            }
            return gradients;
        }

        /** Sets this workspace's gradients to 0 (before the backward pass of a new batch). */
        public void zeroGradients() {
            gradients().zero();
        }

        /**
         * The forward pass of a batch through a single-input model.
         *
         * @param input B × {@link #inputSize()}, B ≥ 1; in training mode it must stay unchanged until
         *              {@link #backward}
         * @param mode  {@link Mode#TRAINING} only on a training workspace
         * @param step  the training step (seeds stochastic layers such as dropout); any value in inference
         * @return B × {@link #outputSize()}, owned by this workspace: valid until its next forward
         * @throws ShapeException           if the input is not B × {@link #inputSize()}
         * @throws IllegalArgumentException if inputs are checked and one is NaN or infinite
         */
        public Matrix forward(Matrix input, Mode mode, long step) {
            if (inputNames.size() != 1) {
                throw new IllegalArgumentException("this model has " + inputNames.size() + " inputs " + inputNames
                        + "; pass one batch per input");
            }
            single[0] = input;
            return forward(single, mode, step);
        }

        /**
         * The forward pass of one batch per input ({@link #inputNames()} order, equal batch sizes). The
         * array is read, not kept; the matrices are kept until backward in training mode.
         *
         * @param batch one batch per input
         * @param mode training or inference
         * @param step the training step, from which stochastic layers derive their randomness
         * @return the model's output, owned by this workspace: valid until its next forward
         */
        public Matrix forward(Matrix[] batch, Mode mode, long step) {
            checkOpen();
            Objects.requireNonNull(mode, "mode");
            if (mode == Mode.TRAINING && !training) {
                throw new IllegalStateException("a training forward pass needs a workspace from newTrainingWorkspace()");
            }
            if (batch.length != inputNames.size()) {
                throw new IllegalArgumentException("the model has " + inputNames.size() + " inputs " + inputNames + ", got "
                        + batch.length + " batches");
            }
            for (int i = 0; i < batch.length; i++) {
                String what = inputNames.size() == 1 ? "model input" : "model input '" + inputNames.get(i) + "'";
                ShapeException.requireBatch(what, "batch", batch[i], inputShapes.get(i).size());
                if (batch[i].rows() != batch[0].rows()) {
                    throw new ShapeException(what, batch[0].rows() + " rows (as input '" + inputNames.get(0) + "')",
                            batch[i].shape());
                }
                if (checkInputs) {
                    int bad = batch[i].firstNonFinite();
                    if (bad >= 0) {
                        int cols = batch[i].cols();
                        throw new IllegalArgumentException(what + ": row " + bad / cols + ", column " + bad % cols + " is "
                                + batch[i].data()[batch[i].offset() + bad]);
                    }
                }
            }
            if (inputs == null || inputs.length != batch.length) {
                inputs = new Matrix[batch.length];
            }
            System.arraycopy(batch, 0, inputs, 0, batch.length);
            trainedForward = false;
            for (int i = 0; i < states.length; i++) {
                states[i].begin(mode, step);
                Node node = nodes.get(i);
                int[] src = sources[i];
                if (node instanceof Layer layer) {
                    outputs[i] = layer.forward(value(src[0]), states[i]);
                } else {
                    Matrix[] args = mergeArguments[i];
                    for (int k = 0; k < src.length; k++) {
                        args[k] = value(src[k]);
                    }
                    outputs[i] = ((Merge) node).forward(args, states[i]);
                    Arrays.fill(args, null);
                }
            }
            trainedForward = mode == Mode.TRAINING;
            if (!trainedForward) {
                Arrays.fill(inputs, null);
            }
            return outputs[output];
        }

        private Matrix value(int src) {
            return src >= 0 ? outputs[src] : inputs[-src - 1];
        }

        /**
         * The backward pass of the last training forward: adds every parameter's gradient of the loss
         * into {@link #gradients()}. Where several nodes consume one output, their gradients are summed
         * in a fixed order (consumers in reverse running order).
         *
         * @param outputGradient ∂L/∂output, the shape of the last forward's output; may be overwritten
         */
        public void backward(Matrix outputGradient) {
            checkOpen();
            if (!training || !trainedForward) {
                throw new IllegalStateException("backward needs a training forward pass on a training workspace first");
            }
            ShapeException.requireShape(nodes.get(output).name(), "output gradient", outputGradient, outputs[output].rows(),
                    outputs[output].cols());
            Arrays.fill(pending, null);
            Arrays.fill(received, 0);
            deliver(output, outputGradient);
            for (int i = nodes.size() - 1; i >= 0; i--) {
                Matrix g = pending[i];
                if (g == null) {
                    continue;   // does not reach the output
                }
                Node node = nodes.get(i);
                int[] src = sources[i];
                if (node instanceof Layer layer) {
                    Matrix in = layer.backward(g, states[i], src[0] >= 0);
                    if (src[0] >= 0) {
                        deliver(src[0], in);
                    }
                } else {
                    Matrix[] grads = mergeGradients[i];
                    ((Merge) node).backward(g, states[i], grads);
                    for (int k = 0; k < src.length; k++) {
                        if (src[k] >= 0) {
                            deliver(src[k], grads[k]);
                        }
                        grads[k] = null;
                    }
                }
                pending[i] = null;
            }
            trainedForward = false;
            Arrays.fill(inputs, null);
        }

        // Hands ∂L/∂output(node) to the node; sums contributions when it has several consumers.
        private void deliver(int node, Matrix g) {
            if (consumers[node] == 1) {
                pending[node] = g;
                return;
            }
            int n = g.size();
            if (accumulators[node] == null) {
                accumulators[node] = new MatrixBuffer();
            }
            float[] d = g.data();
            int o = g.offset();
            if (received[node] == 0) {
                Matrix m = accumulators[node].get(g.rows(), g.cols());
                System.arraycopy(d, o, m.data(), 0, n);
                pending[node] = m;
            } else {
                float[] acc = pending[node].data();
                for (int k = 0; k < n; k++) {
                    acc[k] += d[o + k];
                }
            }
            received[node]++;
        }

        private void checkOpen() {
            if (closed) {
                throw new IllegalStateException("this workspace is closed");
            }
        }

        /** Marks the workspace closed; later passes throw. */
        @Override
        public void close() {
            closed = true;
        }
    }

    /** Builds a sequential {@link Model} layer by layer; each layer's input shape is the previous output shape. */
    public static final class Builder {
        private final Shape inputShape;
        private final List<Object> specs = new ArrayList<>();
        private long seed = 0x5EEDL;
        private boolean checkInputs;

        private Builder(Shape inputShape) {
            this.inputShape = inputShape;
        }

        /**
         * Appends a layer created from the current shape (e.g. {@code Dense.of(128, relu())}).
         *
         * @param spec the layer's specification
         * @return this builder
         */
        public Builder add(Layer.Spec spec) {
            specs.add(Objects.requireNonNull(spec, "spec"));
            return this;
        }

        /**
         * Appends an existing layer; its input shape must match the current shape.
         *
         * @param layer the layer
         * @return this builder
         */
        public Builder add(Layer layer) {
            specs.add(Objects.requireNonNull(layer, "layer"));
            return this;
        }

        /**
         * The seed from which every layer's initial values derive (the default is fixed).
         *
         * @param seed the seed
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Whether forward passes reject NaN and infinite inputs, naming the row and column (default
         * off).
         *
         * @param check true to check inputs
         * @return this builder
         */
        public Builder checkInputs(boolean check) {
            this.checkInputs = check;
            return this;
        }

        /**
         * Creates the layers and the model.
         *
         * @return the model
         * @throws ShapeException if a layer does not fit the shape before it (naming the layer)
         */
        public Model build() {
            if (specs.isEmpty()) {
                throw new IllegalStateException("a model needs at least one layer");
            }
            GraphBuilder g = new GraphBuilder().input("input", inputShape).seed(seed).checkInputs(checkInputs);
            String previous = "input";
            for (Object o : specs) {
                String name = o instanceof Layer layer ? g.add(layer, previous) : g.addSpec(null, (Layer.Spec) o, previous);
                previous = name;
            }
            return g.build(true);
        }
    }

    /**
     * Builds a graph {@link Model}: named inputs, then nodes added after the nodes they read (so the
     * insertion order is a topological order, the order they run in), then the output.
     */
    public static final class GraphBuilder {
        private final List<String> inputNames = new ArrayList<>();
        private final List<Shape> inputShapes = new ArrayList<>();
        private final List<Node> nodes = new ArrayList<>();
        private final List<int[]> sources = new ArrayList<>();
        private final Map<String, Integer> refs = new HashMap<>();
        private SplittableRandom random = new SplittableRandom(0x5EEDL);
        private boolean randomUsed;
        private String output;
        private boolean checkInputs;

        private GraphBuilder() {
        }

        /**
         * Declares an input (before the nodes that read it).
         *
         * @param name the input's name, unique in the model
         * @param shape the shape of one sample of it
         * @return this builder
         */
        public GraphBuilder input(String name, Shape shape) {
            Objects.requireNonNull(shape, "shape");
            claim(name);
            inputNames.add(name);
            inputShapes.add(shape);
            refs.put(name, -inputNames.size());
            return this;
        }

        /**
         * Adds a node created by {@code spec} from the shapes of {@code inputs} (names of inputs or of
         * nodes added before).
         *
         * @param name the node's name, unique in the model
         * @param spec the node's specification
         * @param inputs the names of what it reads
         * @return this builder
         * @throws ShapeException           if the node does not fit its inputs (naming it)
         * @throws IllegalArgumentException if a name is taken or an input unknown
         */
        public GraphBuilder add(String name, Node.Spec spec, String... inputs) {
            Objects.requireNonNull(name, "name");
            addSpec(name, spec, inputs);
            return this;
        }

        /**
         * Adds an existing node reading {@code inputs}; its input shapes must match theirs.
         *
         * @param node the node
         * @param inputs the names of what it reads
         * @return this builder
         */
        public GraphBuilder add(Node node, String... inputs) {
            add0(node, inputs);
            return this;
        }

        private String add(Layer layer, String input) {
            return add0(layer, new String[] {input});
        }

        private String add0(Node node, String[] inputs) {
            Objects.requireNonNull(node, "node");
            int[] src = resolve(node.name(), inputs);
            List<Shape> shapes = shapesOf(src);
            List<Shape> expected = node instanceof Layer l ? List.of(l.inputShape())
                    : node instanceof Merge m ? m.inputShapes() : null;
            if (expected == null) {
                throw new IllegalArgumentException("node " + node.name() + " (" + node.getClass().getName()
                        + ") is neither a Layer nor a Merge");
            }
            if (!expected.equals(shapes)) {
                throw new ShapeException(where(node.name()), "inputs " + expected, "inputs " + shapes);
            }
            return put(node, src);
        }

        private String addSpec(String name, Node.Spec spec, String... inputs) {
            Objects.requireNonNull(spec, "spec");
            if (name != null) {
                claim(name);
            }
            int[] src = resolve(name, inputs);
            // Each node gets its own stream, so adding a node leaves the others' initial values unchanged.
            SplittableRandom r = random.split();
            randomUsed = true;
            BuildContext ctx = BuildContext.of(name, nodes.size() + 1, shapesOf(src), r);
            Node node = spec.create(ctx);
            if (name != null && !node.name().equals(name)) {
                throw new IllegalArgumentException("the spec for node '" + name + "' created a node named '" + node.name() + "'");
            }
            if (node instanceof Layer l && src.length != 1) {
                throw new ShapeException(where(node.name()), "one input", src.length + " inputs");
            }
            if (node instanceof Layer l && !l.inputShape().equals(ctx.inputShapes().get(0))) {
                throw new ShapeException(where(node.name()), "input " + ctx.inputShapes().get(0), "input " + l.inputShape());
            }
            if (!(node instanceof Layer) && !(node instanceof Merge)) {
                throw new IllegalArgumentException("node " + node.name() + " is neither a Layer nor a Merge");
            }
            return put(node, src);
        }

        private String where(String name) {
            return "node " + (nodes.size() + 1) + " (" + name + ")";
        }

        private String put(Node node, int[] src) {
            claim(node.name());
            refs.put(node.name(), nodes.size());
            nodes.add(node);
            sources.add(src);
            return node.name();
        }

        private void claim(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank() || name.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
                throw new IllegalArgumentException("node and input names may not be blank or contain spaces: '" + name + "'");
            }
            if (refs.containsKey(name)) {
                throw new IllegalArgumentException("the name '" + name + "' is already taken in this model");
            }
        }

        private int[] resolve(String who, String[] inputs) {
            if (inputs.length == 0) {
                throw new IllegalArgumentException("node " + (who == null ? "" : who + " ") + "needs at least one input");
            }
            int[] src = new int[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                Integer r = refs.get(inputs[i]);
                if (r == null) {
                    throw new IllegalArgumentException("node " + (who == null ? "" : who + " ") + "reads '" + inputs[i]
                            + "', which is not an input or a node added before it");
                }
                src[i] = r;
            }
            return src;
        }

        private List<Shape> shapesOf(int[] src) {
            List<Shape> l = new ArrayList<>();
            for (int s : src) {
                l.add(s >= 0 ? nodes.get(s).outputShape() : inputShapes.get(-s - 1));
            }
            return l;
        }

        /**
         * The node whose output is the model's (default: the last one added).
         *
         * @param name the output node's name
         * @return this builder
         */
        public GraphBuilder output(String name) {
            this.output = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * The seed from which every node's initial values derive (the default is fixed). Must be set
         * before the first node is added.
         *
         * @param seed the seed
         * @return this builder
         */
        public GraphBuilder seed(long seed) {
            if (randomUsed) {
                throw new IllegalStateException("set the seed before adding nodes");
            }
            this.random = new SplittableRandom(seed);
            return this;
        }

        /**
         * Whether forward passes reject NaN and infinite inputs (default off).
         *
         * @param check true to check inputs
         * @return this builder
         */
        public GraphBuilder checkInputs(boolean check) {
            this.checkInputs = check;
            return this;
        }

        /**
         * The model.
         *
         * @return the model
         */
        public Model build() {
            return build(false);
        }

        private Model build(boolean sequential) {
            if (inputNames.isEmpty()) {
                throw new IllegalStateException("a model needs at least one input");
            }
            if (nodes.isEmpty()) {
                throw new IllegalStateException("a model needs at least one node");
            }
            int out = nodes.size() - 1;
            if (output != null) {
                Integer r = refs.get(output);
                if (r == null || r < 0) {
                    throw new IllegalArgumentException("output '" + output + "' is not a node of this model");
                }
                out = r;
            }
            return new Model(inputNames, inputShapes, nodes, sources.toArray(new int[0][]), out, checkInputs, sequential);
        }
    }
}

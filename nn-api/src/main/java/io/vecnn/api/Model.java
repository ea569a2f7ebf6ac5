package io.vecnn.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A sequential network: layers applied one after the other.
 *
 * <pre>{@code
 * Model model = Model.builder(784)
 *         .add(Dense.of(256, Activations.relu()))
 *         .add(Dense.of(128, Activations.relu()))
 *         .add(Dense.of(10))                  // logits; the loss applies softmax
 *         .seed(42)
 *         .build();
 * Matrix probabilities = ...; Matrix logits = model.predict(images);
 * }</pre>
 *
 * <h2>Threads</h2>
 * <ul>
 * <li><b>Inference is thread-safe</b>: {@link #predict} may be called from any number of threads at
 *     once, each call using its own buffers. For allocation-free repeated inference, give each thread
 *     its own {@link #newWorkspace()}.</li>
 * <li><b>Training is confined</b>: backward writes the gradients held by the shared parameters, so a
 *     model has at most one {@linkplain #newTrainingWorkspace() training workspace} open at a time;
 *     opening a second throws {@link IllegalStateException} naming the thread that holds the first.
 *     Updating parameters while other threads predict is the caller's responsibility to order.</li>
 * <li>A {@link Workspace} is used by one thread at a time.</li>
 * </ul>
 */
public final class Model {
    private final int inputSize;
    private final List<Layer> layers;
    private final List<Parameter> parameters;
    private final boolean checkInputs;
    private final AtomicReference<Workspace> trainer = new AtomicReference<>();

    private Model(int inputSize, List<Layer> layers, boolean checkInputs) {
        this.inputSize = inputSize;
        this.layers = List.copyOf(layers);
        List<Parameter> ps = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Layer l : layers) {
            if (!names.add(l.name())) {
                throw new IllegalArgumentException("two layers are named '" + l.name() + "'");
            }
            ps.addAll(l.parameters());
        }
        Set<String> pnames = new HashSet<>();
        for (Parameter p : ps) {
            if (!pnames.add(p.name())) {
                throw new IllegalArgumentException("two parameters are named '" + p.name() + "'");
            }
        }
        this.parameters = Collections.unmodifiableList(ps);
        this.checkInputs = checkInputs;
    }

    /** A builder for a model whose input rows have {@code inputSize} features. */
    public static Builder builder(int inputSize) {
        return new Builder(inputSize);
    }

    /** Width of the input rows. */
    public int inputSize() {
        return inputSize;
    }

    /** Width of the output rows. */
    public int outputSize() {
        return layers.isEmpty() ? inputSize : layers.get(layers.size() - 1).outputSize();
    }

    /** The layers, in order (unmodifiable). */
    public List<Layer> layers() {
        return layers;
    }

    /** Every layer's parameters, in layer order (unmodifiable). */
    public List<Parameter> parameters() {
        return parameters;
    }

    /** The total number of parameter elements. */
    public long parameterCount() {
        long n = 0;
        for (Parameter p : parameters) {
            n += p.size();
        }
        return n;
    }

    /** Whether forward passes reject NaN and infinite inputs (see {@link Builder#checkInputs}). */
    public boolean checksInputs() {
        return checkInputs;
    }

    /** Sets every parameter's gradient to 0. */
    public void zeroGradients() {
        for (Parameter p : parameters) {
            p.zeroGradient();
        }
    }

    /**
     * Inference on a batch (B × {@link #inputSize()}): returns a new B × {@link #outputSize()}
     * matrix. Thread-safe.
     */
    public Matrix predict(Matrix input) {
        return newWorkspace().forward(input, Mode.INFERENCE, 0);
    }

    /** A workspace for inference (its forward passes may not be followed by backward). */
    public Workspace newWorkspace() {
        return new Workspace(false);
    }

    /**
     * A workspace for training, which may run backward. At most one is open per model.
     *
     * @throws IllegalStateException if another training workspace is open
     */
    public Workspace newTrainingWorkspace() {
        Workspace ws = new Workspace(true);
        if (!trainer.compareAndSet(null, ws)) {
            Workspace holder = trainer.get();
            throw new IllegalStateException("this model is already being trained through a workspace opened by thread '"
                    + (holder == null ? "?" : holder.owner) + "'; close it before opening another");
        }
        return ws;
    }

    /** A table of the layers, their output widths and parameter counts. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-4s %-40s %10s %12s%n", "#", "layer", "output", "parameters"));
        sb.append(String.format("%-4s %-40s %10s %12s%n", "0", "input", "B×" + inputSize, "0"));
        int i = 1;
        for (Layer l : layers) {
            long n = 0;
            for (Parameter p : l.parameters()) {
                n += p.size();
            }
            sb.append(String.format("%-4d %-40s %10s %,12d%n", i++, l.describe(), "B×" + l.outputSize(), n));
        }
        sb.append(String.format("total parameters: %,d%n", parameterCount()));
        return sb.toString();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Model(").append(inputSize);
        for (Layer l : layers) {
            sb.append(" → ").append(l.describe());
        }
        return sb.append(')').toString();
    }

    /**
     * The buffers of one execution of the model: each layer's {@link Layer.State}. Reused from
     * batch to batch, so steady-state passes allocate nothing. Used by one thread at a time.
     */
    public final class Workspace implements AutoCloseable {
        private final boolean training;
        private final String owner = Thread.currentThread().getName();
        private final Layer.State[] states;
        private boolean trainedForward;
        private boolean closed;

        private Workspace(boolean training) {
            this.training = training;
            this.states = new Layer.State[layers.size()];
            for (int i = 0; i < states.length; i++) {
                states[i] = layers.get(i).newState();
            }
        }

        /** The model this workspace runs. */
        public Model model() {
            return Model.this;
        }

        /** Whether this is a training workspace. */
        public boolean training() {
            return training;
        }

        /**
         * The forward pass of a batch.
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
            checkOpen();
            Objects.requireNonNull(mode, "mode");
            if (mode == Mode.TRAINING && !training) {
                throw new IllegalStateException("a training forward pass needs a workspace from newTrainingWorkspace()");
            }
            ShapeException.requireBatch("model input", "batch", input, inputSize);
            if (checkInputs) {
                int bad = input.firstNonFinite();
                if (bad >= 0) {
                    throw new IllegalArgumentException("model input: row " + bad / inputSize + ", column "
                            + bad % inputSize + " is " + input.data()[bad]);
                }
            }
            trainedForward = false;
            Matrix x = input;
            for (int i = 0; i < states.length; i++) {
                states[i].begin(mode, step);
                x = layers.get(i).forward(x, states[i]);
            }
            trainedForward = mode == Mode.TRAINING;
            return x;
        }

        /**
         * The backward pass of the last training forward: adds every parameter's gradient of the loss
         * into {@link Parameter#gradient()}.
         *
         * @param outputGradient ∂L/∂output, the shape of the last forward's output; may be overwritten
         */
        public void backward(Matrix outputGradient) {
            checkOpen();
            if (!training || !trainedForward) {
                throw new IllegalStateException("backward needs a training forward pass on a training workspace first");
            }
            Matrix g = outputGradient;
            for (int i = states.length - 1; i >= 0; i--) {
                g = layers.get(i).backward(g, states[i], i > 0);
            }
        }

        private void checkOpen() {
            if (closed) {
                throw new IllegalStateException("this workspace is closed");
            }
        }

        /** Releases the training claim on the model (no effect for inference workspaces). */
        @Override
        public void close() {
            closed = true;
            trainer.compareAndSet(this, null);
        }
    }

    /** Builds a {@link Model} layer by layer; each layer's input width is the previous output width. */
    public static final class Builder {
        private final int inputSize;
        private final List<Object> specs = new ArrayList<>();
        private long seed = 0x5EEDL;
        private boolean checkInputs;

        private Builder(int inputSize) {
            if (inputSize < 1) {
                throw new IllegalArgumentException("input size must be >= 1, got " + inputSize);
            }
            this.inputSize = inputSize;
        }

        /** Appends a layer created from the current width (e.g. {@code Dense.of(128, relu())}). */
        public Builder add(Layer.Spec spec) {
            specs.add(Objects.requireNonNull(spec, "spec"));
            return this;
        }

        /** Appends an existing layer; its input width must match the current width. */
        public Builder add(Layer layer) {
            specs.add(Objects.requireNonNull(layer, "layer"));
            return this;
        }

        /** The seed from which every layer's initial values derive (the default is fixed). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Whether forward passes reject NaN and infinite inputs, naming the row and column (default off). */
        public Builder checkInputs(boolean check) {
            this.checkInputs = check;
            return this;
        }

        /** Creates the layers and the model. */
        public Model build() {
            SplittableRandom root = new SplittableRandom(seed);
            List<Layer> layers = new ArrayList<>();
            int width = inputSize;
            int position = 1;
            for (Object o : specs) {
                // Each layer gets its own stream, so adding a layer leaves the others' values unchanged.
                SplittableRandom random = root.split();
                Layer l = o instanceof Layer layer ? layer : ((Layer.Spec) o).create(width, position, random);
                if (l.inputSize() != width) {
                    throw new ShapeException("layer " + position + " (" + l.name() + ")", "input width " + width,
                            "input width " + l.inputSize());
                }
                layers.add(l);
                width = l.outputSize();
                position++;
            }
            return new Model(inputSize, layers, checkInputs);
        }
    }
}

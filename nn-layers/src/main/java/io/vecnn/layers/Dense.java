package io.vecnn.layers;

import io.vecnn.api.Activation;
import io.vecnn.api.BuildContext;
import io.vecnn.api.Initializer;
import io.vecnn.api.Layer;
import io.vecnn.api.LayerConfig;
import io.vecnn.api.Matrix;
import io.vecnn.api.Mode;
import io.vecnn.api.Parameter;
import io.vecnn.api.Shape;
import io.vecnn.api.ShapeException;
import io.vecnn.kernels.ActivationKind;
import io.vecnn.kernels.Kernels;
import io.vecnn.kernels.Transpose;
import io.vecnn.layers.internal.KernelActivation;

import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A fully connected layer: z = a·Wᵀ + b and h = f(z) for a batch a (B × in), with W of
 * {@code out × in} (row j holds the weights into unit j) and b of {@code out}.
 *
 * <p>Forward is one GEMM and one fused bias + activation pass; backward is one fused
 * activation-derivative Hadamard pass δ = ∂L/∂h ⊙ f′, the outer-product accumulation ∂W += δᵀ·a,
 * the bias gradient ∂b += Σ δ and, unless this is the first layer, ∂L/∂a = δ·W. Built-in
 * activations run on the fused kernels; user-defined ones on their own code.
 *
 * <p>Optional features: no bias; a connectivity mask over W (missing connections stay 0, see
 * {@link Parameter}); a choice of initializer. The input is a feature vector (rank-1 shape); put a
 * {@link Flatten} before a dense layer that follows an image-shaped layer.
 *
 * <p>Type name {@value #TYPE}; configuration {@code units}, {@code activation} (its name),
 * {@code bias}. Masked layers are not described by their configuration.
 */
public final class Dense implements Layer {
    /** The type name in checkpoints. */
    public static final String TYPE = "dense";

    private final String name;
    private final int in;
    private final int out;
    private final Activation activation;
    private final KernelActivation fused;
    private final Parameter weight;
    private final Parameter bias;

    private Dense(String name, Activation activation, Parameter weight, Parameter bias) {
        this.name = name;
        this.in = weight.value().cols();
        this.out = weight.value().rows();
        this.activation = activation;
        this.fused = activation instanceof KernelActivation k ? k : null;
        this.weight = weight;
        this.bias = bias;
    }

    /**
     * A spec for a dense layer of {@code units} outputs without activation (logits, regression).
     *
     * @param units the number of outputs
     * @return a builder of the spec, to set more options
     */
    public static Builder of(int units) {
        return new Builder(units);
    }

    /**
     * A spec for a dense layer of {@code units} outputs with activation {@code f}.
     *
     * @param units the number of outputs
     * @param f the activation
     * @return a builder of the spec, to set more options
     */
    public static Builder of(int units, Activation f) {
        return new Builder(units).activation(f);
    }

    /**
     * A dense layer with the given weights (copied): {@code weights} is out × in, {@code bias} has
     * {@code out} values or is null for no bias.
     *
     * @param name the layer's name
     * @param weights the weights W, out × in
     * @param bias the biases, or null
     * @param f the activation
     * @return the layer
     */
    public static Dense withWeights(String name, Matrix weights, float[] bias, Activation f) {
        Objects.requireNonNull(weights, "weights");
        if (weights.rows() < 1 || weights.cols() < 1) {
            throw new ShapeException(name + " weights", "out×in with out, in >= 1", weights.shape());
        }
        if (bias != null && bias.length != weights.rows()) {
            throw new ShapeException(name + " bias", String.valueOf(weights.rows()), String.valueOf(bias.length));
        }
        return new Dense(name, Objects.requireNonNull(f, "activation"),
                new Parameter(name + ".weight", weights.copy()),
                bias == null ? null : new Parameter(name + ".bias", Matrix.wrap(1, bias.length, bias.clone())));
    }

    /**
     * The weights W (out × in).
     *
     * @return the weight parameter
     */
    public Parameter weight() {
        return weight;
    }

    /**
     * The bias b (1 × out), or null if the layer has none.
     *
     * @return the bias parameter, or null
     */
    public Parameter bias() {
        return bias;
    }

    /**
     * The activation f.
     *
     * @return the activation
     */
    public Activation activation() {
        return activation;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Shape inputShape() {
        return Shape.of(in);
    }

    @Override
    public Shape outputShape() {
        return Shape.of(out);
    }

    @Override
    public int inputSize() {
        return in;
    }

    @Override
    public int outputSize() {
        return out;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public LayerConfig config() {
        return LayerConfig.builder().put("units", out).put("activation", activation.name()).put("bias", bias != null).build();
    }

    @Override
    public List<Parameter> parameters() {
        return bias == null ? List.of(weight) : List.of(weight, bias);
    }

    @Override
    public String describe() {
        return name + " dense " + in + "→" + out + ", " + activation.name() + (bias == null ? ", no bias" : "")
                + (weight.hasMask() ? ", masked" : "");
    }

    @Override
    public State newState() {
        return new DenseState();
    }

    /** Buffers reused while the batch size stays the same (and grown when it increases). */
    private static final class DenseState extends State {
        Matrix input;
        int rows = -1;
        float[] zBuf = new float[0];
        float[] hBuf = new float[0];
        float[] gBuf = new float[0];
        Matrix z;
        Matrix h;
        Matrix gradIn;
        boolean backwardReady;

        void ensure(int rows, int out, int in) {
            if (rows == this.rows) {
                return;
            }
            int n = rows * out;
            if (zBuf.length < n) {
                zBuf = new float[n];
                hBuf = new float[n];
            }
            if (gBuf.length < rows * in) {
                gBuf = new float[rows * in];
            }
            z = Matrix.wrap(rows, out, zBuf);
            h = Matrix.wrap(rows, out, hBuf);
            gradIn = Matrix.wrap(rows, in, gBuf);
            this.rows = rows;
        }
    }

    @Override
    public Matrix forward(Matrix input, State state) {
        ShapeException.requireBatch(name, "input", input, in);
        DenseState s = (DenseState) state;
        Kernels k = s.kernels();
        int rows = input.rows();
        s.ensure(rows, out, in);
        boolean training = s.mode() == Mode.TRAINING;
        float[] b = bias == null ? null : bias.value().data();
        int bo = bias == null ? 0 : bias.value().offset();
        Matrix w = weight.value();
        // z = a·Wᵀ: W is stored out × in, so op(B) = Wᵀ.
        k.gemm(Transpose.N, Transpose.T, rows, out, in, 1f, input.data(), input.offset(), in,
                w.data(), w.offset(), in, 0f, s.z.data(), 0, out);
        Matrix result;
        if (fused != null) {
            // h may overwrite z whenever backward will not need z.
            boolean inPlace = !training || fused.kind().derivativeFromOutput();
            result = inPlace ? s.z : s.h;
            k.biasActivation(fused.kind(), fused.alpha(), rows, out, s.z.data(), 0, out, b, bo,
                    result.data(), 0, out);
        } else {
            if (b != null) {
                k.biasActivation(ActivationKind.IDENTITY, 0f, rows, out, s.z.data(), 0, out, b, bo, s.z.data(), 0, out);
            }
            activation.forward(s.z, s.h, k);
            result = s.h;
        }
        s.input = training ? input : null;
        s.backwardReady = training;
        return result;
    }

    @Override
    public Matrix backward(Matrix outputGradient, State state, boolean needInputGradient) {
        DenseState s = (DenseState) state;
        if (!s.backwardReady) {
            throw new IllegalStateException(name + ": backward without a training forward pass");
        }
        ShapeException.requireShape(name, "output gradient", outputGradient, s.rows, out);
        Kernels k = s.kernels();
        int rows = s.rows;
        int n = rows * out;
        float[] delta = outputGradient.data();
        int dOff = outputGradient.offset();
        // δ = ∂L/∂h ⊙ f′, in place over the incoming gradient (the Layer contract allows it).
        if (fused != null) {
            if (fused.kind() != ActivationKind.IDENTITY) {
                // s.z holds h for kinds whose f′ comes from h (forward ran in place), z otherwise.
                k.activationBackward(fused.kind(), fused.alpha(), n, delta, dOff, s.z.data(), 0, delta, dOff);
            }
        } else {
            activation.backward(s.z, s.h, outputGradient, outputGradient, k);
        }
        Matrix a = s.input;
        Matrix gw = s.gradient(0);
        k.accumulateOuterProducts(rows, out, in, delta, dOff, out, a.data(), a.offset(), in, gw.data(), gw.offset(), in);
        weight.maskGradient(gw);
        if (bias != null) {
            Matrix gb = s.gradient(1);
            k.accumulateBiasGradient(rows, out, delta, dOff, out, gb.data(), gb.offset());
        }
        s.backwardReady = false;
        s.input = null;
        if (!needInputGradient) {
            return null;
        }
        // ∂L/∂a = δ·W.
        Matrix w = weight.value();
        k.gemm(Transpose.N, Transpose.N, rows, in, out, 1f, delta, dOff, out,
                w.data(), w.offset(), in, 0f, s.gradIn.data(), 0, in);
        return s.gradIn;
    }

    /**
     * Configures a dense layer; used as a {@link Layer.Spec} in {@link io.vecnn.api.Model.Builder#add}.
     */
    public static final class Builder implements Layer.Spec {
        private final int units;
        private Activation activation = Activations.identity();
        private boolean useBias = true;
        private Initializer initializer;
        private boolean[][] mask;
        private String name;

        private Builder(int units) {
            if (units < 1) {
                throw new IllegalArgumentException("a dense layer needs >= 1 unit, got " + units);
            }
            this.units = units;
        }

        /**
         * The activation (default identity).
         *
         * @param f the activation
         * @return this builder
         */
        public Builder activation(Activation f) {
            this.activation = Objects.requireNonNull(f, "activation");
            return this;
        }

        /**
         * Whether the layer has a bias (default true).
         *
         * @param useBias false for a layer without bias
         * @return this builder
         */
        public Builder bias(boolean useBias) {
            this.useBias = useBias;
            return this;
        }

        /**
         * The weight initializer (default He uniform for ReLU-family activations, Glorot uniform for
         * the others). Biases start at 0.
         *
         * @param initializer the weight initializer
         * @return this builder
         */
        public Builder initializer(Initializer initializer) {
            this.initializer = Objects.requireNonNull(initializer, "initializer");
            return this;
        }

        /**
         * A connectivity mask, {@code units × inputs}: {@code mask[j][i]} false means input i does not
         * feed unit j; that weight stays 0 through training.
         *
         * @param mask the connectivity, one row per unit
         * @return this builder
         */
        public Builder mask(boolean[][] mask) {
            this.mask = Objects.requireNonNull(mask, "mask").clone();
            return this;
        }

        /**
         * The layer's name (default {@code "dense"} followed by its position).
         *
         * @param name the layer's name
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        @Override
        public Dense create(BuildContext context) {
            String nm = name != null ? name : context.name("dense");
            Shape input = context.inputShape(nm);
            if (input.rank() != 1) {
                throw new ShapeException(nm, "a feature vector (rank 1; add a Flatten before this layer)",
                        "input " + input);
            }
            int inputSize = input.size();
            RandomGenerator random = context.random();
            Matrix w = Matrix.zeros(units, inputSize);
            Initializer init = initializer != null ? initializer : defaultInitializer(activation);
            init.initialize(w, inputSize, units, random);
            boolean[] flat = null;
            if (mask != null) {
                if (mask.length != units) {
                    throw new ShapeException(nm + " mask", units + "×" + inputSize, mask.length + " rows");
                }
                flat = new boolean[units * inputSize];
                for (int j = 0; j < units; j++) {
                    if (mask[j] == null || mask[j].length != inputSize) {
                        throw new ShapeException(nm + " mask row " + j, String.valueOf(inputSize),
                                mask[j] == null ? "null" : String.valueOf(mask[j].length));
                    }
                    System.arraycopy(mask[j], 0, flat, j * inputSize, inputSize);
                }
            }
            Parameter wp = new Parameter(nm + ".weight", w, flat);
            Parameter bp = useBias ? new Parameter(nm + ".bias", Matrix.zeros(1, units)) : null;
            return new Dense(nm, activation, wp, bp);
        }

        static Initializer defaultInitializer(Activation f) {
            if (f instanceof KernelActivation k) {
                switch (k.kind()) {
                    case RELU, LEAKY_RELU, ELU, GELU, GELU_ERF, SILU:
                        return Initializers.heUniform();
                    default:
                }
            }
            return Initializers.glorotUniform();
        }
    }
}

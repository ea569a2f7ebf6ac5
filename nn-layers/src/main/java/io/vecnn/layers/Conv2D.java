package io.vecnn.layers;

import io.vecnn.api.Activation;
import io.vecnn.api.BuildContext;
import io.vecnn.api.Initializer;
import io.vecnn.api.Layer;
import io.vecnn.api.LayerConfig;
import io.vecnn.api.Matrix;
import io.vecnn.api.MatrixBuffer;
import io.vecnn.api.Mode;
import io.vecnn.api.Parameter;
import io.vecnn.api.Shape;
import io.vecnn.api.ShapeException;
import io.vecnn.kernels.ConvGeometry;
import io.vecnn.kernels.Kernels;
import io.vecnn.layers.internal.KernelActivation;

import java.util.List;
import java.util.Objects;

/**
 * A 2-D convolution over C × H × W images (NCHW), as PyTorch's {@code nn.Conv2d} with a square kernel:
 * y = f(W ⋆ x + b) with W of {@code filters × C × k × k} (stored as a {@code filters × C·k·k} matrix,
 * PyTorch's layout), stride and zero padding on both axes, an optional bias and an optional fused
 * activation. The output is {@code filters × OH × OW} with OH = (H + 2·padding − k)/stride + 1.
 *
 * <p>Forward, weight gradient and input gradient are GEMMs over image patches
 * ({@link Kernels#conv2d}, {@link Kernels#conv2dBackwardFilter}, {@link Kernels#conv2dBackwardData});
 * built-in activations are applied by the fused kernels, user-defined ones by their own code.
 * Weights start He-uniform for ReLU-family activations, Glorot-uniform otherwise (fan-in C·k·k,
 * fan-out filters·k·k); the bias starts at 0.
 *
 * <p>Type name {@value #TYPE}; configuration {@code filters}, {@code kernel}, {@code stride},
 * {@code padding}, {@code activation} (its name), {@code bias}.
 */
public final class Conv2D implements Layer {
    /** The type name in checkpoints. */
    public static final String TYPE = "conv2d";

    private final String name;
    private final ConvGeometry geometry;
    private final int filters;
    private final Shape input;
    private final Shape output;
    private final Activation activation;
    private final KernelActivation fused;
    private final Parameter weight;
    private final Parameter bias;

    private Conv2D(String name, ConvGeometry g, int filters, Activation activation, Parameter weight, Parameter bias) {
        this.name = name;
        this.geometry = g;
        this.filters = filters;
        this.input = Shape.image(g.channels(), g.height(), g.width());
        this.output = Shape.image(filters, g.outHeight(), g.outWidth());
        this.activation = activation;
        this.fused = activation instanceof KernelActivation k ? k : null;
        this.weight = weight;
        this.bias = bias;
    }

    /**
     * A spec for a convolution with {@code filters} output channels and a {@code kernel × kernel} window,
     * stride 1, no padding, a bias and no activation (change them on the builder).
     *
     * @param filters output channels, ≥ 1
     * @param kernel  kernel size, ≥ 1
     * @return the builder
     * @throws IllegalArgumentException if a size is below 1
     */
    public static Builder of(int filters, int kernel) {
        return new Builder(filters, kernel);
    }

    /**
     * The weights W ({@code filters × C·k·k}, row o holding PyTorch's {@code weight[o]} flattened).
     *
     * @return the weight parameter
     */
    public Parameter weight() {
        return weight;
    }

    /**
     * The bias (1 × filters), or null.
     *
     * @return the bias parameter or null
     */
    public Parameter bias() {
        return bias;
    }

    /**
     * The activation.
     *
     * @return f
     */
    public Activation activation() {
        return activation;
    }

    /**
     * The geometry (input image, kernel, stride, padding).
     *
     * @return the geometry
     */
    public ConvGeometry geometry() {
        return geometry;
    }

    /**
     * Output channels.
     *
     * @return the filters
     */
    public int filters() {
        return filters;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Shape inputShape() {
        return input;
    }

    @Override
    public Shape outputShape() {
        return output;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public LayerConfig config() {
        return LayerConfig.builder().put("filters", filters).put("kernel", geometry.kernelH())
                .put("stride", geometry.strideH()).put("padding", geometry.padH()).put("activation", activation.name())
                .put("bias", bias != null).build();
    }

    @Override
    public List<Parameter> parameters() {
        return bias == null ? List.of(weight) : List.of(weight, bias);
    }

    @Override
    public String describe() {
        int k = geometry.kernelH();
        return name + " conv2d " + input + "→" + output + ", " + k + "x" + k + " stride " + geometry.strideH()
                + " padding " + geometry.padH() + ", " + activation.name() + (bias == null ? ", no bias" : "");
    }

    @Override
    public State newState() {
        return new ConvState();
    }

    private static final class ConvState extends State {
        final MatrixBuffer z = new MatrixBuffer();
        final MatrixBuffer h = new MatrixBuffer();
        final MatrixBuffer gradIn = new MatrixBuffer();
        Matrix input;
        Matrix saved;
        Matrix out;
        int rows;
        boolean backwardReady;
    }

    @Override
    public Matrix forward(Matrix in, State state) {
        ShapeException.requireBatch(name, "input", in, input.size());
        ConvState s = (ConvState) state;
        Kernels k = s.kernels();
        int rows = in.rows();
        boolean training = s.mode() == Mode.TRAINING;
        Matrix z = s.z.get(rows, output.size());
        Matrix b = bias == null ? null : bias.value();
        Matrix w = weight.value();
        k.conv2d(geometry, rows, filters, in.data(), in.offset(), w.data(), w.offset(), b == null ? null : b.data(),
                b == null ? 0 : b.offset(), z.data(), z.offset());
        Matrix result;
        if (fused != null) {
            if (fused.kind() != io.vecnn.kernels.ActivationKind.IDENTITY) {
                boolean inPlace = !training || fused.kind().derivativeFromOutput();
                result = inPlace ? z : s.h.get(rows, output.size());
                k.biasActivation(fused.kind(), fused.alpha(), 1, rows * output.size(), z.data(), z.offset(),
                        rows * output.size(), null, 0, result.data(), result.offset(), rows * output.size());
            } else {
                result = z;
            }
            s.saved = z;
        } else {
            result = s.h.get(rows, output.size());
            activation.forward(z, result, k);
            s.saved = z;
        }
        s.out = result;
        s.rows = rows;
        s.input = training ? in : null;
        s.backwardReady = training;
        return result;
    }

    @Override
    public Matrix backward(Matrix outputGradient, State state, boolean needInputGradient) {
        ConvState s = (ConvState) state;
        if (!s.backwardReady) {
            throw new IllegalStateException(name + ": backward without a training forward pass");
        }
        ShapeException.requireShape(name, "output gradient", outputGradient, s.rows, output.size());
        Kernels k = s.kernels();
        int rows = s.rows;
        float[] delta = outputGradient.data();
        int dOff = outputGradient.offset();
        if (fused != null) {
            if (fused.kind() != io.vecnn.kernels.ActivationKind.IDENTITY) {
                // s.saved holds h when f′ comes from h (forward ran in place), z otherwise.
                k.activationBackward(fused.kind(), fused.alpha(), rows * output.size(), delta, dOff, s.saved.data(),
                        s.saved.offset(), delta, dOff);
            }
        } else {
            activation.backward(s.saved, s.out, outputGradient, outputGradient, k);
        }
        Matrix x = s.input;
        Matrix gw = s.gradient(0);
        Matrix gb = bias == null ? null : s.gradient(1);
        k.conv2dBackwardFilter(geometry, rows, filters, x.data(), x.offset(), delta, dOff, gw.data(), gw.offset(),
                gb == null ? null : gb.data(), gb == null ? 0 : gb.offset());
        s.backwardReady = false;
        s.input = null;
        if (!needInputGradient) {
            return null;
        }
        Matrix dx = s.gradIn.get(rows, input.size());
        Matrix w = weight.value();
        k.conv2dBackwardData(geometry, rows, filters, delta, dOff, w.data(), w.offset(), dx.data(), dx.offset());
        return dx;
    }

    /** Configures a convolution; used as a {@link Layer.Spec}. */
    public static final class Builder implements Layer.Spec {
        private final int filters;
        private final int kernel;
        private int stride = 1;
        private int padding;
        private Activation activation = Activations.identity();
        private boolean useBias = true;
        private Initializer initializer;
        private String name;

        private Builder(int filters, int kernel) {
            if (filters < 1) {
                throw new IllegalArgumentException("a convolution needs >= 1 filter, got " + filters);
            }
            if (kernel < 1) {
                throw new IllegalArgumentException("a convolution kernel must be >= 1, got " + kernel);
            }
            this.filters = filters;
            this.kernel = kernel;
        }

        /**
         * The stride on both axes (default 1).
         *
         * @param stride ≥ 1
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder stride(int stride) {
            if (stride < 1) {
                throw new IllegalArgumentException("a convolution stride must be >= 1, got " + stride);
            }
            this.stride = stride;
            return this;
        }

        /**
         * Zero padding on every side (default 0; {@code (kernel − 1)/2} keeps an odd kernel's size).
         *
         * @param padding ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder padding(int padding) {
            if (padding < 0) {
                throw new IllegalArgumentException("a convolution padding must be >= 0, got " + padding);
            }
            this.padding = padding;
            return this;
        }

        /**
         * The activation (default identity), fused with the convolution when built in.
         *
         * @param f the activation
         * @return this builder
         */
        public Builder activation(Activation f) {
            this.activation = Objects.requireNonNull(f, "activation");
            return this;
        }

        /**
         * Whether the layer has a bias (default true; a convolution followed by a batch normalization
         * needs none).
         *
         * @param useBias true for a bias
         * @return this builder
         */
        public Builder bias(boolean useBias) {
            this.useBias = useBias;
            return this;
        }

        /**
         * The weight initializer (default He uniform for ReLU-family activations, Glorot uniform otherwise).
         *
         * @param initializer the initializer
         * @return this builder
         */
        public Builder initializer(Initializer initializer) {
            this.initializer = Objects.requireNonNull(initializer, "initializer");
            return this;
        }

        /**
         * The layer's name (default {@code "conv2d"} followed by its position).
         *
         * @param name the name
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        @Override
        public Conv2D create(BuildContext context) {
            String nm = name != null ? name : context.name(TYPE);
            Shape in = context.inputShape(nm);
            if (!in.isImage()) {
                throw new ShapeException(nm, "an image C×H×W (rank 3)", "input " + in);
            }
            if (kernel > in.height() + 2 * padding || kernel > in.width() + 2 * padding) {
                throw new ShapeException(nm, "an input of at least " + kernel + "x" + kernel + " with padding " + padding,
                        "input " + in);
            }
            ConvGeometry g = ConvGeometry.square(in.channels(), in.height(), in.width(), kernel, stride, padding);
            int fanIn = g.patchSize();
            Matrix w = Matrix.zeros(filters, fanIn);
            Initializer init = initializer != null ? initializer : Dense.Builder.defaultInitializer(activation);
            init.initialize(w, fanIn, filters * kernel * kernel, context.random());
            Parameter wp = new Parameter(nm + ".weight", w);
            Parameter bp = useBias ? new Parameter(nm + ".bias", Matrix.zeros(1, filters)) : null;
            return new Conv2D(nm, g, filters, activation, wp, bp);
        }
    }
}

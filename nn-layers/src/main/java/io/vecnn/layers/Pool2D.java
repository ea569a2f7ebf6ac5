package io.vecnn.layers;

import io.vecnn.api.Layer;
import io.vecnn.api.LayerConfig;
import io.vecnn.api.Matrix;
import io.vecnn.api.MatrixBuffer;
import io.vecnn.api.Mode;
import io.vecnn.api.Shape;
import io.vecnn.api.ShapeException;
import io.vecnn.kernels.ConvGeometry;

/**
 * Max, average and global average pooling over C × H × W images, channel by channel, as PyTorch's
 * {@code nn.MaxPool2d}, {@code nn.AvgPool2d} (padding counted as zeros, {@code count_include_pad=True})
 * and {@code nn.AdaptiveAvgPool2d(1)} (output C × 1 × 1, ONNX's {@code GlobalAveragePool}); square
 * windows, output size rounded down. Built by {@link #max}, {@link #average} and {@link #globalAverage};
 * no parameters. Max pooling remembers each window's winner for the backward pass; a gradient goes to
 * the first maximum of its window in row-major order.
 *
 * <p>Type names {@value #MAX_TYPE}, {@value #AVG_TYPE} (configuration {@code kernel}, {@code stride},
 * {@code padding}) and {@value #GLOBAL_AVG_TYPE}.
 */
public final class Pool2D implements Layer {
    /** The type name of max pooling. */
    public static final String MAX_TYPE = "max_pool2d";
    /** The type name of average pooling. */
    public static final String AVG_TYPE = "avg_pool2d";
    /** The type name of global average pooling. */
    public static final String GLOBAL_AVG_TYPE = "global_avg_pool";

    private final String name;
    private final String type;
    private final ConvGeometry geometry;
    private final Shape input;
    private final Shape output;

    private Pool2D(String name, String type, ConvGeometry g) {
        this.name = name;
        this.type = type;
        this.geometry = g;
        this.input = Shape.image(g.channels(), g.height(), g.width());
        this.output = Shape.image(g.channels(), g.outHeight(), g.outWidth());
    }

    /**
     * A spec for max pooling with a {@code kernel × kernel} window, stride {@code kernel}, no padding.
     *
     * @param kernel the window size, ≥ 1
     * @return the spec
     * @throws IllegalArgumentException if the kernel is below 1
     */
    public static Layer.Spec max(int kernel) {
        return max(kernel, kernel, 0);
    }

    /**
     * A spec for max pooling.
     *
     * @param kernel  the window size, ≥ 1
     * @param stride  the stride, ≥ 1
     * @param padding padding on every side, at most kernel/2 (padding never wins)
     * @return the spec
     * @throws IllegalArgumentException if a value is out of range
     */
    public static Layer.Spec max(int kernel, int stride, int padding) {
        return spec(MAX_TYPE, kernel, stride, padding);
    }

    /**
     * A spec for average pooling with a {@code kernel × kernel} window, stride {@code kernel}, no padding.
     *
     * @param kernel the window size, ≥ 1
     * @return the spec
     * @throws IllegalArgumentException if the kernel is below 1
     */
    public static Layer.Spec average(int kernel) {
        return average(kernel, kernel, 0);
    }

    /**
     * A spec for average pooling (padding counted as zeros in every window's kh·kw).
     *
     * @param kernel  the window size, ≥ 1
     * @param stride  the stride, ≥ 1
     * @param padding padding on every side, at most kernel/2 (as PyTorch requires)
     * @return the spec
     * @throws IllegalArgumentException if a value is out of range
     */
    public static Layer.Spec average(int kernel, int stride, int padding) {
        return spec(AVG_TYPE, kernel, stride, padding);
    }

    /**
     * A spec for global average pooling: the mean of each channel, C × H × W → C × 1 × 1.
     *
     * @return the spec
     */
    public static Layer.Spec globalAverage() {
        return context -> {
            String nm = context.name("global_avg_pool");
            Shape in = image(nm, context.inputShape(nm));
            return new Pool2D(nm, GLOBAL_AVG_TYPE, new ConvGeometry(in.channels(), in.height(), in.width(), in.height(),
                    in.width(), 1, 1, 0, 0));
        };
    }

    private static Layer.Spec spec(String type, int kernel, int stride, int padding) {
        if (kernel < 1 || stride < 1 || padding < 0 || 2 * padding > kernel) {
            throw new IllegalArgumentException("pooling needs kernel >= 1, stride >= 1 and 0 <= padding <= kernel/2, got kernel "
                    + kernel + ", stride " + stride + ", padding " + padding);
        }
        return context -> {
            String nm = context.name(type.equals(MAX_TYPE) ? "max_pool" : "avg_pool");
            Shape in = image(nm, context.inputShape(nm));
            if (kernel > in.height() + 2 * padding || kernel > in.width() + 2 * padding) {
                throw new ShapeException(nm, "an input of at least " + kernel + "x" + kernel + " with padding " + padding,
                        "input " + in);
            }
            return new Pool2D(nm, type, ConvGeometry.square(in.channels(), in.height(), in.width(), kernel, stride, padding));
        };
    }

    private static Shape image(String name, Shape in) {
        if (!in.isImage()) {
            throw new ShapeException(name, "an image C×H×W (rank 3)", "input " + in);
        }
        return in;
    }

    /**
     * The window geometry.
     *
     * @return the geometry
     */
    public ConvGeometry geometry() {
        return geometry;
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
        return type;
    }

    @Override
    public LayerConfig config() {
        if (type.equals(GLOBAL_AVG_TYPE)) {
            return LayerConfig.empty();
        }
        return LayerConfig.builder().put("kernel", geometry.kernelH()).put("stride", geometry.strideH())
                .put("padding", geometry.padH()).build();
    }

    @Override
    public String describe() {
        if (type.equals(GLOBAL_AVG_TYPE)) {
            return name + " " + type + " " + input + "→" + output;
        }
        return name + " " + type + " " + input + "→" + output + ", " + geometry.kernelH() + "x" + geometry.kernelW()
                + " stride " + geometry.strideH() + " padding " + geometry.padH();
    }

    @Override
    public State newState() {
        return new PoolState();
    }

    private static final class PoolState extends State {
        final MatrixBuffer out = new MatrixBuffer();
        final MatrixBuffer gradIn = new MatrixBuffer();
        int[] argmax = new int[0];
        int rows;
        boolean backwardReady;
    }

    @Override
    public Matrix forward(Matrix in, State state) {
        ShapeException.requireBatch(name, "input", in, input.size());
        PoolState s = (PoolState) state;
        int rows = in.rows();
        Matrix y = s.out.get(rows, output.size());
        boolean training = s.mode() == Mode.TRAINING;
        if (type.equals(MAX_TYPE)) {
            int n = rows * output.size();
            if (training && s.argmax.length < n) {
                s.argmax = new int[n];
            }
            s.kernels().maxPool2d(geometry, rows, in.data(), in.offset(), y.data(), y.offset(), training ? s.argmax : null, 0);
        } else {
            s.kernels().avgPool2d(geometry, rows, in.data(), in.offset(), y.data(), y.offset());
        }
        s.rows = rows;
        s.backwardReady = training;
        return y;
    }

    @Override
    public Matrix backward(Matrix outputGradient, State state, boolean needInputGradient) {
        PoolState s = (PoolState) state;
        if (!s.backwardReady) {
            throw new IllegalStateException(name + ": backward without a training forward pass");
        }
        ShapeException.requireShape(name, "output gradient", outputGradient, s.rows, output.size());
        s.backwardReady = false;
        if (!needInputGradient) {
            return null;
        }
        Matrix dx = s.gradIn.get(s.rows, input.size());
        if (type.equals(MAX_TYPE)) {
            s.kernels().maxPool2dBackward(geometry, s.rows, outputGradient.data(), outputGradient.offset(), s.argmax, 0,
                    dx.data(), dx.offset());
        } else {
            s.kernels().avgPool2dBackward(geometry, s.rows, outputGradient.data(), outputGradient.offset(), dx.data(),
                    dx.offset());
        }
        return dx;
    }
}

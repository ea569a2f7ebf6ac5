package io.vecnn.layers;

import io.vecnn.api.Activation;
import io.vecnn.api.Matrix;
import io.vecnn.api.ShapeException;
import io.vecnn.kernels.ActivationKind;
import io.vecnn.kernels.Kernels;
import io.vecnn.layers.internal.KernelActivation;

import java.util.Locale;

/**
 * The built-in activations. The element-wise ones run on the fused vector kernels (and
 * {@link Dense} fuses them with its bias add and its backward Hadamard product); {@link #softmax()}
 * is row-wise. User-defined activations come from {@link Activation#elementwise}.
 */
public final class Activations {
    private static final Activation.Elementwise IDENTITY = new KernelActivation("identity", ActivationKind.IDENTITY, 0f);
    private static final Activation.Elementwise SIGMOID = new KernelActivation("sigmoid", ActivationKind.SIGMOID, 0f);
    private static final Activation.Elementwise TANH = new KernelActivation("tanh", ActivationKind.TANH, 0f);
    private static final Activation.Elementwise RELU = new KernelActivation("relu", ActivationKind.RELU, 0f);
    private static final Activation.Elementwise GELU = new KernelActivation("gelu", ActivationKind.GELU, 0f);
    private static final Activation.Elementwise GELU_ERF = new KernelActivation("gelu_erf", ActivationKind.GELU_ERF, 0f);
    private static final Activation.Elementwise SOFTPLUS = new KernelActivation("softplus", ActivationKind.SOFTPLUS, 0f);
    private static final Activation.Elementwise SILU = new KernelActivation("silu", ActivationKind.SILU, 0f);
    private static final Activation SOFTMAX = new Softmax();

    private Activations() {
    }

    /**
     * f(z) = z.
     *
     * @return the activation
     */
    public static Activation.Elementwise identity() {
        return IDENTITY;
    }

    /**
     * f(z) = 1/(1 + e^−z).
     *
     * @return the activation
     */
    public static Activation.Elementwise sigmoid() {
        return SIGMOID;
    }

    /**
     * f(z) = tanh z.
     *
     * @return the activation
     */
    public static Activation.Elementwise tanh() {
        return TANH;
    }

    /**
     * f(z) = max(z, 0); f′(0) = 0.
     *
     * @return the activation
     */
    public static Activation.Elementwise relu() {
        return RELU;
    }

    /**
     * f(z) = z for z &gt; 0, slope·z otherwise (PyTorch's default slope is 0.01).
     *
     * @param slope the slope for negative inputs
     * @return the activation
     */
    public static Activation.Elementwise leakyRelu(float slope) {
        requireFinite("leaky ReLU slope", slope);
        return new KernelActivation("leaky_relu(" + slope + ")", ActivationKind.LEAKY_RELU, slope);
    }

    /**
     * f(z) = z for z &gt; 0, α(e^z − 1) otherwise.
     *
     * @param alpha α, the limit −α for large negative inputs
     * @return the activation
     */
    public static Activation.Elementwise elu(float alpha) {
        requireFinite("ELU alpha", alpha);
        return new KernelActivation("elu(" + alpha + ")", ActivationKind.ELU, alpha);
    }

    /**
     * GELU in its tanh form, ½z(1 + tanh(√(2/π)(z + 0.044715z³))): PyTorch's
     * {@code nn.GELU(approximate='tanh')}. Named {@code gelu}. PyTorch's default {@code nn.GELU()}
     * is the exact form, {@link #geluErf()}.
     *
     * @return the activation
     */
    public static Activation.Elementwise gelu() {
        return GELU;
    }

    /**
     * GELU in its exact (erf) form, z·Φ(z) = ½z(1 + erf(z/√2)): PyTorch's default {@code nn.GELU()}
     * ({@code approximate='none'}) and ONNX's {@code Gelu}. Named {@code gelu_erf}. Deterministic:
     * the same bits in the interpreter, C1 and C2 (see {@link ActivationKind#GELU_ERF}).
     *
     * @return the activation
     */
    public static Activation.Elementwise geluErf() {
        return GELU_ERF;
    }

    /**
     * f(z) = ln(1 + e^z).
     *
     * @return the activation
     */
    public static Activation.Elementwise softplus() {
        return SOFTPLUS;
    }

    /**
     * SiLU (swish): f(z) = z·σ(z).
     *
     * @return the activation
     */
    public static Activation.Elementwise silu() {
        return SILU;
    }

    /**
     * Row-wise softmax: hⱼ = e^zⱼ / Σₖ e^zₖ (maximum subtracted). For classification, prefer an
     * identity output with {@link Losses#softmaxCrossEntropy()}, which fuses softmax into the loss.
     *
     * @return the activation
     */
    public static Activation softmax() {
        return SOFTMAX;
    }

    /**
     * The built-in activation with this name, as {@link Activation#name()} prints it:
     * {@code identity, sigmoid, tanh, relu, gelu} (tanh form; also {@code gelu_tanh}), {@code gelu_erf}
     * (exact form, PyTorch's default {@code nn.GELU()}), {@code softplus, silu, softmax, leaky_relu(a), elu(a)}
     * (also {@code leaky_relu} and {@code elu} with their defaults 0.01 and 1).
     *
     * @param name the activation's name
     * @return the activation
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static Activation named(String name) {
        Activation a = find(name);
        if (a == null) {
            throw new IllegalArgumentException("unknown activation '" + name + "'; known: identity, sigmoid, tanh, relu, "
                    + "leaky_relu(slope), elu(alpha), gelu, gelu_erf, softplus, silu, softmax");
        }
        return a;
    }

    /**
     * The built-in activation with this name (see {@link #named}), or null if it is not a built-in one.
     *
     * @param name the activation's name
     * @return the activation, or null
     * @throws IllegalArgumentException if the name is a built-in one with a malformed parameter
     */
    public static Activation find(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        switch (n) {
            case "identity", "linear": return IDENTITY;
            case "sigmoid": return SIGMOID;
            case "tanh": return TANH;
            case "relu": return RELU;
            case "gelu", "gelu_tanh": return GELU;
            case "gelu_erf": return GELU_ERF;
            case "softplus": return SOFTPLUS;
            case "silu", "swish": return SILU;
            case "softmax": return SOFTMAX;
            case "leaky_relu": return leakyRelu(0.01f);
            case "elu": return elu(1f);
            default:
        }
        try {
            if (n.startsWith("leaky_relu(") && n.endsWith(")")) {
                return leakyRelu(Float.parseFloat(n.substring(11, n.length() - 1)));
            }
            if (n.startsWith("elu(") && n.endsWith(")")) {
                return elu(Float.parseFloat(n.substring(4, n.length() - 1)));
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("activation '" + name + "': bad parameter", e);
        }
        return null;
    }

    private static void requireFinite(String what, float v) {
        if (!Float.isFinite(v)) {
            throw new IllegalArgumentException(what + " must be finite, got " + v);
        }
    }

    /** Row-wise softmax; backward is the Jacobian-vector product hᵢ(gᵢ − Σⱼ gⱼhⱼ). */
    private static final class Softmax implements Activation {
        @Override
        public String name() {
            return "softmax";
        }

        @Override
        public boolean needsInput() {
            return false;
        }

        @Override
        public void forward(Matrix z, Matrix h, Kernels kernels) {
            if (z.rows() != h.rows() || z.cols() != h.cols()) {
                throw new ShapeException("softmax output", z.shape(), h.shape());
            }
            kernels.softmax(z.rows(), z.cols(), z.data(), z.offset(), z.cols(), h.data(), h.offset(), h.cols());
        }

        @Override
        public void backward(Matrix z, Matrix h, Matrix gradH, Matrix gradZ, Kernels kernels) {
            int rows = h.rows();
            int cols = h.cols();
            float[] hd = h.data();
            float[] g = gradH.data();
            float[] d = gradZ.data();
            for (int i = 0; i < rows; i++) {
                int ho = h.offset() + i * cols;
                int go = gradH.offset() + i * cols;
                int dO = gradZ.offset() + i * cols;
                double dot = 0;
                for (int j = 0; j < cols; j++) {
                    dot += (double) g[go + j] * hd[ho + j];
                }
                float s = (float) dot;
                for (int j = 0; j < cols; j++) {
                    d[dO + j] = hd[ho + j] * (g[go + j] - s);
                }
            }
        }

        @Override
        public String toString() {
            return "softmax";
        }
    }
}

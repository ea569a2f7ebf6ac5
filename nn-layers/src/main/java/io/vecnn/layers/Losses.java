package io.vecnn.layers;

import io.vecnn.api.Loss;
import io.vecnn.api.Matrix;
import io.vecnn.api.ShapeException;
import io.vecnn.kernels.Kernels;

import java.util.Locale;

/**
 * The built-in losses, each computed by one fused kernel that also writes the gradient. The seeds'
 * losses ({@link #quadratic()}, {@link #binaryCrossEntropyWithLogits()}, {@link #softmaxCrossEntropy()})
 * are the mean over the batch of a per-sample loss summed over outputs; the ones ported from
 * PyTorch ({@link #meanSquaredError()}, {@link #l1()}, {@link #huber(float)}) are the mean over all
 * elements, as PyTorch's {@code reduction='mean'}, and {@link #crossEntropy(float[], float)} is
 * PyTorch's weighted mean. Targets are validated before anything is written.
 */
public final class Losses {
    private Losses() {
    }

    /**
     * Quadratic cost ½‖a − y‖² per sample (seed 004), averaged over the batch; gradient (a − y)/B.
     * n/2 times PyTorch's MSE over n outputs: for that use {@link #meanSquaredError()}.
     *
     * @return the loss
     */
    public static Loss quadratic() {
        return QUADRATIC;
    }

    /**
     * Binary cross-entropy on logits z (the sigmoid is part of the loss, seed 002), in the stable form
     * max(z, 0) − z·y + ln(1 + e^−|z|), summed over outputs; gradient (σ(z) − y)/B. Targets in [0, 1].
     *
     * @return the loss
     */
    public static Loss binaryCrossEntropyWithLogits() {
        return BCE;
    }

    /**
     * Softmax cross-entropy on logits (seed 003): −Σⱼ yⱼ log softmax(z)ⱼ per sample, gradient (ŷ − y)/B.
     * Target rows are distributions: non-negative, summing to 1 (one-hot for class labels).
     *
     * @return the loss
     */
    public static Loss softmaxCrossEntropy() {
        return SOFTMAX_CE;
    }

    /**
     * Mean squared error as PyTorch's {@code nn.MSELoss()} defines it: the mean over all B × n
     * elements of (a − y)², gradient 2(a − y)/(B·n). This is 2/n times {@link #quadratic()}. Named
     * {@code mse}; before 0.2 {@code Losses.named("mse")} returned {@link #quadratic()} (n/2 times
     * smaller gradients than PyTorch's): ask for {@code quadratic} to keep that scale.
     *
     * @return the loss
     */
    public static Loss meanSquaredError() {
        return MSE;
    }

    /**
     * Mean absolute error as PyTorch's {@code nn.L1Loss()}: the mean over all B × n elements of
     * |a − y|, gradient sign(a − y)/(B·n) with sign(0) = 0. Named {@code l1} ({@code mae}).
     *
     * @return the loss
     */
    public static Loss l1() {
        return L1;
    }

    /**
     * Huber loss as PyTorch's {@code nn.HuberLoss(delta=δ)}: the mean over all B × n elements of
     * ½d² where |d| &lt; δ and δ(|d| − ½δ) elsewhere (d = a − y), gradient clamp(d, −δ, δ)/(B·n).
     * Named {@code huber} for δ = 1 (PyTorch's default), {@code huber(delta=δ)} otherwise.
     *
     * @param delta δ, finite and &gt; 0
     * @return the loss
     * @throws IllegalArgumentException if δ is not finite and positive
     */
    public static Loss huber(float delta) {
        if (!(delta > 0) || !Float.isFinite(delta)) {
            throw new IllegalArgumentException("huber: delta must be finite and > 0, got " + delta);
        }
        return delta == 1f ? HUBER_1 : new Huber(delta);
    }

    /**
     * Softmax cross-entropy on logits as PyTorch's {@code nn.CrossEntropyLoss(weight=w,
     * label_smoothing=ε)} with class-index targets: with q = (1 − ε)·y + ε/C (the one-hot target
     * mixed with the uniform distribution over the C classes) and p = softmax(z), the loss is
     * Σᵢ Σⱼ wⱼqᵢⱼ(−log pᵢⱼ) / Σᵢ w_{cᵢ}: the weighted mean divides by the sum of the targets' class
     * weights, not by B. With weights the target rows must be one-hot (class labels); without
     * (null) any distribution rows are accepted and the mean is over B, as PyTorch's for
     * probability targets. Named {@code cross-entropy(weight=[w₀, …], label_smoothing=ε)} (each
     * part only when given); {@link #named} reads that name back.
     *
     * @param classWeights   null, or one finite non-negative weight per class (copied)
     * @param labelSmoothing ε in [0, 1]
     * @return the loss; {@link #softmaxCrossEntropy()} itself for (null, 0)
     * @throws IllegalArgumentException if a weight is negative or not finite, or ε is outside [0, 1]
     */
    public static Loss crossEntropy(float[] classWeights, float labelSmoothing) {
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
            throw new IllegalArgumentException("cross-entropy: label smoothing must lie in [0, 1], got " + labelSmoothing);
        }
        if (classWeights == null && labelSmoothing == 0f) {
            return SOFTMAX_CE;
        }
        float[] w = classWeights == null ? null : classWeights.clone();
        if (w != null) {
            if (w.length == 0) {
                throw new IllegalArgumentException("cross-entropy: class weights are empty");
            }
            for (int j = 0; j < w.length; j++) {
                if (!(w[j] >= 0f && w[j] < Float.POSITIVE_INFINITY)) {
                    throw new IllegalArgumentException("cross-entropy: the weight of class " + j + " is " + w[j]
                            + "; class weights must be finite and >= 0");
                }
            }
        }
        return new WeightedCrossEntropy(w, labelSmoothing);
    }

    /**
     * The loss with this name (as {@link Loss#name()} gives it, so names round-trip):
     * {@code quadratic} (½‖a − y‖² per sample), {@code mse} (PyTorch's MSELoss), {@code l1}
     * ({@code mae}), {@code huber} or {@code huber(delta=δ)}, {@code bce}
     * ({@code binary-cross-entropy}), {@code softmax-cross-entropy} ({@code cross-entropy}), and
     * {@code cross-entropy(weight=[w₀, w₁, …], label_smoothing=ε)} with either part.
     *
     * @param name the name, case-insensitive
     * @return the loss
     * @throws IllegalArgumentException if the name is unknown or its parameters malformed
     */
    public static Loss named(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace(" ", "");
        int open = n.indexOf('(');
        if (open >= 0) {
            if (!n.endsWith(")")) {
                throw new IllegalArgumentException("loss '" + name + "': parameters must end with ')'");
            }
            String base = n.substring(0, open);
            String args = n.substring(open + 1, n.length() - 1);
            return switch (base) {
                case "huber" -> huber(floatArg(name, args, "delta"));
                case "cross-entropy", "softmax-cross-entropy" -> crossEntropyNamed(name, args);
                default -> throw new IllegalArgumentException("loss '" + name + "': only huber and cross-entropy take parameters");
            };
        }
        return switch (n) {
            case "quadratic" -> QUADRATIC;
            case "mse" -> MSE;
            case "l1", "mae" -> L1;
            case "huber" -> HUBER_1;
            case "bce", "binary-cross-entropy" -> BCE;
            case "softmax-cross-entropy", "cross-entropy" -> SOFTMAX_CE;
            default -> throw new IllegalArgumentException("unknown loss '" + name
                    + "'; known: quadratic, mse, l1, huber, huber(delta=...), binary-cross-entropy, softmax-cross-entropy,"
                    + " cross-entropy(weight=[...], label_smoothing=...)");
        };
    }

    private static float floatArg(String name, String args, String key) {
        if (!args.startsWith(key + "=")) {
            throw new IllegalArgumentException("loss '" + name + "': expected " + key + "=VALUE");
        }
        return parseFloat(name, args.substring(key.length() + 1));
    }

    private static float parseFloat(String name, String text) {
        try {
            return Float.parseFloat(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("loss '" + name + "': '" + text + "' is not a number");
        }
    }

    private static Loss crossEntropyNamed(String name, String args) {
        float[] weights = null;
        float smoothing = 0f;
        String rest = args;
        if (rest.startsWith("weight=[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("loss '" + name + "': weight=[...] is not closed");
            }
            String[] parts = rest.substring("weight=[".length(), close).split(",");
            weights = new float[parts.length];
            for (int i = 0; i < parts.length; i++) {
                weights[i] = parseFloat(name, parts[i]);
            }
            rest = rest.substring(close + 1);
            if (rest.startsWith(",")) {
                rest = rest.substring(1);
            }
        }
        if (!rest.isEmpty()) {
            smoothing = floatArg(name, rest, "label_smoothing");
        }
        return crossEntropy(weights, smoothing);
    }

    private abstract static class KernelLoss implements Loss {
        private final String name;

        KernelLoss(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public final double compute(Matrix output, Matrix target, Matrix gradient, Kernels kernels) {
            ShapeException.requireBatch(name, "output", output, output == null ? 0 : output.cols());
            ShapeException.requireShape(name, "target", target, output.rows(), output.cols());
            if (gradient != null) {
                ShapeException.requireShape(name, "gradient", gradient, output.rows(), output.cols());
            }
            validateTargets(target);
            int cols = output.cols();
            return kernel(kernels, output.rows(), cols, output.data(), output.offset(), target.data(), target.offset(),
                    gradient == null ? null : gradient.data(), gradient == null ? 0 : gradient.offset());
        }

        abstract double kernel(Kernels k, int rows, int cols, float[] a, int aOff, float[] y, int yOff, float[] g, int gOff);

        @Override
        public String toString() {
            return name;
        }
    }

    private static final Loss QUADRATIC = new KernelLoss("quadratic") {
        @Override
        double kernel(Kernels k, int rows, int cols, float[] a, int aOff, float[] y, int yOff, float[] g, int gOff) {
            return k.quadraticCost(rows, cols, a, aOff, cols, y, yOff, cols, g, gOff, cols);
        }
    };

    private static final Loss BCE = new KernelLoss("binary-cross-entropy") {
        @Override
        double kernel(Kernels k, int rows, int cols, float[] a, int aOff, float[] y, int yOff, float[] g, int gOff) {
            return k.binaryCrossEntropyWithLogits(rows, cols, a, aOff, cols, y, yOff, cols, g, gOff, cols);
        }

        @Override
        public void validateTargets(Matrix target) {
            float[] t = target.data();
            int o = target.offset();
            for (int i = 0, n = target.size(); i < n; i++) {
                if (!(t[o + i] >= 0f && t[o + i] <= 1f)) {
                    throw new IllegalArgumentException(name() + ": target at row " + i / target.cols() + ", column "
                            + i % target.cols() + " is " + t[o + i] + "; binary cross-entropy targets must lie in [0, 1]");
                }
            }
        }
    };

    private static final Loss SOFTMAX_CE = new KernelLoss("softmax-cross-entropy") {
        @Override
        double kernel(Kernels k, int rows, int cols, float[] a, int aOff, float[] y, int yOff, float[] g, int gOff) {
            return k.softmaxCrossEntropy(rows, cols, a, aOff, cols, y, yOff, cols, g, gOff, cols);
        }

        @Override
        public void validateTargets(Matrix target) {
            float[] t = target.data();
            int cols = target.cols();
            for (int i = 0; i < target.rows(); i++) {
                double sum = 0;
                for (int j = 0; j < cols; j++) {
                    float v = t[target.offset() + i * cols + j];
                    if (!(v >= 0f && v <= 1f)) {
                        throw new IllegalArgumentException(name() + ": target at row " + i + ", column " + j + " is " + v
                                + "; targets must be probabilities (one-hot rows for class labels)");
                    }
                    sum += v;
                }
                if (Math.abs(sum - 1.0) > 1e-3) {
                    throw new IllegalArgumentException(name() + ": target row " + i + " sums to " + sum
                            + "; each row must be a distribution summing to 1");
                }
            }
        }
    };
    private static final Loss MSE = new KernelLoss("mse") {
        @Override
        double kernel(Kernels k, int rows, int cols, float[] a, int aOff, float[] y, int yOff, float[] g, int gOff) {
            return k.meanSquaredError(rows, cols, a, aOff, cols, y, yOff, cols, g, gOff, cols);
        }
    };

    private static final Loss L1 = new KernelLoss("l1") {
        @Override
        double kernel(Kernels k, int rows, int cols, float[] a, int aOff, float[] y, int yOff, float[] g, int gOff) {
            return k.meanAbsoluteError(rows, cols, a, aOff, cols, y, yOff, cols, g, gOff, cols);
        }
    };

    private static final Loss HUBER_1 = new Huber(1f);

    private static final class Huber extends KernelLoss {
        private final float delta;

        Huber(float delta) {
            super(delta == 1f ? "huber" : "huber(delta=" + delta + ")");
            this.delta = delta;
        }

        @Override
        double kernel(Kernels k, int rows, int cols, float[] a, int aOff, float[] y, int yOff, float[] g, int gOff) {
            return k.huberLoss(delta, rows, cols, a, aOff, cols, y, yOff, cols, g, gOff, cols);
        }
    }

    private static final class WeightedCrossEntropy extends KernelLoss {
        private final float[] weights;
        private final float smoothing;

        WeightedCrossEntropy(float[] weights, float smoothing) {
            super(describe(weights, smoothing));
            this.weights = weights;
            this.smoothing = smoothing;
        }

        private static String describe(float[] weights, float smoothing) {
            StringBuilder b = new StringBuilder("cross-entropy(");
            if (weights != null) {
                b.append("weight=[");
                for (int j = 0; j < weights.length; j++) {
                    b.append(j == 0 ? "" : ", ").append(weights[j]);
                }
                b.append(']');
            }
            if (smoothing != 0f) {
                b.append(weights != null ? ", " : "").append("label_smoothing=").append(smoothing);
            }
            return b.append(')').toString();
        }

        @Override
        double kernel(Kernels k, int rows, int cols, float[] a, int aOff, float[] y, int yOff, float[] g, int gOff) {
            return k.softmaxCrossEntropy(rows, cols, a, aOff, cols, y, yOff, cols, weights, 0, smoothing, g, gOff, cols);
        }

        @Override
        public void validateTargets(Matrix target) {
            SOFTMAX_CE.validateTargets(target);
            if (weights == null) {
                return;
            }
            if (target.cols() != weights.length) {
                throw new ShapeException(name(), weights.length + " classes (one weight each)", target.cols() + " classes");
            }
            float[] t = target.data();
            int cols = target.cols();
            for (int i = 0; i < target.rows(); i++) {
                for (int j = 0; j < cols; j++) {
                    float v = t[target.offset() + i * cols + j];
                    if (v != 0f && v != 1f) {
                        throw new IllegalArgumentException(name() + ": target row " + i + " is not one-hot (column " + j
                                + " is " + v + "); class weights follow PyTorch's class-index targets, which need one-hot rows");
                    }
                }
            }
        }
    }
}

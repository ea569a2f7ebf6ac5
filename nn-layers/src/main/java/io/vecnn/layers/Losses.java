package io.vecnn.layers;

import io.vecnn.api.Loss;
import io.vecnn.api.Matrix;
import io.vecnn.api.ShapeException;
import io.vecnn.kernels.Kernels;

import java.util.Locale;

/**
 * The built-in losses, each the mean over the batch of a per-sample loss, computed by one fused
 * kernel that also writes the gradient. Targets are validated before anything is written.
 */
public final class Losses {
    private Losses() {
    }

    /** Quadratic cost ½‖a − y‖² per sample (seed 004); gradient (a − y)/B. */
    public static Loss quadratic() {
        return QUADRATIC;
    }

    /**
     * Binary cross-entropy on logits z (the sigmoid is part of the loss, seed 002), in the stable form
     * max(z, 0) − z·y + ln(1 + e^−|z|), summed over outputs; gradient (σ(z) − y)/B. Targets in [0, 1].
     */
    public static Loss binaryCrossEntropyWithLogits() {
        return BCE;
    }

    /**
     * Softmax cross-entropy on logits (seed 003): −Σⱼ yⱼ log softmax(z)ⱼ per sample, gradient (ŷ − y)/B.
     * Target rows are distributions: non-negative, summing to 1 (one-hot for class labels).
     */
    public static Loss softmaxCrossEntropy() {
        return SOFTMAX_CE;
    }

    /**
     * The loss with this name: {@code quadratic}, {@code bce} ({@code binary-cross-entropy}) or
     * {@code softmax-cross-entropy} ({@code cross-entropy}).
     */
    public static Loss named(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "quadratic", "mse" -> QUADRATIC;
            case "bce", "binary-cross-entropy" -> BCE;
            case "softmax-cross-entropy", "cross-entropy" -> SOFTMAX_CE;
            default -> throw new IllegalArgumentException("unknown loss '" + name
                    + "'; known: quadratic, binary-cross-entropy, softmax-cross-entropy");
        };
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
}

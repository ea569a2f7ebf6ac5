package io.vecnn.api;

import io.vecnn.kernels.Kernels;

/**
 * A loss function over a batch: the mean over the rows of a per-sample loss between the model's
 * output (one row per sample) and the targets, and its gradient with respect to the output.
 *
 * <p>Implementations validate their arguments (shapes, batch sizes, target ranges) before writing
 * anything, are stateless and thread-safe.
 */
public interface Loss {
    /**
     * A short name, e.g. {@code "softmax-cross-entropy"}.
     *
     * @return the name
     */
    String name();

    /**
     * The mean loss over the batch, accumulated in double precision; if {@code gradient} is not null,
     * writes ∂(mean loss)/∂output to it (so it carries the 1/B factor).
     *
     * @param output   the model's output, B × n
     * @param target   the targets, B × n (one-hot rows for classification losses)
     * @param gradient null, or a B × n matrix to receive the gradient (may be {@code output} itself)
     * @param kernels  the kernels to compute with (the caller's workspace's)
     * @return the mean loss over the batch
     * @throws ShapeException           if the shapes differ or the batch is empty
     * @throws IllegalArgumentException if a target is outside the loss's domain
     */
    double compute(Matrix output, Matrix target, Matrix gradient, Kernels kernels);

    /**
     * {@link #compute(Matrix, Matrix, Matrix, Kernels)} on the default kernels ({@link
     * Kernels#get()}).
     *
     * @param output the model's output, B × n
     * @param target the targets, B × n
     * @param gradient null, or a B × n matrix to receive the gradient
     * @return the mean loss over the batch
     */
    default double compute(Matrix output, Matrix target, Matrix gradient) {
        return compute(output, target, gradient, Kernels.get());
    }

    /**
     * Checks that the targets lie in this loss's domain (for example [0, 1] for binary
     * cross-entropy), throwing {@link IllegalArgumentException} naming the first bad element.
     * The default accepts any finite value.
     *
     * @param target the targets, B × n
     */
    default void validateTargets(Matrix target) {
        int bad = target.firstNonFinite();
        if (bad >= 0) {
            throw new IllegalArgumentException(name() + ": target at row " + bad / target.cols()
                    + ", column " + bad % target.cols() + " is " + target.data()[target.offset() + bad]);
        }
    }
}

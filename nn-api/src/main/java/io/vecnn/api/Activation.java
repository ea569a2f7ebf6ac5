package io.vecnn.api;

import io.vecnn.kernels.Kernels;

import java.util.Objects;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * An activation function applied row by row to a layer's pre-activations z (one row per sample):
 * h = f(z), and in backward the vector-Jacobian product ∂L/∂z = J_f(z)ᵀ·∂L/∂h.
 *
 * <p>Most activations are element-wise ({@link Elementwise}): h = f(z) per element and
 * ∂L/∂z = ∂L/∂h ⊙ f′(z). Users define their own with {@link #elementwise}; they run on the plain
 * Java path. Built-in activations ({@code io.vecnn.layers.Activations}) run on the vector kernels.
 * Row-wise functions such as softmax implement this interface directly.
 *
 * <p>Implementations must be stateless and thread-safe: one instance serves every thread.
 */
public interface Activation {
    /**
     * A short name, e.g. {@code "relu"}.
     *
     * @return the name, as {@link Registry#activation} resolves it
     */
    String name();

    /**
     * h = f(z) for a batch. {@code z} and {@code h} have the same shape; {@code h} may be {@code z}
     * itself (in place) only if {@link #needsInput()} is false.
     *
     * @param z the pre-activations, B × n
     * @param h where the activations are written, B × n
     * @param kernels the caller's kernels (its workspace's), for activations that compute with them
     */
    void forward(Matrix z, Matrix h, Kernels kernels);

    /**
     * ∂L/∂z from ∂L/∂h, given the z and h of the forward pass. All four matrices have the same shape;
     * {@code gradZ} may be {@code gradH} (in place). If {@link #needsInput()} is false, {@code z} may
     * be the same matrix as {@code h}.
     *
     * @param z the pre-activations of the forward pass
     * @param h the activations of the forward pass
     * @param gradH ∂L/∂h
     * @param gradZ where ∂L/∂z is written
     * @param kernels the caller's kernels (its workspace's)
     */
    void backward(Matrix z, Matrix h, Matrix gradH, Matrix gradZ, Kernels kernels);

    /**
     * Whether backward needs z besides h. When false, layers may store h over z and save a buffer
     * (sigmoid, tanh and identity compute their derivative from h).
     *
     * @return true if {@link #backward} reads z
     */
    default boolean needsInput() {
        return true;
    }

    /**
     * An element-wise activation: h = f(z) and f′ per element. The default batch methods loop over
     * the elements on the plain Java path.
     */
    interface Elementwise extends Activation {
        /**
         * f(z).
         *
         * @param z the pre-activation
         * @return the activation
         */
        float apply(float z);

        /**
         * f′(z), given z and h = f(z) (either may be the cheaper to use).
         *
         * @param z the pre-activation
         * @param h f(z)
         * @return the derivative at z
         */
        float derivative(float z, float h);

        @Override
        default void forward(Matrix z, Matrix h, Kernels kernels) {
            float[] zd = z.data();
            float[] hd = h.data();
            int zo = z.offset();
            int ho = h.offset();
            for (int i = 0, n = z.size(); i < n; i++) {
                hd[ho + i] = apply(zd[zo + i]);
            }
        }

        @Override
        default void backward(Matrix z, Matrix h, Matrix gradH, Matrix gradZ, Kernels kernels) {
            float[] zd = z.data();
            float[] hd = h.data();
            float[] g = gradH.data();
            float[] d = gradZ.data();
            int zo = z.offset();
            int ho = h.offset();
            int go = gradH.offset();
            int dO = gradZ.offset();
            for (int i = 0, n = z.size(); i < n; i++) {
                d[dO + i] = g[go + i] * derivative(zd[zo + i], hd[ho + i]);
            }
        }
    }

    /**
     * A user-defined element-wise activation from f and f′, computed in double and rounded to float.
     *
     * @param name       a short name for summaries and messages
     * @param f          h = f(z)
     * @param derivative f′ as a function of (z, h)
     * @return the activation (not registered: register it to save models that use it)
     */
    static Elementwise elementwise(String name, DoubleUnaryOperator f, DoubleBinaryOperator derivative) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(f, "f");
        Objects.requireNonNull(derivative, "derivative");
        return new Elementwise() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public float apply(float z) {
                return (float) f.applyAsDouble(z);
            }

            @Override
            public float derivative(float z, float h) {
                return (float) derivative.applyAsDouble(z, h);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /**
     * A different element-wise activation for each unit (column): unit j of a layer with
     * {@code units.length} outputs uses {@code units[j]}. The layer's width must equal the number of
     * functions given.
     *
     * @param units one function per unit, in column order
     * @return the per-unit activation
     */
    static Activation perUnit(Elementwise... units) {
        Elementwise[] fs = units.clone();
        for (int j = 0; j < fs.length; j++) {
            Objects.requireNonNull(fs[j], "units[" + j + "]");
        }
        StringBuilder nm = new StringBuilder("per-unit(");
        for (int j = 0; j < fs.length; j++) {
            nm.append(j == 0 ? "" : ",").append(fs[j].name());
        }
        String name = nm.append(')').toString();
        return new Activation() {
            @Override
            public String name() {
                return name;
            }

            private void checkWidth(Matrix z) {
                if (z.cols() != fs.length) {
                    throw new ShapeException(name, "B×" + fs.length, z.shape());
                }
            }

            @Override
            public void forward(Matrix z, Matrix h, Kernels kernels) {
                checkWidth(z);
                float[] zd = z.data();
                float[] hd = h.data();
                int zo = z.offset();
                int ho = h.offset();
                int c = fs.length;
                for (int i = 0, n = z.size(); i < n; i++) {
                    hd[ho + i] = fs[i % c].apply(zd[zo + i]);
                }
            }

            @Override
            public void backward(Matrix z, Matrix h, Matrix gradH, Matrix gradZ, Kernels kernels) {
                checkWidth(z);
                float[] zd = z.data();
                float[] hd = h.data();
                float[] g = gradH.data();
                float[] d = gradZ.data();
                int zo = z.offset();
                int ho = h.offset();
                int go = gradH.offset();
                int dO = gradZ.offset();
                int c = fs.length;
                for (int i = 0, n = z.size(); i < n; i++) {
                    d[dO + i] = g[go + i] * fs[i % c].derivative(zd[zo + i], hd[ho + i]);
                }
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}

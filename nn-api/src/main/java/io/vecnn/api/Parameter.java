package io.vecnn.api;

import java.util.Objects;

/**
 * A trainable tensor: its name and values. Optimizers update {@link #value()} in place.
 *
 * <p>A parameter holds values only. Its gradient lives in the {@link Gradients} buffer of each
 * training workspace ({@link Model.Workspace#gradients()}), so several workspaces (replicas) can
 * train one model at once, each with its own gradients, while they share the values.
 *
 * <p>A parameter may carry a {@linkplain #mask() connectivity mask}: entries whose mask is 0 are
 * connections that do not exist. They hold 0 and layers keep their gradient at 0
 * ({@link #maskGradient}), so no optimizer moves them.
 */
public final class Parameter {
    private final String name;
    private final Matrix value;
    private final boolean[] mask;
    private volatile boolean trainable = true;

    /**
     * A parameter, optionally with a connectivity mask.
     *
     * @param name  a name unique within its model, e.g. {@code "dense1.weight"}
     * @param value the values (the parameter keeps this matrix, not a copy)
     * @param mask  null, or one flag per element ({@code value.size()} of them): false marks a missing
     *              connection, whose value is set to 0
     */
    public Parameter(String name, Matrix value, boolean[] mask) {
        this.name = Objects.requireNonNull(name, "name");
        this.value = Objects.requireNonNull(value, "value");
        if (mask != null) {
            if (mask.length != value.size()) {
                throw new IllegalArgumentException(name + ": the mask has " + mask.length
                        + " entries, the parameter " + value.size() + " (" + value.shape() + ")");
            }
            mask = mask.clone();
            float[] v = value.data();
            int o = value.offset();
            for (int i = 0; i < mask.length; i++) {
                if (!mask[i]) {
                    v[o + i] = 0f;
                }
            }
        }
        this.mask = mask;
    }

    /**
     * A parameter without a mask.
     *
     * @param name a name unique within its model
     * @param value the values (kept, not copied)
     */
    public Parameter(String name, Matrix value) {
        this(name, value, null);
    }

    /**
     * The name, unique within its model.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The values, updated in place by optimizers.
     *
     * @return the values
     */
    public Matrix value() {
        return value;
    }

    /**
     * The connectivity mask (a copy), or null if every entry is a connection.
     *
     * @return the mask, or null
     */
    public boolean[] mask() {
        return mask == null ? null : mask.clone();
    }

    /**
     * Whether a mask is set.
     *
     * @return true if a mask is set
     */
    public boolean hasMask() {
        return mask != null;
    }

    /**
     * Sets the masked-out entries of this parameter's gradient to 0; layers call it after
     * accumulating. No effect without a mask.
     *
     * @param gradient this parameter's gradient (same shape as the value)
     */
    public void maskGradient(Matrix gradient) {
        if (mask != null) {
            float[] g = gradient.data();
            int o = gradient.offset();
            for (int i = 0; i < mask.length; i++) {
                if (!mask[i]) {
                    g[o + i] = 0f;
                }
            }
        }
    }

    /**
     * Number of elements.
     *
     * @return the number of elements
     */
    public int size() {
        return value.size();
    }

    /**
     * Whether optimizers update this parameter (true unless {@link #freeze()} was called).
     *
     * @return true if trainable
     */
    public boolean trainable() {
        return trainable;
    }

    /** Excludes this parameter from optimizer updates (its gradient is still computed). */
    public void freeze() {
        trainable = false;
    }

    /** Makes this parameter trainable again. */
    public void unfreeze() {
        trainable = true;
    }

    @Override
    public String toString() {
        return name + " " + value.shape() + (mask != null ? " (masked)" : "") + (trainable ? "" : " (frozen)");
    }
}

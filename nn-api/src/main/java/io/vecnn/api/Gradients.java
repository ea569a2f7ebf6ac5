package io.vecnn.api;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One flat gradient buffer for a list of parameters (a model's {@link Model#parameters()}), with a
 * {@link Matrix} view per parameter. Each training workspace owns one, so replicas of a model
 * compute their gradients independently and a trainer sums them in a fixed order
 * ({@link #add}).
 *
 * <p>Parameter {@code i} occupies {@code buffer()[offset(i) .. offset(i) + size)}; each offset is a
 * multiple of 16 floats (a 64-byte cache line), and the padding between parameters is always 0. The
 * layout depends only on the parameter list, so buffers of replicas of one model can be summed,
 * copied or sent between processes as plain arrays.
 *
 * <p>Not thread-safe.
 */
public final class Gradients {
    private static final int ALIGN = 16;

    private final List<Parameter> parameters;
    private final float[] buffer;
    private final int[] offsets;
    private final Matrix[] views;
    private final Map<Parameter, Integer> index = new IdentityHashMap<>();

    /**
     * A zeroed buffer laid out for {@code parameters}, in that order.
     *
     * @param parameters the parameters whose gradients the buffer holds
     */
    public Gradients(List<Parameter> parameters) {
        this.parameters = List.copyOf(parameters);
        this.offsets = new int[this.parameters.size()];
        long total = 0;
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = (int) total;
            total += (this.parameters.get(i).size() + ALIGN - 1) / ALIGN * (long) ALIGN;
            if (total > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("the parameters hold more than " + (Integer.MAX_VALUE - 8)
                        + " values, more than one gradient buffer can");
            }
        }
        this.buffer = new float[(int) total];
        this.views = new Matrix[offsets.length];
        for (int i = 0; i < offsets.length; i++) {
            Parameter p = this.parameters.get(i);
            views[i] = Matrix.view(buffer, offsets[i], p.value().rows(), p.value().cols());
            if (index.put(p, i) != null) {
                throw new IllegalArgumentException("parameter " + p.name() + " appears twice");
            }
        }
    }

    /**
     * The parameters, in buffer order.
     *
     * @return the parameters (unmodifiable)
     */
    public List<Parameter> parameters() {
        return parameters;
    }

    /**
     * The flat buffer (shared, not a copy).
     *
     * @return the buffer holding every gradient
     */
    public float[] buffer() {
        return buffer;
    }

    /**
     * Where parameter {@code i}'s gradient starts in {@link #buffer()}.
     *
     * @param i the parameter's index
     * @return the offset of its first element
     */
    public int offset(int i) {
        return offsets[i];
    }

    /**
     * The gradient of parameter {@code i}: a view into the buffer, of the parameter's shape.
     *
     * @param i the parameter's index
     * @return its gradient, sharing the buffer
     */
    public Matrix get(int i) {
        return views[i];
    }

    /**
     * The gradient of {@code p}.
     *
     * @param p the parameter
     * @return its gradient, sharing the buffer
     * @throws IllegalArgumentException if {@code p} is not one of this buffer's parameters
     */
    public Matrix get(Parameter p) {
        Integer i = index.get(Objects.requireNonNull(p, "parameter"));
        if (i == null) {
            throw new IllegalArgumentException("parameter " + p.name() + " is not in this gradient buffer");
        }
        return views[i];
    }

    /** Sets every gradient to 0. */
    public void zero() {
        java.util.Arrays.fill(buffer, 0f);
    }

    /**
     * this ← this + other, element by element (the same layout is required).
     *
     * @param other the gradients to add
     */
    public void add(Gradients other) {
        requireSameLayout(other);
        float[] a = buffer;
        float[] b = other.buffer;
        for (int i = 0; i < a.length; i++) {
            a[i] += b[i];
        }
    }

    /**
     * this ← other.
     *
     * @param other the gradients to copy
     */
    public void copyFrom(Gradients other) {
        requireSameLayout(other);
        System.arraycopy(other.buffer, 0, buffer, 0, buffer.length);
    }

    /**
     * Multiplies every gradient by {@code factor}.
     *
     * @param factor the scale
     */
    public void scale(float factor) {
        float[] a = buffer;
        for (int i = 0; i < a.length; i++) {
            a[i] *= factor;
        }
    }

    /**
     * Whether {@code other} has this buffer's layout (same parameter sizes in the same order).
     *
     * @param other the buffer to compare with
     * @return true if the layouts match
     */
    public boolean sameLayout(Gradients other) {
        return other.buffer.length == buffer.length && java.util.Arrays.equals(other.offsets, offsets);
    }

    private void requireSameLayout(Gradients other) {
        if (!sameLayout(Objects.requireNonNull(other, "other"))) {
            throw new IllegalArgumentException("gradient buffers of different layouts (" + other.buffer.length + " and "
                    + buffer.length + " floats)");
        }
    }
}

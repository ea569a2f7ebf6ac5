package io.vecnn.api;

import java.util.Arrays;

/**
 * The shape of one sample, without the batch dimension: {@code Shape.of(784)} for a feature vector,
 * {@code Shape.of(1, 28, 28)} for a one-channel 28 × 28 image.
 *
 * <h2>Layout</h2>
 * A batch of B samples is a {@link Matrix} of B rows and {@link #size()} columns: batch first,
 * each sample row-major over its dimensions. Images are <b>NCHW</b>: a sample of shape
 * (C, H, W) stores channel c, row y, column x at column {@code (c·H + y)·W + x} of its row. NCHW is
 * what a GEMM-based convolution wants: per image, the weights (C_out × C_in·k·k) times the patch
 * matrix (C_in·k·k × H_out·W_out) writes the output image in NCHW directly, with no transposition,
 * and it is the layout of PyTorch and ONNX, so weights move between them unchanged.
 *
 * <p>Immutable; equal shapes are {@linkplain #equals equal}.
 */
public final class Shape {
    private final int[] dims;
    private final int size;

    private Shape(int[] dims) {
        long n = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 1) {
                throw new IllegalArgumentException("shape dimensions must be >= 1, got " + Arrays.toString(dims));
            }
            n *= dims[i];
            if (n > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has more elements than a Java array holds");
            }
        }
        this.dims = dims;
        this.size = (int) n;
    }

    /**
     * A shape of these dimensions (at least one, each ≥ 1).
     *
     * @param dims the dimensions
     * @return the shape
     */
    public static Shape of(int... dims) {
        if (dims == null || dims.length == 0) {
            throw new IllegalArgumentException("a shape needs at least one dimension");
        }
        return new Shape(dims.clone());
    }

    /**
     * An image shape (channels, height, width), NCHW.
     *
     * @param channels the number of channels
     * @param height the height
     * @param width the width
     * @return the shape
     */
    public static Shape image(int channels, int height, int width) {
        return new Shape(new int[] {channels, height, width});
    }

    /**
     * Parses {@link #toString()}'s form, {@code "784"} or {@code "1x28x28"} (also with {@code ×}).
     *
     * @param text the text form
     * @return the shape
     * @throws IllegalArgumentException naming the text if it is not a shape
     */
    public static Shape parse(String text) {
        String[] parts = text.trim().split("[x×]");
        int[] d = new int[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) {
                d[i] = Integer.parseInt(parts[i].trim());
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a shape (expected e.g. 784 or 1x28x28)");
        }
        return of(d);
    }

    /**
     * Number of dimensions.
     *
     * @return the rank
     */
    public int rank() {
        return dims.length;
    }

    /**
     * Dimension {@code i} (0-based).
     *
     * @param i the dimension's index
     * @return the dimension
     */
    public int dim(int i) {
        return dims[i];
    }

    /**
     * A copy of the dimensions.
     *
     * @return the dimensions
     */
    public int[] dims() {
        return dims.clone();
    }

    /**
     * Number of values per sample: the product of the dimensions.
     *
     * @return the size
     */
    public int size() {
        return size;
    }

    /**
     * Whether this is an image shape (rank 3: channels, height, width).
     *
     * @return true for rank 3
     */
    public boolean isImage() {
        return dims.length == 3;
    }

    /**
     * The channels of an image shape.
     *
     * @return the first dimension
     */
    public int channels() {
        requireImage();
        return dims[0];
    }

    /**
     * The height of an image shape.
     *
     * @return the second dimension
     */
    public int height() {
        requireImage();
        return dims[1];
    }

    /**
     * The width of an image shape.
     *
     * @return the third dimension
     */
    public int width() {
        requireImage();
        return dims[2];
    }

    private void requireImage() {
        if (dims.length != 3) {
            throw new IllegalStateException("shape " + this + " is not an image shape (channels × height × width)");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** The dimensions joined by {@code ×}, e.g. {@code "1×28×28"}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < dims.length; i++) {
            sb.append(i == 0 ? "" : "×").append(dims[i]);
        }
        return sb.toString();
    }
}

package io.vecnn.api;

/**
 * A growable buffer that hands out a {@code rows × cols} {@link Matrix} over its storage, reusing
 * both the array and the matrix object while the shape stays the same: the way layer states keep
 * their outputs without allocating per pass. Not thread-safe (it belongs to one state).
 */
public final class MatrixBuffer {
    private float[] data = new float[0];
    private Matrix matrix;

    /** An empty buffer. */
    public MatrixBuffer() {
    }

    /**
     * A {@code rows × cols} matrix over this buffer (growing it if needed). Its contents are whatever
     * the buffer held: the caller overwrites them.
     *
     * @param rows the number of rows
     * @param cols the number of columns
     * @return the matrix, valid until the next call
     */
    public Matrix get(int rows, int cols) {
        Matrix m = matrix;
        if (m != null && m.rows() == rows && m.cols() == cols) {
            return m;
        }
        long n = (long) rows * cols;
        if (data.length < n) {
            data = new float[Math.toIntExact(n)];
        }
        matrix = Matrix.wrap(rows, cols, data);
        return matrix;
    }
}

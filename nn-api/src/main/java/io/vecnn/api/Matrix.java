package io.vecnn.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * A float32 matrix stored row-major in a heap {@code float[]}: element (i, j) is
 * {@code data()[i * cols() + j]}. A batch of samples is a matrix with one sample per row.
 *
 * <p>The shape is fixed; the contents are mutable and shared with {@link #data()}, so kernels read
 * and write them without copies. The backing array may be longer than {@code rows × cols} (a
 * buffer reused for smaller batches); elements past {@code rows × cols} are not part of the matrix.
 * A matrix is not thread-safe for concurrent writes.
 */
public final class Matrix {
    private final int rows;
    private final int cols;
    private final float[] data;

    private Matrix(int rows, int cols, float[] data) {
        this.rows = rows;
        this.cols = cols;
        this.data = data;
    }

    /** A new {@code rows × cols} matrix of zeros. */
    public static Matrix zeros(int rows, int cols) {
        checkDims(rows, cols);
        return new Matrix(rows, cols, new float[Math.multiplyExact(rows, cols)]);
    }

    /**
     * A matrix over an existing array (no copy): its first {@code rows × cols} elements, row-major.
     *
     * @throws IllegalArgumentException if a dimension is negative or the array is too short
     */
    public static Matrix wrap(int rows, int cols, float[] data) {
        checkDims(rows, cols);
        Objects.requireNonNull(data, "data");
        long need = (long) rows * cols;
        if (data.length < need) {
            throw new IllegalArgumentException("a " + rows + "×" + cols + " matrix needs " + need
                    + " elements, the array has " + data.length);
        }
        return new Matrix(rows, cols, data);
    }

    /** A copy of a rectangular {@code float[rows][cols]} array. */
    public static Matrix of(float[][] values) {
        Objects.requireNonNull(values, "values");
        int r = values.length;
        int c = r == 0 ? 0 : values[0].length;
        Matrix m = zeros(r, c);
        for (int i = 0; i < r; i++) {
            if (values[i].length != c) {
                throw new IllegalArgumentException("row " + i + " has " + values[i].length
                        + " values, row 0 has " + c);
            }
            System.arraycopy(values[i], 0, m.data, i * c, c);
        }
        return m;
    }

    /** A {@code 1 × n} matrix holding a copy of {@code values}. */
    public static Matrix row(float... values) {
        return of(new float[][] {values.clone()});
    }

    private static void checkDims(int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("matrix dimensions must be >= 0, got " + rows + "×" + cols);
        }
        if ((long) rows * cols > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a " + rows + "×" + cols + " matrix exceeds the largest Java array");
        }
    }

    /** Number of rows (samples in a batch). */
    public int rows() {
        return rows;
    }

    /** Number of columns (features). */
    public int cols() {
        return cols;
    }

    /** {@code rows × cols}. */
    public int size() {
        return rows * cols;
    }

    /** The backing array, row-major, shared (not a copy). */
    public float[] data() {
        return data;
    }

    /** Element (i, j). */
    public float get(int i, int j) {
        return data[index(i, j)];
    }

    /** Sets element (i, j). */
    public void set(int i, int j, float value) {
        data[index(i, j)] = value;
    }

    private int index(int i, int j) {
        if (i < 0 || i >= rows || j < 0 || j >= cols) {
            throw new IndexOutOfBoundsException("(" + i + ", " + j + ") is outside a " + rows + "×" + cols + " matrix");
        }
        return i * cols + j;
    }

    /** A copy of row {@code i}. */
    public float[] rowCopy(int i) {
        index(i, 0);
        return Arrays.copyOfRange(data, i * cols, (i + 1) * cols);
    }

    /** A deep copy with a backing array of exactly {@code rows × cols}. */
    public Matrix copy() {
        return new Matrix(rows, cols, Arrays.copyOf(data, size()));
    }

    /** Copies {@code source}'s elements into this matrix; the shapes must be equal. */
    public void copyFrom(Matrix source) {
        if (source.rows != rows || source.cols != cols) {
            throw new ShapeException("copyFrom", shape(), source.shape());
        }
        System.arraycopy(source.data, 0, data, 0, size());
    }

    /** Sets every element to {@code value}. */
    public void fill(float value) {
        Arrays.fill(data, 0, size(), value);
    }

    /** {@code float[rows][cols]} copy of the contents. */
    public float[][] toArray() {
        float[][] out = new float[rows][];
        for (int i = 0; i < rows; i++) {
            out[i] = rowCopy(i);
        }
        return out;
    }

    /** The column of the largest element of row {@code i} (the first one on ties): a classifier's prediction. */
    public int argMax(int i) {
        index(i, 0);
        int o = i * cols;
        int arg = 0;
        for (int j = 1; j < cols; j++) {
            if (data[o + j] > data[o + arg]) {
                arg = j;
            }
        }
        return arg;
    }

    /** The index of the first element that is NaN or infinite, or -1 if all are finite. */
    public int firstNonFinite() {
        for (int i = 0, n = size(); i < n; i++) {
            if (!Float.isFinite(data[i])) {
                return i;
            }
        }
        return -1;
    }

    /** Whether the shape is {@code rows × cols}. */
    public boolean hasShape(int rows, int cols) {
        return this.rows == rows && this.cols == cols;
    }

    /** The shape as {@code "rows×cols"}. */
    public String shape() {
        return rows + "×" + cols;
    }

    /** Whether both matrices have the same shape and bit-identical elements. */
    public boolean contentEquals(Matrix other) {
        return other != null && rows == other.rows && cols == other.cols
                && Arrays.equals(data, 0, size(), other.data, 0, size());
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Matrix ").append(shape());
        if (size() <= 64) {
            sb.append(' ').append(Arrays.deepToString(toArray()));
        }
        return sb.toString();
    }
}

package io.vecnn.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * A float32 matrix stored row-major in a heap {@code float[]}: element (i, j) is
 * {@code data()[offset() + i * cols() + j]}. A batch of samples is a matrix with one sample per row
 * (a sample of a multi-dimensional {@link Shape} is flattened row-major into its row).
 *
 * <p>The shape is fixed; the contents are mutable and shared with {@link #data()}, so kernels read
 * and write them without copies. A matrix may be a {@linkplain #view view} into a larger array (one
 * parameter's gradient inside a workspace's flat gradient buffer), and the backing array may be
 * longer than {@code offset + rows × cols} (a buffer reused for smaller batches); elements outside
 * that range are not part of the matrix. A matrix is not thread-safe for concurrent writes.
 */
public final class Matrix {
    private final int rows;
    private final int cols;
    private final float[] data;
    private final int offset;

    private Matrix(int rows, int cols, float[] data, int offset) {
        this.rows = rows;
        this.cols = cols;
        this.data = data;
        this.offset = offset;
    }

    /**
     * A new {@code rows × cols} matrix of zeros.
     *
     * @param rows the number of rows
     * @param cols the number of columns
     * @return the new matrix
     */
    public static Matrix zeros(int rows, int cols) {
        checkDims(rows, cols);
        return new Matrix(rows, cols, new float[Math.multiplyExact(rows, cols)], 0);
    }

    /**
     * A matrix over an existing array (no copy): its first {@code rows × cols} elements, row-major.
     *
     * @param rows the number of rows
     * @param cols the number of columns
     * @param data the elements, row-major (kept, not copied)
     * @return the matrix over {@code data}
     * @throws IllegalArgumentException if a dimension is negative or the array is too short
     */
    public static Matrix wrap(int rows, int cols, float[] data) {
        return view(data, 0, rows, cols);
    }

    /**
     * A matrix over {@code data[offset .. offset + rows × cols)} (no copy).
     *
     * @param data the array holding the elements
     * @param offset the index of element (0, 0) in {@code data}
     * @param rows the number of rows
     * @param cols the number of columns
     * @return the view
     * @throws IllegalArgumentException if a dimension or the offset is negative or the range does not fit
     */
    public static Matrix view(float[] data, int offset, int rows, int cols) {
        checkDims(rows, cols);
        Objects.requireNonNull(data, "data");
        long need = (long) rows * cols;
        if (offset < 0 || data.length - (long) offset < need) {
            throw new IllegalArgumentException("a " + rows + "×" + cols + " matrix at offset " + offset + " needs "
                    + (offset + need) + " elements, the array has " + data.length);
        }
        return new Matrix(rows, cols, data, offset);
    }

    /**
     * A copy of a rectangular {@code float[rows][cols]} array.
     *
     * @param values the rows, all of the same length
     * @return the new matrix
     */
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

    /**
     * A {@code 1 × n} matrix holding a copy of {@code values}.
     *
     * @param values the elements
     * @return the new row
     */
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

    /**
     * Number of rows (samples in a batch).
     *
     * @return the number of rows
     */
    public int rows() {
        return rows;
    }

    /**
     * Number of columns (features).
     *
     * @return the number of columns
     */
    public int cols() {
        return cols;
    }

    /**
     * {@code rows × cols}.
     *
     * @return the number of elements
     */
    public int size() {
        return rows * cols;
    }

    /**
     * The backing array, row-major from {@link #offset()}, shared (not a copy).
     *
     * @return the backing array
     */
    public float[] data() {
        return data;
    }

    /**
     * The index in {@link #data()} of element (0, 0).
     *
     * @return the offset of the first element
     */
    public int offset() {
        return offset;
    }

    /**
     * Element (i, j).
     *
     * @param i the row
     * @param j the column
     * @return the element
     */
    public float get(int i, int j) {
        return data[index(i, j)];
    }

    /**
     * Sets element (i, j).
     *
     * @param i the row
     * @param j the column
     * @param value the new value
     */
    public void set(int i, int j, float value) {
        data[index(i, j)] = value;
    }

    private int index(int i, int j) {
        if (i < 0 || i >= rows || j < 0 || j >= cols) {
            throw new IndexOutOfBoundsException("(" + i + ", " + j + ") is outside a " + rows + "×" + cols + " matrix");
        }
        return offset + i * cols + j;
    }

    /**
     * A copy of row {@code i}.
     *
     * @param i the row
     * @return its elements, copied
     */
    public float[] rowCopy(int i) {
        int o = index(i, 0);
        return Arrays.copyOfRange(data, o, o + cols);
    }

    /**
     * Rows {@code from .. from + count)} as a view sharing this matrix's array (a shard of a batch).
     *
     * @param from the first row
     * @param count the number of rows
     * @return the view
     * @throws IndexOutOfBoundsException if the range is not inside the matrix
     */
    public Matrix rows(int from, int count) {
        if (from < 0 || count < 0 || from > rows - count) {
            throw new IndexOutOfBoundsException("rows " + from + ".." + (from + count) + " are outside a " + shape() + " matrix");
        }
        return new Matrix(count, cols, data, offset + from * cols);
    }

    /**
     * A deep copy with a backing array of exactly {@code rows × cols}.
     *
     * @return the copy
     */
    public Matrix copy() {
        return new Matrix(rows, cols, Arrays.copyOfRange(data, offset, offset + size()), 0);
    }

    /**
     * Copies {@code source}'s elements into this matrix; the shapes must be equal.
     *
     * @param source the matrix to copy from
     */
    public void copyFrom(Matrix source) {
        if (source.rows != rows || source.cols != cols) {
            throw new ShapeException("copyFrom", shape(), source.shape());
        }
        System.arraycopy(source.data, source.offset, data, offset, size());
    }

    /**
     * Sets every element to {@code value}.
     *
     * @param value the value
     */
    public void fill(float value) {
        Arrays.fill(data, offset, offset + size(), value);
    }

    /**
     * {@code float[rows][cols]} copy of the contents.
     *
     * @return the rows, copied
     */
    public float[][] toArray() {
        float[][] out = new float[rows][];
        for (int i = 0; i < rows; i++) {
            out[i] = rowCopy(i);
        }
        return out;
    }

    /**
     * The column of the largest element of row {@code i} (the first one on ties): a classifier's
     * prediction.
     *
     * @param i the row
     * @return the index of its largest element
     */
    public int argMax(int i) {
        int o = index(i, 0);
        int arg = 0;
        for (int j = 1; j < cols; j++) {
            if (data[o + j] > data[o + arg]) {
                arg = j;
            }
        }
        return arg;
    }

    /**
     * The row-major index (from 0, not counting the offset) of the first element that is NaN or
     * infinite, or -1.
     *
     * @return the index of the first non-finite element, or -1 if all are finite
     */
    public int firstNonFinite() {
        for (int i = 0, n = size(); i < n; i++) {
            if (!Float.isFinite(data[offset + i])) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Whether the shape is {@code rows × cols}.
     *
     * @param rows the expected number of rows
     * @param cols the expected number of columns
     * @return true if the shape matches
     */
    public boolean hasShape(int rows, int cols) {
        return this.rows == rows && this.cols == cols;
    }

    /**
     * The shape as {@code "rows×cols"}.
     *
     * @return the shape, for messages
     */
    public String shape() {
        return rows + "×" + cols;
    }

    /**
     * Whether both matrices have the same shape and bit-identical elements.
     *
     * @param other the matrix to compare with
     * @return true if the shapes and every element's bits are equal
     */
    public boolean contentEquals(Matrix other) {
        return other != null && rows == other.rows && cols == other.cols
                && Arrays.equals(data, offset, offset + size(), other.data, other.offset, other.offset + size());
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

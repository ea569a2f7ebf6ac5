package io.vecnn.kernels.internal;

/**
 * Argument validation shared by every entry point. Each failure names the argument and its value
 * and is thrown before anything is written.
 */
public final class Checks {
    private Checks() {
    }

    public static void nonNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + value);
        }
    }

    public static void finite(String name, float value) {
        if (!Float.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be finite, got " + value);
        }
    }

    public static void positive(String name, float value) {
        if (!(value > 0) || !Float.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be finite and > 0, got " + value);
        }
    }

    public static void inRange(String name, float value, float lo, float hiExclusive) {
        if (!(value >= lo && value < hiExclusive)) {
            throw new IllegalArgumentException(name + " must be in [" + lo + ", " + hiExclusive + "), got " + value);
        }
    }

    /**
     * A row-major matrix of {@code rows × cols} stored at {@code array[off + i*ld + j]}. The leading
     * dimension must be at least {@code max(1, cols)} and the array long enough for the last row.
     * An empty matrix may be null.
     */
    public static void matrix(String name, float[] array, int off, int rows, int cols, int ld) {
        // Messages are built only on failure: these checks run on every kernel call.
        if (rows < 0) {
            throw new IllegalArgumentException(name + " rows must be >= 0, got " + rows);
        }
        if (cols < 0) {
            throw new IllegalArgumentException(name + " columns must be >= 0, got " + cols);
        }
        leadingDimension(name, ld, cols);
        if (off < 0) {
            throw new IllegalArgumentException("offset of " + name + " must be >= 0, got " + off);
        }
        if (rows == 0 || cols == 0) {
            return;
        }
        if (array == null) {
            throw new IllegalArgumentException(name + " is null but has shape " + rows + "x" + cols);
        }
        long end = extentEnd(off, rows, cols, ld);
        if (end > array.length) {
            throw new IllegalArgumentException(name + " is too short: a " + rows + "x" + cols + " matrix at offset "
                    + off + " with leading dimension " + ld + " needs length >= " + end
                    + ", but its length is " + array.length);
        }
    }

    public static void leadingDimension(String name, int ld, int cols) {
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException("leading dimension of " + name + " is " + ld
                    + ", smaller than its column count " + cols + " (must be >= max(1, " + cols + "))");
        }
    }

    /** A contiguous vector of {@code n} elements at {@code array[off ..]}. */
    public static void vector(String name, float[] array, int off, int n) {
        matrix(name, array, off, n == 0 ? 0 : 1, n, Math.max(1, n));
    }

    public static void labels(String name, int[] labels, int off, int rows, int classes) {
        if (off < 0) {
            throw new IllegalArgumentException("offset of " + name + " must be >= 0, got " + off);
        }
        if (rows == 0) {
            return;
        }
        if (labels == null) {
            throw new IllegalArgumentException(name + " is null but " + rows + " rows need a label");
        }
        if ((long) off + rows > labels.length) {
            throw new IllegalArgumentException(name + " is too short: " + rows + " labels at offset " + off
                    + " need length >= " + ((long) off + rows) + ", but its length is " + labels.length);
        }
        for (int i = 0; i < rows; i++) {
            int label = labels[off + i];
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException(name + "[" + (off + i) + "] = " + label
                        + " is not a class index in [0, " + classes + ")");
            }
        }
    }

    /** One past the last element a matrix touches. */
    public static long extentEnd(int off, int rows, int cols, int ld) {
        return rows == 0 || cols == 0 ? off : (long) off + (long) (rows - 1) * ld + cols;
    }

    /**
     * Rejects an output whose storage range overlaps an input's in the same array. The test is on
     * the address ranges, so interleaved sub-matrices that share no element are rejected too: the
     * kernels read inputs while writing outputs and promise nothing for such layouts.
     */
    public static void noOverlap(String outName, float[] out, int outOff, int outRows, int outCols, int outLd,
                                 String inName, float[] in, int inOff, int inRows, int inCols, int inLd) {
        if (out == null || out != in || outRows == 0 || outCols == 0 || inRows == 0 || inCols == 0) {
            return;
        }
        long outEnd = extentEnd(outOff, outRows, outCols, outLd);
        long inEnd = extentEnd(inOff, inRows, inCols, inLd);
        if (outOff < inEnd && inOff < outEnd) {
            throw new IllegalArgumentException(outName + " (offset " + outOff + ") overlaps " + inName + " (offset "
                    + inOff + ") in the same array; the output must not alias this input");
        }
    }

    /**
     * For element-wise kernels: the output may be exactly the input (in place) but must not
     * overlap it at a different offset.
     */
    public static void sameOrDisjoint(String outName, float[] out, int outOff, String inName, float[] in, int inOff,
                                      int n) {
        if (out == null || out != in || n == 0 || outOff == inOff) {
            return;
        }
        if (outOff < (long) inOff + n && inOff < (long) outOff + n) {
            throw new IllegalArgumentException(outName + " (offset " + outOff + ") partially overlaps " + inName
                    + " (offset " + inOff + "); it must be the same range (in place) or disjoint");
        }
    }

    /** 2-D version of {@link #sameOrDisjoint}: identical layout in place, or disjoint ranges. */
    public static void sameOrDisjoint(String outName, float[] out, int outOff, int outLd,
                                      String inName, float[] in, int inOff, int inLd, int rows, int cols) {
        if (out == null || out != in || rows == 0 || cols == 0 || (outOff == inOff && outLd == inLd)) {
            return;
        }
        noOverlap(outName, out, outOff, rows, cols, outLd, inName, in, inOff, rows, cols, inLd);
    }
}

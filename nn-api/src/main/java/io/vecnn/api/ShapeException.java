package io.vecnn.api;

/**
 * A matrix of the wrong shape was given to a layer, loss, model or kernel. The message names where
 * ({@link #where()}: a layer name, a loss, an argument), the expected and the actual shape.
 */
public class ShapeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The layer, loss or argument that received the matrix. */
    private final String where;
    /** The expected shape. */
    private final String expected;
    /** The shape received. */
    private final String actual;

    /**
     * An exception naming where a matrix of the wrong shape was received.
     *
     * @param where    the layer, loss or argument that received the matrix
     * @param expected the expected shape, e.g. {@code "B×784"} or {@code "32×10"}
     * @param actual   the shape received
     */
    public ShapeException(String where, String expected, String actual) {
        super(where + ": expected shape " + expected + ", got " + actual);
        this.where = where;
        this.expected = expected;
        this.actual = actual;
    }

    /**
     * The layer, loss or argument that received the matrix.
     *
     * @return what received the matrix
     */
    public String where() {
        return where;
    }

    /**
     * The expected shape.
     *
     * @return the expected shape
     */
    public String expected() {
        return expected;
    }

    /**
     * The shape received.
     *
     * @return the shape received
     */
    public String actual() {
        return actual;
    }

    /**
     * Throws unless {@code m} has {@code cols} columns and at least one row.
     *
     * @param where what receives the matrix, for the message
     * @param what  the argument's name, for the message
     * @param m the matrix
     * @param cols the number of columns required
     */
    public static void requireBatch(String where, String what, Matrix m, int cols) {
        if (m == null) {
            throw new IllegalArgumentException(where + ": " + what + " is null");
        }
        if (m.cols() != cols || m.rows() == 0) {
            throw new ShapeException(where + " " + what, "B×" + cols + " with B >= 1", m.shape());
        }
    }

    /**
     * Throws unless {@code m} is exactly {@code rows × cols}.
     *
     * @param where what receives the matrix, for the message
     * @param what the argument's name, for the message
     * @param m the matrix
     * @param rows the number of rows required
     * @param cols the number of columns required
     */
    public static void requireShape(String where, String what, Matrix m, int rows, int cols) {
        if (m == null) {
            throw new IllegalArgumentException(where + ": " + what + " is null");
        }
        if (!m.hasShape(rows, cols)) {
            throw new ShapeException(where + " " + what, rows + "×" + cols, m.shape());
        }
    }
}

package io.vecnn.train;

import java.io.IOException;

/**
 * A data or checkpoint file is not what it claims to be: the message names the file and what is
 * wrong (and where: byte offset, line, column), e.g. {@code "train-labels: label 11 at item 7 is
 * outside 0..9"}.
 */
public class MalformedDataException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with this message.
     *
     * @param message names the file and the problem
     */
    public MalformedDataException(String message) {
        super(message);
    }

    /**
     * An exception with this message and the error that revealed the problem.
     *
     * @param message names the file and the problem
     * @param cause   the underlying error
     */
    public MalformedDataException(String message, Throwable cause) {
        super(message, cause);
    }
}

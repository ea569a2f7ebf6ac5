package io.vecnn.interop;

import java.io.IOException;

/** A file that does not follow its format; the message names the file and where. */
public class MalformedFileException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with this message.
     *
     * @param message names the file and the problem
     */
    public MalformedFileException(String message) {
        super(message);
    }

    /**
     * An exception with this message and the error that revealed the problem.
     *
     * @param message names the file and the problem
     * @param cause   the underlying error
     */
    public MalformedFileException(String message, Throwable cause) {
        super(message, cause);
    }
}

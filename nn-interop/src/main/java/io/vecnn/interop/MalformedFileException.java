package io.vecnn.interop;

import java.io.IOException;

/** A file that does not follow its format; the message names the file and where. */
public class MalformedFileException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param message names the file and the problem */
    public MalformedFileException(String message) {
        super(message);
    }

    /** @param message names the file and the problem */
    public MalformedFileException(String message, Throwable cause) {
        super(message, cause);
    }
}

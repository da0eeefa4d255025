package dev.depth.data;

import java.io.IOException;

/**
 * A file is not the IDX data it should be: a bad magic number or data type, impossible dimensions,
 * too little or too much data, corrupt compression, or dimensions other than a reader expected.
 * The message names the file, the byte offset where relevant, and what was expected.
 *
 * <p>Thread safety: immutable after construction, like every exception.
 */
public class IdxFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public IdxFormatException(String message) {
        super(message);
    }

    public IdxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

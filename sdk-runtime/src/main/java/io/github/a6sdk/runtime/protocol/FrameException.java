package io.github.a6sdk.runtime.protocol;

import java.io.IOException;

/** The byte stream broke mid-frame (truncated header or payload): the connection cannot go on. */
public final class FrameException extends IOException {
    private static final long serialVersionUID = 1L;

    public FrameException(String message) {
        super(message);
    }
}

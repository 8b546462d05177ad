package io.github.a6sdk.runtime.protocol;

/** A frame or FlatBuffers payload that cannot be decoded. The runner answers it with BAD_REQUEST. */
public final class DecodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DecodeException(String message) {
        super(message, null, false, false);
    }
}

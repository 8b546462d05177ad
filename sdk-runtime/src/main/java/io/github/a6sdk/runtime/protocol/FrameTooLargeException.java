package io.github.a6sdk.runtime.protocol;

/** A reply whose payload does not fit a frame's 3-byte length; the runner sends an error instead. */
public final class FrameTooLargeException extends Exception {
    private static final long serialVersionUID = 1L;

    public FrameTooLargeException(int length) {
        super("reply of " + length + " bytes exceeds the frame limit of " + Rpc.MAX_PAYLOAD + " bytes");
    }
}

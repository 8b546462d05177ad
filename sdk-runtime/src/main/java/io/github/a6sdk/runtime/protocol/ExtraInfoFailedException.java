package io.github.a6sdk.runtime.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * An ExtraInfo round trip failed (APISIX hung up or sent garbage) while a plugin waited for it. The
 * call cannot be answered; the connection is closed.
 */
public final class ExtraInfoFailedException extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    public ExtraInfoFailedException(IOException cause) {
        super("ExtraInfo round trip failed: " + cause.getMessage(), cause);
    }
}

package io.github.a6sdk.runtime.server;

import io.github.a6sdk.runtime.protocol.Encoder;
import io.github.a6sdk.runtime.protocol.Rpc;
import java.nio.ByteBuffer;

/** Frame bytes that do not depend on a call. */
final class Frames {
    /** SERVICE_UNAVAILABLE, written by the watchdog for a call it gave up on. */
    static final byte[] UNAVAILABLE = errorFrame(Rpc.ERR_SERVICE_UNAVAILABLE);
    /** The goodbye of a stopping runner (see {@link #appendGoodbye}): CONF_TOKEN_NOT_FOUND. */
    static final byte[] GOODBYE = errorFrame(Rpc.ERR_CONF_TOKEN_NOT_FOUND);

    private Frames() {}

    static byte[] errorFrame(int code) {
        Encoder e = new Encoder();
        e.error(code);
        ByteBuffer data = e.builder().dataBuffer();
        int len = data.remaining();
        byte[] frame = new byte[Rpc.HEADER_SIZE + len];
        frame[0] = (byte) Rpc.ERROR;
        frame[1] = (byte) (len >>> 16);
        frame[2] = (byte) (len >>> 8);
        frame[3] = (byte) len;
        data.get(frame, Rpc.HEADER_SIZE, len);
        return frame;
    }

    /**
     * Appends the goodbye of a stopping runner behind a connection's last reply, in the same write:
     * APISIX reads the reply, finds unread data, and so never puts the connection back into its
     * keepalive pool (a close alone can meet APISIX writing its next call on the pooled connection).
     *
     * <p>The goodbye is a CONF_TOKEN_NOT_FOUND error frame, because the same frame also retires
     * connections that are idle in APISIX's pool (sent on its own, see
     * {@code ServerConnection#sayGoodbye}): nginx drops a pooled connection that becomes readable,
     * and should APISIX take that connection for a call in the instant before it notices, it reads
     * the goodbye as the call's answer, and CONF_TOKEN_NOT_FOUND is the one answer on which APISIX
     * tries again, on another connection (docs/protocol.md 4.4), instead of failing the request.
     */
    static void appendGoodbye(CallHandler.Io io) {
        CallHandler.error(io, Rpc.ERR_CONF_TOKEN_NOT_FOUND);
    }

    /** The payload length in the header at {@code at} (absolute; the caller checked 4 bytes are there). */
    static int payloadLength(ByteBuffer b, int at) {
        return (b.get(at + 1) & 0xFF) << 16 | (b.get(at + 2) & 0xFF) << 8 | (b.get(at + 3) & 0xFF);
    }
}

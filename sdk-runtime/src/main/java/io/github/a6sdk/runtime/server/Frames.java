package io.github.a6sdk.runtime.server;

import io.github.a6sdk.runtime.protocol.Encoder;
import io.github.a6sdk.runtime.protocol.Rpc;
import java.nio.ByteBuffer;

/** Frame bytes that do not depend on a call. */
final class Frames {
    /** SERVICE_UNAVAILABLE, written by the watchdog for a call it gave up on. */
    static final byte[] UNAVAILABLE = errorFrame(Rpc.ERR_SERVICE_UNAVAILABLE);

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
     * Appends the goodbye of a draining runner: a SERVICE_UNAVAILABLE frame that leaves in the same
     * write as the connection's last reply. APISIX reads it with the reply, finds unread data, and so
     * never puts the connection back into its keepalive pool; closing it afterwards then races with
     * nothing (a close alone can meet APISIX writing the next call on the pooled connection).
     */
    static void appendGoodbye(CallHandler.Io io) {
        CallHandler.error(io, Rpc.ERR_SERVICE_UNAVAILABLE);
    }

    /** The payload length in the header at {@code at} (absolute; the caller checked 4 bytes are there). */
    static int payloadLength(ByteBuffer b, int at) {
        return (b.get(at + 1) & 0xFF) << 16 | (b.get(at + 2) & 0xFF) << 8 | (b.get(at + 3) & 0xFF);
    }
}

package io.github.a6sdk.benchmarks.load;

import com.google.flatbuffers.FlatBufferBuilder;
import io.github.api7.A6.TextEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Messages the load generator sends, built with the official generated classes
 * ({@code io.github.api7:A6:0.6.0-RELEASE}) on flatbuffers-java; their {@code ValidateVersion()} is
 * never called (docs/protocol.md section 11).
 */
public final class Wire {
    static final int ERROR = 0;
    static final int PREPARE_CONF = 1;
    static final int HTTP_REQ_CALL = 2;
    static final int EXTRA_INFO = 3;
    static final int HTTP_RESP_CALL = 4;

    private Wire() {}

    /** A finished payload, copied out of the builder (position 0, little-endian). */
    public static ByteBuffer finish(FlatBufferBuilder b, int root) {
        b.finish(root);
        ByteBuffer data = b.dataBuffer();
        ByteBuffer copy = ByteBuffer.allocateDirect(data.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(data.duplicate()).flip();
        return copy;
    }

    public static int entries(FlatBufferBuilder b, List<String[]> entries) {
        int[] offs = new int[entries.size()];
        for (int i = 0; i < offs.length; i++) {
            String[] e = entries.get(i);
            int n = b.createString(e[0]);
            int v = e[1] == null ? 0 : b.createString(e[1]);
            offs[i] = TextEntry.createTextEntry(b, n, v);
        }
        b.startVector(4, offs.length, 4);
        for (int i = offs.length - 1; i >= 0; i--) {
            b.addOffset(offs[i]);
        }
        return b.endVector();
    }

    public static ByteBuffer prepareConfReq(String key, List<String[]> conf) {
        FlatBufferBuilder b = new FlatBufferBuilder(256);
        int c = conf == null || conf.isEmpty() ? 0 : entries(b, conf);
        int k = b.createString(key);
        return finish(b, io.github.api7.A6.PrepareConf.Req.createReq(b, c, k));
    }

    /**
     * Sends one PrepareConf on its own short connection, as APISIX does, and closes it right after
     * the first reply (the official runner answers each PrepareConf twice). Returns the token.
     */
    public static long prepareConf(Path socket, String key, List<String[]> conf) throws IOException {
        ByteBuffer req = prepareConfReq(key, conf);
        try (FrameConn c = FrameConn.connect(socket)) {
            c.write(PREPARE_CONF, req);
            int t = c.read();
            if (t != PREPARE_CONF) {
                throw new IOException("PrepareConf " + key + " answered with frame type " + t + describeError(t, c.payload()));
            }
            io.github.api7.A6.PrepareConf.Resp r = io.github.api7.A6.PrepareConf.Resp.getRootAsResp(c.payload());
            return r.confToken();
        }
    }

    public static String describeError(int type, ByteBuffer payload) {
        if (type != ERROR) {
            return "";
        }
        try {
            return " (error code " + io.github.api7.A6.Err.Resp.getRootAsResp(payload).code() + ")";
        } catch (RuntimeException e) {
            return " (undecodable error)";
        }
    }

    /**
     * An HTTPReqCall.Req template with the id field always present (force-defaults), so that the
     * id can be patched in place for each call; see {@link #idPosition}.
     */
    public static ByteBuffer reqCall(long token, byte[] srcIp, int method, String path, List<String[]> args,
            List<String[]> headers) {
        FlatBufferBuilder b = new FlatBufferBuilder(1024 + headers.size() * 48);
        b.forceDefaults(true);
        int ip = b.createByteVector(srcIp);
        int p = b.createString(path);
        int a = args.isEmpty() ? 0 : entries(b, args);
        int h = headers.isEmpty() ? 0 : entries(b, headers);
        return finish(b, io.github.api7.A6.HTTPReqCall.Req.createReq(b, 1, ip, method, p, a, h, token));
    }

    public static ByteBuffer respCall(long token, int status, List<String[]> headers) {
        FlatBufferBuilder b = new FlatBufferBuilder(1024);
        b.forceDefaults(true);
        int h = headers.isEmpty() ? 0 : entries(b, headers);
        return finish(b, io.github.api7.A6.HTTPRespCall.Req.createReq(b, 1, status, h, token));
    }

    /** Absolute position of the root table's first field (the uint32 {@code id} in both call requests). */
    public static int idPosition(ByteBuffer payload) {
        int table = payload.getInt(0);
        int vtable = table - payload.getInt(table);
        int off = payload.getShort(vtable + 4) & 0xFFFF;
        if (off == 0) {
            throw new IllegalStateException("id field missing from template");
        }
        return table + off;
    }

    public static ByteBuffer extraInfoAnswer(byte[] result) {
        FlatBufferBuilder b = new FlatBufferBuilder(64 + (result == null ? 0 : result.length));
        int r = result == null ? 0 : b.createByteVector(result);
        return finish(b, io.github.api7.A6.ExtraInfo.Resp.createResp(b, r));
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

package io.github.a6sdk.runtime;

import com.google.flatbuffers.FlatBufferBuilder;
import io.github.a6sdk.runtime.fbs.A6.TextEntry;
import java.nio.charset.StandardCharsets;

/** Builds APISIX-side payloads with our generated classes, for raw-socket tests. */
public final class Frames {
    private Frames() {}

    /** Entries from alternating names and values ({@code null} value = absent). */
    public static int entries(FlatBufferBuilder b, String... pairs) {
        int[] offs = new int[pairs.length / 2];
        for (int i = 0; i < offs.length; i++) {
            int n = b.createString(pairs[2 * i]);
            int v = pairs[2 * i + 1] == null ? 0 : b.createString(pairs[2 * i + 1]);
            offs[i] = TextEntry.createTextEntry(b, n, v);
        }
        b.startVector(4, offs.length, 4);
        for (int i = offs.length - 1; i >= 0; i--) {
            b.addOffset(offs[i]);
        }
        return b.endVector();
    }

    public static byte[] prepareConf(String key, String... conf) {
        FlatBufferBuilder b = new FlatBufferBuilder();
        int c = entries(b, conf);
        int k = b.createString(key);
        b.finish(io.github.a6sdk.runtime.fbs.A6.PrepareConf.Req.createReq(b, c, k));
        return b.sizedByteArray();
    }

    /** An HTTPReqCall from 127.0.0.1, GET {@code path}, with the given headers. */
    public static byte[] call(long id, long token, String path, String... headers) {
        FlatBufferBuilder b = new FlatBufferBuilder();
        int ip = b.createByteVector(new byte[] {127, 0, 0, 1});
        int p = b.createString(path);
        int h = headers.length == 0 ? 0 : entries(b, headers);
        b.finish(io.github.a6sdk.runtime.fbs.A6.HTTPReqCall.Req.createReq(b, id, ip, 0, p, 0, h, token));
        return b.sizedByteArray();
    }

    public static byte[] respCall(long id, long token, int status, String... headers) {
        FlatBufferBuilder b = new FlatBufferBuilder();
        int h = headers.length == 0 ? 0 : entries(b, headers);
        b.finish(io.github.a6sdk.runtime.fbs.A6.HTTPRespCall.Req.createReq(b, id, status, h, token));
        return b.sizedByteArray();
    }

    /** An ExtraInfo answer; {@code null} = absent result. */
    public static byte[] answer(byte[] result) {
        FlatBufferBuilder b = new FlatBufferBuilder();
        int r = result == null ? 0 : b.createByteVector(result);
        b.finish(io.github.a6sdk.runtime.fbs.A6.ExtraInfo.Resp.createResp(b, r));
        return b.sizedByteArray();
    }

    public static byte[] answer(String result) {
        return answer(result == null ? null : result.getBytes(StandardCharsets.UTF_8));
    }
}

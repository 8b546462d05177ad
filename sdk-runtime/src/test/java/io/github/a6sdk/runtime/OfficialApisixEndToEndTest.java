package io.github.a6sdk.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.flatbuffers.FlatBufferBuilder;
import io.github.a6sdk.runtime.protocol.Rpc;
import io.github.api7.A6.TextEntry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real runner against a client that builds and reads every message with the official generated
 * classes ({@code io.github.api7:A6:0.6.0-RELEASE}), as the official Java runner's peer would.
 */
@Timeout(30)
class OfficialApisixEndToEndTest {
    @TempDir Path dir;
    TestRunner runner;

    @BeforeEach
    void start() throws Exception {
        runner = TestRunner.start(dir,
                TestDescriptor.request("rewrite", (config, req, resp) -> {
                    req.setPath(req.path() + "/v2");
                    req.headers().set("X-User", req.var("remote_user"));
                    req.headers().remove("x-drop");
                    req.args().set("lang", req.args().get("lang") == null ? "en" : req.args().get("lang") + "!");
                    req.responseHeaders().set("X-Runner", "a6");
                    req.setBody("ignored by their 4-slot Rewrite");
                }).prefetch(false, false, "remote_user"),
                TestDescriptor.request("deny", (config, req, resp) -> {
                    resp.setStatus(403);
                    resp.addHeader("X-Reason", "a");
                    resp.addHeader("X-Reason", "b");
                    resp.setBody(new String(req.body(), StandardCharsets.UTF_8).toUpperCase());
                }),
                TestDescriptor.response("resp", (config, up) -> {
                    up.setStatus(up.status() + 1);
                    up.headers().add("X-From", new String(up.body(), StandardCharsets.UTF_8));
                }));
    }

    @AfterEach
    void stop() {
        runner.close();
    }

    static int entries(FlatBufferBuilder b, String... pairs) {
        int[] offs = new int[pairs.length / 2];
        for (int i = 0; i < offs.length; i++) {
            int n = b.createString(pairs[2 * i]);
            int v = pairs[2 * i + 1] == null ? 0 : b.createString(pairs[2 * i + 1]);
            offs[i] = TextEntry.createTextEntry(b, n, v);
        }
        return io.github.api7.A6.PrepareConf.Req.createConfVector(b, offs);
    }

    static List<String> list(int count, java.util.function.IntFunction<TextEntry> at) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            TextEntry e = at.apply(i);
            out.add(e.value() == null ? e.name() : e.name() + "=" + e.value());
        }
        return out;
    }

    long prepare(RawConnection raw, String name) throws Exception {
        FlatBufferBuilder b = new FlatBufferBuilder();
        int conf = entries(b, name, "");
        int key = b.createString("route#1#ext-plugin-pre-req#1");
        b.finish(io.github.api7.A6.PrepareConf.Req.createReq(b, conf, key));
        raw.send(Rpc.PREPARE_CONF, b);
        RawConnection.Frame f = raw.read();
        assertEquals(Rpc.PREPARE_CONF, f.type());
        return io.github.api7.A6.PrepareConf.Resp.getRootAsResp(f.payload()).confToken();
    }

    /** Answers one ExtraInfo question the official way, checking what was asked. */
    void answer(RawConnection raw, byte expectedType, String expectedVar, byte[] result) throws Exception {
        RawConnection.Frame q = raw.read();
        assertEquals(Rpc.EXTRA_INFO, q.type());
        io.github.api7.A6.ExtraInfo.Req req = io.github.api7.A6.ExtraInfo.Req.getRootAsReq(q.payload());
        assertEquals(expectedType, req.infoType());
        if (expectedVar != null) {
            io.github.api7.A6.ExtraInfo.Var var = (io.github.api7.A6.ExtraInfo.Var) req.info(new io.github.api7.A6.ExtraInfo.Var());
            assertEquals(expectedVar, var.name());
        }
        FlatBufferBuilder b = new FlatBufferBuilder();
        int r = result == null ? 0 : io.github.api7.A6.ExtraInfo.Resp.createResultVector(b, result);
        b.finish(io.github.api7.A6.ExtraInfo.Resp.createResp(b, r));
        raw.send(Rpc.EXTRA_INFO, b);
    }

    @Test
    void rewriteRoundTrip() throws Exception {
        try (RawConnection raw = runner.raw()) {
            long token = prepare(raw, "rewrite");
            FlatBufferBuilder b = new FlatBufferBuilder();
            int ip = io.github.api7.A6.HTTPReqCall.Req.createSrcIpVector(b, new byte[] {10, 0, 0, 1});
            int path = b.createString("/api");
            int args = entries(b, "lang", "de", "flag", null);
            int headers = entries(b, "host", "example.com", "x-drop", "1");
            b.finish(io.github.api7.A6.HTTPReqCall.Req.createReq(b, 4242, ip, io.github.api7.A6.Method.POST, path,
                    args, headers, token));
            raw.send(Rpc.HTTP_REQ_CALL, b);
            answer(raw, io.github.api7.A6.ExtraInfo.Info.Var, "remote_user", "alice".getBytes(StandardCharsets.UTF_8));

            RawConnection.Frame f = raw.read();
            assertEquals(Rpc.HTTP_REQ_CALL, f.type());
            io.github.api7.A6.HTTPReqCall.Resp resp = io.github.api7.A6.HTTPReqCall.Resp.getRootAsResp(f.payload());
            assertEquals(4242, resp.id());
            assertEquals(io.github.api7.A6.HTTPReqCall.Action.Rewrite, resp.actionType());
            io.github.api7.A6.HTTPReqCall.Rewrite rw =
                    (io.github.api7.A6.HTTPReqCall.Rewrite) resp.action(new io.github.api7.A6.HTTPReqCall.Rewrite());
            assertEquals("/api/v2", rw.path());
            assertEquals(List.of("X-User=alice", "x-drop"), list(rw.headersLength(), rw::headers));
            assertEquals(List.of("lang=de!"), list(rw.argsLength(), rw::args));
            assertEquals(List.of("X-Runner=a6"), list(rw.respHeadersLength(), rw::respHeaders));
        }
    }

    @Test
    void stopRoundTripWithBodyFromExtraInfo() throws Exception {
        try (RawConnection raw = runner.raw()) {
            long token = prepare(raw, "deny");
            FlatBufferBuilder b = new FlatBufferBuilder();
            io.github.api7.A6.HTTPReqCall.Req.startReq(b);
            io.github.api7.A6.HTTPReqCall.Req.addConfToken(b, token);
            b.finish(io.github.api7.A6.HTTPReqCall.Req.endReq(b)); // id, method, path... all absent
            raw.send(Rpc.HTTP_REQ_CALL, b);
            answer(raw, io.github.api7.A6.ExtraInfo.Info.ReqBody, null, "payload".getBytes(StandardCharsets.UTF_8));

            RawConnection.Frame f = raw.read();
            io.github.api7.A6.HTTPReqCall.Resp resp = io.github.api7.A6.HTTPReqCall.Resp.getRootAsResp(f.payload());
            assertEquals(0, resp.id());
            assertEquals(io.github.api7.A6.HTTPReqCall.Action.Stop, resp.actionType());
            io.github.api7.A6.HTTPReqCall.Stop stop =
                    (io.github.api7.A6.HTTPReqCall.Stop) resp.action(new io.github.api7.A6.HTTPReqCall.Stop());
            assertEquals(403, stop.status());
            assertEquals(List.of("X-Reason=a", "X-Reason=b"), list(stop.headersLength(), stop::headers));
            ByteBuffer body = stop.bodyAsByteBuffer();
            assertEquals("PAYLOAD", StandardCharsets.UTF_8.decode(body).toString());
        }
    }

    @Test
    void responseRoundTrip() throws Exception {
        try (RawConnection raw = runner.raw()) {
            long token = prepare(raw, "resp");
            FlatBufferBuilder b = new FlatBufferBuilder();
            int headers = entries(b, "Content-Type", "text/plain", "Content-Length", "2");
            b.finish(io.github.api7.A6.HTTPRespCall.Req.createReq(b, 9, 200, headers, token));
            raw.send(Rpc.HTTP_RESP_CALL, b);
            answer(raw, io.github.api7.A6.ExtraInfo.Info.RespBody, null, "up".getBytes(StandardCharsets.UTF_8));

            RawConnection.Frame f = raw.read();
            assertEquals(Rpc.HTTP_RESP_CALL, f.type());
            io.github.api7.A6.HTTPRespCall.Resp resp = io.github.api7.A6.HTTPRespCall.Resp.getRootAsResp(f.payload());
            assertEquals(9, resp.id());
            assertEquals(201, resp.status());
            assertEquals(List.of("Content-Type=text/plain", "X-From=up"), list(resp.headersLength(), resp::headers));
            assertNull(resp.bodyAsByteBuffer());
        }
    }

    @Test
    void errorsReadByTheOfficialClasses() throws Exception {
        try (RawConnection raw = runner.raw()) {
            FlatBufferBuilder b = new FlatBufferBuilder();
            b.finish(io.github.api7.A6.HTTPReqCall.Req.createReq(b, 1, 0, 0, 0, 0, 0, 999_999));
            raw.send(Rpc.HTTP_REQ_CALL, b);
            RawConnection.Frame f = raw.read();
            assertEquals(Rpc.ERROR, f.type());
            assertEquals(io.github.api7.A6.Err.Code.CONF_TOKEN_NOT_FOUND, io.github.api7.A6.Err.Resp.getRootAsResp(f.payload()).code());

            raw.send(Rpc.HTTP_REQ_CALL, new byte[] {1, 2, 3, 4, 5});
            f = raw.read();
            assertEquals(Rpc.ERROR, f.type());
            assertEquals(io.github.api7.A6.Err.Code.BAD_REQUEST, io.github.api7.A6.Err.Resp.getRootAsResp(f.payload()).code());
            // A payload is never empty, even for code 0 (which a builder leaves out of the table).
            assertEquals(true, f.length() >= 8);
        }
    }
}

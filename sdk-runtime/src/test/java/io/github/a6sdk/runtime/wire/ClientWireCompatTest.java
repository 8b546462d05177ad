package io.github.a6sdk.runtime.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.flatbuffers.FlatBufferBuilder;
import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.client.Reply;
import io.github.a6sdk.runtime.protocol.Rpc;
import io.github.api7.A6.TextEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The APISIX side of our code ({@link ApisixClient}) against a peer that speaks with the official
 * generated classes: what our client sends is read by theirs, and what theirs build is read by ours.
 */
@Timeout(20)
class ClientWireCompatTest {
    @TempDir Path dir;

    private static int officialEntries(FlatBufferBuilder b, String... pairs) {
        int[] offs = new int[pairs.length / 2];
        for (int i = 0; i < offs.length; i++) {
            int n = b.createString(pairs[2 * i]);
            int v = pairs[2 * i + 1] == null ? 0 : b.createString(pairs[2 * i + 1]);
            offs[i] = TextEntry.createTextEntry(b, n, v);
        }
        return io.github.api7.A6.HTTPReqCall.Stop.createHeadersVector(b, offs);
    }

    private static List<String> entries(int count, java.util.function.IntFunction<TextEntry> at) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            TextEntry e = at.apply(i);
            out.add(e.value() == null ? e.name() : e.name() + "=" + e.value());
        }
        return out;
    }

    @Test
    void prepareConf() throws Exception {
        Path sock = dir.resolve("peer.sock");
        try (ScriptedPeer peer = new ScriptedPeer(sock, (type, payload) -> {
                    FlatBufferBuilder b = new FlatBufferBuilder();
                    b.finish(io.github.api7.A6.PrepareConf.Resp.createResp(b, 0xFFFF_FFFEL));
                    return List.of(ScriptedPeer.frame(Rpc.PREPARE_CONF, b));
                });
                ApisixClient client = ApisixClient.connect(sock)) {
            Reply r = client.prepareConf("route#9#ext-plugin-post-req#3",
                    List.of(Field.of("a", "{}"), Field.of("b", ""), Field.of("c", null)));
            assertEquals(0xFFFF_FFFEL, assertInstanceOf(Reply.Token.class, r).token());

            Reply absent = client.prepareConf("k", null);
            assertInstanceOf(Reply.Token.class, absent);

            assertEquals(2, peer.received.size());
            ScriptedPeer.Received first = peer.received.get(0);
            assertEquals(Rpc.PREPARE_CONF, first.type());
            io.github.api7.A6.PrepareConf.Req req = io.github.api7.A6.PrepareConf.Req.getRootAsReq(first.payload());
            assertEquals("route#9#ext-plugin-post-req#3", req.key());
            assertEquals(List.of("a={}", "b=", "c"), entries(req.confLength(), req::conf));
            io.github.api7.A6.PrepareConf.Req second =
                    io.github.api7.A6.PrepareConf.Req.getRootAsReq(peer.received.get(1).payload());
            assertEquals(0, second.confLength());
            assertNull(second.confVector(), "no conf: the vector is absent");
        }
    }

    @Test
    void httpReqCallAndEveryOfficialReply() throws Exception {
        Path sock = dir.resolve("peer.sock");
        int[] step = {0};
        byte[] body = {1, 2, 3, (byte) 0xFF};
        try (ScriptedPeer peer = new ScriptedPeer(sock, (type, payload) -> {
                    FlatBufferBuilder b = new FlatBufferBuilder();
                    switch (step[0]++) {
                        case 0: {
                            int h = officialEntries(b, "X-Same", "one", "X-Same", "two", "X-Clear", null);
                            int bd = io.github.api7.A6.HTTPReqCall.Stop.createBodyVector(b, body);
                            int stop = io.github.api7.A6.HTTPReqCall.Stop.createStop(b, 418, h, bd);
                            b.finish(io.github.api7.A6.HTTPReqCall.Resp.createResp(b, 5,
                                    io.github.api7.A6.HTTPReqCall.Action.Stop, stop));
                            break;
                        }
                        case 1: {
                            int p = b.createString("/rewritten");
                            int h = officialEntries(b, "x-del", null, "host", "h.example");
                            int a = officialEntries(b, "a", "1", "a", "2", "gone", null);
                            int rh = officialEntries(b, "x-resp", "v");
                            int rw = io.github.api7.A6.HTTPReqCall.Rewrite.createRewrite(b, p, h, a, rh);
                            b.finish(io.github.api7.A6.HTTPReqCall.Resp.createResp(b, 6,
                                    io.github.api7.A6.HTTPReqCall.Action.Rewrite, rw));
                            break;
                        }
                        case 2:
                            io.github.api7.A6.HTTPReqCall.Resp.startResp(b);
                            b.finish(io.github.api7.A6.HTTPReqCall.Resp.endResp(b));
                            break;
                        case 3: {
                            b.finish(io.github.api7.A6.Err.Resp.createResp(b, io.github.api7.A6.Err.Code.CONF_TOKEN_NOT_FOUND));
                            return List.of(ScriptedPeer.frame(Rpc.ERROR, b));
                        }
                        default: {
                            io.github.api7.A6.Err.Resp.startResp(b);
                            b.finish(io.github.api7.A6.Err.Resp.endResp(b));
                            return List.of(ScriptedPeer.frame(Rpc.ERROR, b));
                        }
                    }
                    return List.of(ScriptedPeer.frame(Rpc.HTTP_REQ_CALL, b));
                });
                ApisixClient client = ApisixClient.connect(sock)) {
            CallRequest req = new CallRequest().id(0xFFFF_FFFFL).method("DELETE").path("/p/q").sourceIp("::1")
                    .header("x-h", "1").header("x-h", "2").header("x-empty", "")
                    .arg("flag", null).arg("y", "");

            Reply.Stop stop = assertInstanceOf(Reply.Stop.class, client.call(77, req, new ExtraInfoAnswers()));
            assertEquals(5, stop.id());
            assertEquals(418, stop.status());
            assertEquals(List.of("one", "two"), stop.header("x-same"));
            assertEquals(List.of(Field.of("X-Same", "one"), Field.of("X-Same", "two"), Field.of("X-Clear", null)),
                    stop.headers());
            assertArrayEquals(body, stop.body());

            Reply.Rewrite rw = assertInstanceOf(Reply.Rewrite.class, client.call(77, req, new ExtraInfoAnswers()));
            assertEquals(6, rw.id());
            assertEquals("/rewritten", rw.path());
            assertEquals(List.of(Field.of("x-del", null), Field.of("host", "h.example")), rw.headers());
            assertEquals(List.of(Field.of("a", "1"), Field.of("a", "2"), Field.of("gone", null)), rw.args());
            assertEquals(List.of(Field.of("x-resp", "v")), rw.respHeaders());
            assertNull(rw.body(), "their 4-slot Rewrite has no body");

            Reply.Pass pass = assertInstanceOf(Reply.Pass.class, client.call(77, req, new ExtraInfoAnswers()));
            assertEquals(0, pass.id(), "absent id reads as 0");

            assertEquals(new Reply.Error(2), client.call(77, req, new ExtraInfoAnswers()));
            assertEquals(new Reply.Error(0), client.call(77, req, new ExtraInfoAnswers()), "absent code = BAD_REQUEST");

            io.github.api7.A6.HTTPReqCall.Req sent =
                    io.github.api7.A6.HTTPReqCall.Req.getRootAsReq(peer.received.get(0).payload());
            assertEquals(0xFFFF_FFFFL, sent.id());
            assertEquals(77, sent.confToken());
            assertEquals(io.github.api7.A6.Method.DELETE, sent.method());
            assertEquals("/p/q", sent.path());
            assertEquals(16, sent.srcIpLength());
            assertEquals(1, sent.srcIp(15));
            assertEquals(List.of("x-h=1", "x-h=2", "x-empty="), entries(sent.headersLength(), sent::headers));
            assertEquals(List.of("flag", "y="), entries(sent.argsLength(), sent::args));
        }
    }

    @Test
    void extraInfoQuestionsFromTheOfficialClassesAreAnsweredAsApisixDoes() throws Exception {
        Path sock = dir.resolve("peer.sock");
        int[] step = {0};
        try (ScriptedPeer peer = new ScriptedPeer(sock, (type, payload) -> {
                    FlatBufferBuilder b = new FlatBufferBuilder();
                    int s = step[0]++;
                    if (s < 4) {
                        int info;
                        byte infoType;
                        if (s == 0) {
                            info = io.github.api7.A6.ExtraInfo.Var.createVar(b, b.createString("remote_addr"));
                            infoType = io.github.api7.A6.ExtraInfo.Info.Var;
                        } else if (s == 1) {
                            info = io.github.api7.A6.ExtraInfo.Var.createVar(b, b.createString("missing"));
                            infoType = io.github.api7.A6.ExtraInfo.Info.Var;
                        } else if (s == 2) {
                            io.github.api7.A6.ExtraInfo.ReqBody.startReqBody(b);
                            info = io.github.api7.A6.ExtraInfo.ReqBody.endReqBody(b);
                            infoType = io.github.api7.A6.ExtraInfo.Info.ReqBody;
                        } else {
                            io.github.api7.A6.ExtraInfo.RespBody.startRespBody(b);
                            info = io.github.api7.A6.ExtraInfo.RespBody.endRespBody(b);
                            infoType = io.github.api7.A6.ExtraInfo.Info.RespBody;
                        }
                        b.finish(io.github.api7.A6.ExtraInfo.Req.createReq(b, infoType, info));
                        return List.of(ScriptedPeer.frame(Rpc.EXTRA_INFO, b));
                    }
                    int headers = officialEntries(b, "Content-Type", "text/html");
                    int bd = io.github.api7.A6.HTTPRespCall.Resp.createBodyVector(b, "<p>".getBytes(StandardCharsets.UTF_8));
                    b.finish(io.github.api7.A6.HTTPRespCall.Resp.createResp(b, 8, 304, headers, bd));
                    return List.of(ScriptedPeer.frame(Rpc.HTTP_RESP_CALL, b));
                });
                ApisixClient client = ApisixClient.connect(sock)) {
            ExtraInfoAnswers answers = new ExtraInfoAnswers().var("remote_addr", "10.0.0.9").requestBody(new byte[] {0, (byte) 0xFF})
                    .responseBody(new byte[0]);
            Reply.RespCall r = assertInstanceOf(Reply.RespCall.class, client.respCall(31, 8, 200,
                    List.of(Field.of("Content-Type", "text/plain"), Field.of("Set-Cookie", "x")), answers));
            assertEquals(8, r.id());
            assertEquals(304, r.status());
            assertEquals(List.of("text/html"), r.header("content-type"));
            assertEquals("<p>", r.bodyAsString());
            assertEquals(4, answers.questions());

            assertEquals(5, peer.received.size());
            io.github.api7.A6.HTTPRespCall.Req call =
                    io.github.api7.A6.HTTPRespCall.Req.getRootAsReq(peer.received.get(0).payload());
            assertEquals(8, call.id());
            assertEquals(200, call.status());
            assertEquals(31, call.confToken());
            assertEquals(List.of("Content-Type=text/plain", "Set-Cookie=x"), entries(call.headersLength(), call::headers));

            io.github.api7.A6.ExtraInfo.Resp a1 = io.github.api7.A6.ExtraInfo.Resp.getRootAsResp(peer.received.get(1).payload());
            assertEquals("10.0.0.9", StandardCharsets.UTF_8.decode(a1.resultAsByteBuffer()).toString());
            io.github.api7.A6.ExtraInfo.Resp a2 = io.github.api7.A6.ExtraInfo.Resp.getRootAsResp(peer.received.get(2).payload());
            assertNull(a2.resultAsByteBuffer(), "a variable without value: result absent");
            io.github.api7.A6.ExtraInfo.Resp a3 = io.github.api7.A6.ExtraInfo.Resp.getRootAsResp(peer.received.get(3).payload());
            assertEquals(2, a3.resultLength());
            assertEquals(0xFF, a3.result(1));
            io.github.api7.A6.ExtraInfo.Resp a4 = io.github.api7.A6.ExtraInfo.Resp.getRootAsResp(peer.received.get(4).payload());
            ByteBuffer empty = a4.resultAsByteBuffer();
            assertEquals(0, empty.remaining(), "an empty body: an empty vector, not an absent one");
        }
    }

    @Test
    void anUnexpectedReplyTypeFailsTheCallAsInApisix() throws Exception {
        Path sock = dir.resolve("peer.sock");
        try (ScriptedPeer peer = new ScriptedPeer(sock, (type, payload) -> {
                    FlatBufferBuilder b = new FlatBufferBuilder();
                    b.finish(io.github.api7.A6.PrepareConf.Resp.createResp(b, 1));
                    return List.of(ScriptedPeer.frame(Rpc.PREPARE_CONF, b)); // type 1 in reply to type 2
                });
                ApisixClient client = ApisixClient.connect(sock)) {
            IOException e = assertThrows(IOException.class, () -> client.call(1, new CallRequest(), new ExtraInfoAnswers()));
            assertEquals("unexpected type 1 in reply to HTTPReqCall", e.getMessage());
        }
    }
}

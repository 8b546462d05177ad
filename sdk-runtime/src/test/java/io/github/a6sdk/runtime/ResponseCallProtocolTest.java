package io.github.a6sdk.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.client.Reply;
import io.github.a6sdk.runtime.protocol.FlatReader;
import io.github.a6sdk.runtime.protocol.Rpc;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** HTTPRespCall (ext-plugin-post-resp) and docs/protocol.md section 7's header rule. */
@Timeout(30)
class ResponseCallProtocolTest {
    @TempDir Path dir;
    TestRunner runner;

    static final List<Field> UPSTREAM = List.of(
            Field.of("Content-Type", "text/plain"),
            Field.of("Content-Length", "5"),
            Field.of("Set-Cookie", "a=1"),
            Field.of("Set-Cookie", "b=2"),
            Field.of("Transfer-Encoding", "chunked"),
            Field.of("Connection", "keep-alive"),
            Field.of("X-Upstream", "u"));

    @BeforeEach
    void start() throws Exception {
        runner = TestRunner.start(dir,
                TestDescriptor.response("add-header", (config, up) -> up.headers().set("X-Added", "yes")),
                TestDescriptor.response("read-only", (config, up) -> {
                    up.headers().get("content-type");
                    up.headers().getAll("set-cookie");
                    if (up.status() != 200) {
                        throw new IllegalStateException("status " + up.status());
                    }
                }),
                TestDescriptor.response("status", (config, up) -> up.setStatus(Integer.parseInt(config))),
                TestDescriptor.response("remove", (config, up) -> up.headers().remove(config)),
                TestDescriptor.response("content-type", (config, up) -> up.headers().set("content-type", "application/json")),
                TestDescriptor.response("body", (config, up) -> up.setBody(config)),
                TestDescriptor.request("request-only", (config, req, resp) -> resp.setStatus(200)));
    }

    @AfterEach
    void stop() {
        runner.close();
    }

    private Reply.RespCall respCall(long token, List<Field> upstream) throws Exception {
        try (ApisixClient c = runner.client()) {
            return assertInstanceOf(Reply.RespCall.class, c.respCall(token, 61, 200, upstream, new ExtraInfoAnswers()));
        }
    }

    @Test
    void changingAHeaderSendsTheFullSetWithoutFramingHeaders() throws Exception {
        long token = runner.prepare("add-header", "");
        Reply.RespCall r = respCall(token, UPSTREAM);
        assertEquals(61, r.id());
        assertEquals(0, r.status(), "status 0 = unchanged");
        assertEquals(List.of(Field.of("Content-Type", "text/plain"), Field.of("Set-Cookie", "a=1"),
                Field.of("Set-Cookie", "b=2"), Field.of("X-Upstream", "u"), Field.of("X-Added", "yes")), r.headers());
        assertNull(r.body());
    }

    @Test
    void changingAnExistingHeaderKeepsItsPlaceAndTheRest() throws Exception {
        long token = runner.prepare("content-type", "");
        Reply.RespCall r = respCall(token, UPSTREAM);
        assertEquals(List.of(Field.of("content-type", "application/json"), Field.of("Set-Cookie", "a=1"),
                Field.of("Set-Cookie", "b=2"), Field.of("X-Upstream", "u")), r.headers());
    }

    @Test
    void removingAHeaderSendsTheRestWithoutIt() throws Exception {
        long token = runner.prepare("remove", "x-upstream");
        Reply.RespCall r = respCall(token, UPSTREAM);
        List<Field> h = r.headers();
        assertTrue(h.containsAll(List.of(Field.of("Content-Type", "text/plain"), Field.of("Set-Cookie", "a=1"),
                Field.of("Set-Cookie", "b=2"))), h.toString());
        assertTrue(h.stream().noneMatch(f -> f.name().equalsIgnoreCase("x-upstream") && f.value() != null), h.toString());
        assertTrue(h.stream().noneMatch(f -> f.name().equalsIgnoreCase("content-length")), h.toString());
    }

    @Test
    void removingTheOnlyHeaderStillTellsApisixNotToCopyIt() throws Exception {
        // An empty header vector would make APISIX copy the upstream headers, X-Secret included.
        long token = runner.prepare("remove", "x-secret");
        Reply.RespCall r = respCall(token, List.of(Field.of("X-Secret", "s"), Field.of("Content-Length", "3")));
        assertFalse(r.headers().isEmpty(), "the reply must name a header, or APISIX copies X-Secret back");
        assertTrue(r.headers().stream().noneMatch(f -> f.value() != null && f.name().equalsIgnoreCase("x-secret")));
        assertEquals(List.of(Field.of("x-secret", null)), r.headers(), "a delete entry (no value) clears it");
    }

    @Test
    void notChangingAnyHeaderLeavesTheHeadersAbsent() throws Exception {
        long token = runner.prepare("read-only", "");
        try (RawConnection raw = runner.raw()) {
            raw.send(Rpc.HTTP_RESP_CALL, Frames.respCall(62, token, 200, "Content-Type", "text/plain", "X-A", "1"));
            RawConnection.Frame f = raw.read();
            assertEquals(Rpc.HTTP_RESP_CALL, f.type());
            FlatReader r = f.reader();
            int root = r.root();
            assertEquals(62, r.u32(root, 0));
            assertFalse(r.has(root, 1), "status absent (0 = keep the upstream status)");
            assertFalse(r.has(root, 2), "headers absent: APISIX copies the upstream ones");
            assertFalse(r.has(root, 3), "body absent");
        }
    }

    @Test
    void changingOnlyTheStatus() throws Exception {
        long token = runner.prepare("status", "304");
        Reply.RespCall r = respCall(token, UPSTREAM);
        assertEquals(304, r.status());
        assertTrue(r.headers().isEmpty());
        assertNull(r.body());
    }

    @Test
    void changingTheBody() throws Exception {
        long token = runner.prepare("body", "replaced");
        Reply.RespCall r = respCall(token, UPSTREAM);
        assertEquals("replaced", r.bodyAsString());
        assertEquals(0, r.status());
        assertTrue(r.headers().isEmpty());
    }

    @Test
    void pluginsRunInOrderAndTheLastChangeWins() throws Exception {
        long token = runner.prepare("status", "201", "add-header", "", "status", "202");
        Reply.RespCall r = respCall(token, UPSTREAM);
        assertEquals(202, r.status());
        assertTrue(r.headers().contains(Field.of("X-Added", "yes")));
    }

    @Test
    void aRequestOnlyPluginInTheResponsePhaseIsServiceUnavailable() throws Exception {
        long token = runner.prepare("request-only", "");
        try (ApisixClient c = runner.client()) {
            assertEquals(new Reply.Error(Rpc.ERR_SERVICE_UNAVAILABLE),
                    c.respCall(token, 1, 200, UPSTREAM, new ExtraInfoAnswers()));
            // and the connection goes on
            long ok = runner.prepare("status", "500");
            assertEquals(500, assertInstanceOf(Reply.RespCall.class,
                    c.respCall(ok, 2, 200, UPSTREAM, new ExtraInfoAnswers())).status());
        }
    }

    @Test
    void aResponsePluginInTheRequestPhaseIsServiceUnavailable() throws Exception {
        long token = runner.prepare("status", "201");
        try (ApisixClient c = runner.client()) {
            assertEquals(new Reply.Error(Rpc.ERR_SERVICE_UNAVAILABLE),
                    c.call(token, new io.github.a6sdk.runtime.client.CallRequest(), new ExtraInfoAnswers()));
        }
    }
}

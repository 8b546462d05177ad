package io.github.a6sdk.runtime.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.client.Reply;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How the dev gateway applies replies: docs/protocol.md section 5.2, and the variables it answers. */
class HttpCallTest {
    static HttpCall call(String path, String query, Field... headers) {
        return new HttpCall("GET", path, query, List.of(headers), null,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 51000),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 9080));
    }

    static Reply.Rewrite rewrite(String path, List<Field> headers, List<Field> args, List<Field> resp, String body) {
        return new Reply.Rewrite(0, path, headers, args, resp, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void requestIdIsOnePerRequestLikeNginxs() {
        HttpCall a = call("/", null);
        HttpCall b = call("/", null);
        assertTrue(a.var("request_id").matches("[0-9a-f]{32}"), a.var("request_id"));
        assertEquals(a.var("request_id"), a.var("request_id"), "the same in every phase of the request");
        assertNotEquals(a.var("request_id"), b.var("request_id"), "another request, another id");
    }

    @Test
    void argsMergeAsInApisixTests() {
        // section 5.2 step 5: ?c=foo&d=bar with a=foo, d=<none>, c=bar, a=bar reaches upstream as a=foo&a=bar&c=bar
        HttpCall c = call("/p", "c=foo&d=bar");
        c.apply(rewrite(null, List.of(), List.of(new Field("a", "foo"), new Field("d", null), new Field("c", "bar"),
                new Field("a", "bar")), List.of(), null));
        assertEquals("/p?c=bar&a=foo&a=bar", c.upstreamUri());
    }

    @Test
    void pathRewriteKeepsTheQueryAndIsEscaped() {
        HttpCall c = call("/old", "x=1&flag&y=");
        c.apply(rewrite("/new path?q", List.of(), List.of(), List.of(), null));
        assertEquals("/new%20path%3Fq?x=1&flag&y=", c.upstreamUri());
        assertEquals("/new%20path%3Fq", c.toCallRequest(1).path(), "post-req sees $upstream_uri");
        assertEquals(List.of(new Field("x", "1"), new Field("flag", null), new Field("y", "")), c.args);
    }

    @Test
    void headersAreSetOverriddenAndDeleted() {
        HttpCall c = call("/", null, new Field("accept", "a"), new Field("accept", "b"), new Field("host", "h:9080"),
                new Field("x-drop", "1"));
        c.apply(rewrite(null, List.of(new Field("Accept", "one"), new Field("accept", "two"), new Field("x-drop", null),
                new Field("Host", "up.test")), List.of(), List.of(), "body"));
        assertEquals(List.of(new Field("accept", "two"), new Field("host", "up.test")), c.headers);
        assertEquals("up.test", c.upstreamHost);
        assertEquals("body", new String(c.body, StandardCharsets.UTF_8));
        assertEquals("up.test", c.var("host"));
        assertEquals("two", c.var("http_accept"));
    }

    @Test
    void responseHeadersUseSetThenAddAndSkipFilteredNames() {
        List<Field> target = new ArrayList<>(List.of(new Field("x-old", "1"), new Field("x-same", "old")));
        HttpCall.setOrAdd(target, List.of(new Field("X-Same", "one"), new Field("x-same", "two"),
                new Field("Content-Type", "text/x"), new Field("x-old", null)), HttpCall.FILTERED);
        assertEquals(List.of(new Field("x-same", "one"), new Field("x-same", "two")), target);
        List<Field> stop = new ArrayList<>();
        HttpCall.setOrAdd(stop, List.of(new Field("Content-Type", "text/x")), Set.of());
        assertEquals(List.of(new Field("content-type", "text/x")), stop);
    }

    @Test
    void varsFromTheRequest() {
        HttpCall c = call("/a b", "tag=x&tag=y&e=&bare", new Field("host", "Example.com:9080"), new Field("x-user", "ann"),
                new Field("cookie", "sid=42; theme=dark"));
        assertEquals("127.0.0.1", c.var("remote_addr"));
        assertEquals("51000", c.var("remote_port"));
        assertEquals("9080", c.var("server_port"));
        assertEquals("/a b", c.var("uri"));
        assertEquals("/a%20b?tag=x&tag=y&e=&bare", c.var("request_uri"));
        assertEquals("tag=x&tag=y&e=&bare", c.var("args"));
        assertEquals("example.com", c.var("host"));
        assertEquals("http", c.var("scheme"));
        assertEquals("GET", c.var("request_method"));
        assertEquals("ann", c.var("http_x_user"));
        assertEquals("x", c.var("arg_tag"));
        assertEquals("", c.var("arg_e"));
        assertEquals("", c.var("arg_bare"));
        assertEquals("dark", c.var("cookie_theme"));
        assertNull(c.var("arg_missing"));
        assertNull(c.var("http_missing"));
        assertNull(c.var("no_such_var"));
    }
}

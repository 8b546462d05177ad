package io.github.a6sdk.runtime.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteConfTest {
    static final String ROUTE = "{\"id\":\"7\",\"uri\":\"/x\",\"plugins\":{\"ext-plugin-post-resp\":{\"conf\":"
            + "[{\"name\":\"b\",\"value\":\"{}\"}]},\"ext-plugin-pre-req\":{\"conf\":[{\"name\":\"a\",\"value\":\"1\"}]}}}";

    @Test
    void readsEveryAdminApiShape() throws IOException {
        for (String doc : List.of(ROUTE, "{\"key\":\"k\",\"value\":" + ROUTE + "}", "{\"node\":{\"value\":" + ROUTE + "}}",
                "{\"total\":1,\"list\":[{\"value\":" + ROUTE + "}]}", "[" + ROUTE + "]", "{\"routes\":[" + ROUTE + "]}")) {
            List<RouteConf.Route> routes = RouteConf.routes(Json.parse(doc));
            assertEquals(1, routes.size(), doc);
            assertEquals("route \"7\" \"/x\"", routes.get(0).label());
            List<RouteConf.Entry> entries = RouteConf.entries(routes.get(0).object());
            // phases in execution order, whatever the order in the document
            assertEquals(List.of(new RouteConf.Entry("ext-plugin-pre-req", 0, "a", "1", null),
                    new RouteConf.Entry("ext-plugin-post-resp", 0, "b", "{}", null)), entries);
        }
    }

    @Test
    void schemaProblemsAsApisixReportsThem() throws IOException {
        List<RouteConf.Entry> e = RouteConf.entries(RouteConf.routes(Json.parse("{\"plugins\":{"
                + "\"ext-plugin-pre-req\":{\"conf\":[]},"
                + "\"ext-plugin-post-req\":{\"conf\":[{\"name\":\"\",\"value\":\"\"},{\"name\":\"n\"},{\"name\":1,\"value\":\"\"},7]}}}"))
                .get(0).object());
        assertEquals("property \"conf\" must be a non-empty array, found an empty array", e.get(0).problem());
        assertEquals("property \"name\" must be 1 to 128 characters long", e.get(1).problem());
        assertEquals("property \"value\" is required", e.get(2).problem());
        assertEquals("property \"name\" must be a string, found a number", e.get(3).problem());
        assertEquals("ext-plugin-post-req.conf[3]", e.get(4).where());
        assertTrue(e.get(4).problem().startsWith("must be an object"), e.get(4).problem());
        assertThrows(IllegalArgumentException.class, () -> RouteConf.routes(Json.parse("\"x\"")));
    }

    @Test
    void aMisspelledPhaseIsAProblemNamingTheRealOnes() throws IOException {
        List<RouteConf.Entry> e = RouteConf.entries(RouteConf.routes(Json.parse("{\"plugins\":{"
                + "\"ext-plugin-pre-req\":{\"conf\":[{\"name\":\"a\",\"value\":\"{}\"}]},"
                + "\"ext-plugin-post-rsp\":{\"conf\":[{\"name\":\"b\",\"value\":\"{}\"}]},"
                + "\"limit-count\":{\"count\":1}}}")).get(0).object());
        assertEquals(2, e.size(), e.toString());
        assertEquals(new RouteConf.Entry("ext-plugin-pre-req", 0, "a", "{}", null), e.get(0));
        assertEquals("plugins.ext-plugin-post-rsp", e.get(1).where());
        assertEquals("unknown plugin \"ext-plugin-post-rsp\": its conf would never reach the runner; APISIX's"
                + " ext-plugin plugins are ext-plugin-pre-req, ext-plugin-post-req, ext-plugin-post-resp", e.get(1).problem());
    }

    @Test
    void jsonHelpers() throws IOException {
        assertEquals("{\n  \"a\": [1, \"x,y\", null],\n  \"b\": {\n    \"c\": true\n  }\n}",
                Json.pretty("{\"a\":[1,\"x,y\",null],\"b\":{\"c\":true}}"));
        assertEquals("{\"n\":12345678901234567890,\"s\":\"q\\\"\"}", Json.write(Json.parse("{\"n\":12345678901234567890,\"s\":\"q\\\"\"}")));
        IOException e = assertThrows(IOException.class, () -> Json.parse("{\"a\":1} x"));
        assertTrue(e.getMessage().contains("unexpected content") || e.getMessage().contains("malformed"), e.getMessage());
    }
}

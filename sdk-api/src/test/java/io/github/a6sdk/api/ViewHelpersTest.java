package io.github.a6sdk.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The helpers the views give every plugin: a JSON stop, a JSON error, the bearer token. */
class ViewHelpersTest {

    /** A response that records what the helpers write. */
    static final class Recorded implements HttpResponse {
        int status;
        final Map<String, String> headers = new LinkedHashMap<>();
        byte[] body;

        @Override
        public void setStatus(int status) {
            this.status = status;
        }

        @Override
        public int status() {
            return status;
        }

        @Override
        public Fields headers() {
            return fields(headers);
        }

        @Override
        public void setBody(byte[] body) {
            this.body = body;
        }

        @Override
        public boolean isStopped() {
            return status != 0;
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Just enough of {@link Fields} over a map (names compared ignoring case, as header fields are). */
    static Fields fields(Map<String, String> map) {
        return (Fields) Proxy.newProxyInstance(Fields.class.getClassLoader(), new Class<?>[] {Fields.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "get":
                            for (Map.Entry<String, String> e : map.entrySet()) {
                                if (e.getKey().equalsIgnoreCase((String) args[0])) {
                                    return e.getValue();
                                }
                            }
                            return null;
                        case "set":
                            map.put((String) args[0], (String) args[1]);
                            return null;
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });
    }

    static HttpRequest withAuthorization(String value) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (value != null) {
            headers.put("authorization", value);
        }
        Fields fields = fields(headers);
        return (HttpRequest) Proxy.newProxyInstance(HttpRequest.class.getClassLoader(), new Class<?>[] {HttpRequest.class},
                (proxy, method, args) -> {
                    if (method.isDefault()) {
                        return java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args);
                    }
                    if (method.getName().equals("headers")) {
                        return fields;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void sendJsonStopsWithTheBodyAndItsType() {
        Recorded r = new Recorded();
        r.sendJson(429, "{\"retryAfter\":3}");
        assertEquals(429, r.status);
        assertEquals(Map.of("Content-Type", "application/json"), r.headers);
        assertEquals("{\"retryAfter\":3}", r.bodyText());
        assertTrue(r.isStopped());
    }

    @Test
    void sendJsonErrorEscapesWhatItQuotes() {
        Recorded r = new Recorded();
        r.sendJsonError(401, "unauthorized", "bad key \"a\\b\"\n\t\u0001\u2028é");
        assertEquals(401, r.status);
        assertEquals("application/json", r.headers.get("Content-Type"));
        assertEquals("{\"error\":\"unauthorized\",\"message\":\"bad key \\\"a\\\\b\\\"\\n\\t\\u0001\\u2028é\"}", r.bodyText());

        Recorded bare = new Recorded();
        bare.sendJsonError(403, "forbidden", null);
        assertEquals("{\"error\":\"forbidden\"}", bare.bodyText());
    }

    @Test
    void bearerToken() {
        assertEquals("abc.def", withAuthorization("Bearer abc.def").bearerToken());
        assertEquals("abc", withAuthorization("bearer   abc  ").bearerToken());
        assertEquals("abc", withAuthorization("BEARER abc").bearerToken());
        assertNull(withAuthorization(null).bearerToken());
        assertNull(withAuthorization("Basic dXNlcjpwYXNz").bearerToken());
        assertNull(withAuthorization("Bearer ").bearerToken());
        assertNull(withAuthorization("Bearer    ").bearerToken());
        assertNull(withAuthorization("Bearerabc").bearerToken());
    }

    @Test
    void anInvalidConfigExceptionNeedsItsComponent() {
        InvalidConfigException e = new InvalidConfigException("prefixes.blue", "must start with '/'");
        assertEquals("prefixes.blue", e.component());
        assertEquals("must start with '/'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new InvalidConfigException("", "x"));
    }
}

package io.github.a6sdk.runtime.call;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.a6sdk.runtime.protocol.ExtraInfoFailedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Variables and bodies are fetched once per call, prefetched in one round, absent kept apart from empty. */
class CallDataTest {

    static final class Recording implements ExtraInfo {
        final List<String> asked = new ArrayList<>();
        final List<Integer> rounds = new ArrayList<>();
        final Map<String, byte[]> vars;
        byte[] requestBody;
        byte[] responseBody;

        Recording(Map<String, byte[]> vars) {
            this.vars = vars;
        }

        @Override
        public byte[] var(String name) {
            asked.add("var:" + name);
            return vars.get(name);
        }

        @Override
        public byte[] requestBody() {
            asked.add("reqBody");
            return requestBody;
        }

        @Override
        public byte[] responseBody() {
            asked.add("respBody");
            return responseBody;
        }

        @Override
        public byte[][] fetch(List<String> names, boolean req, boolean resp) throws IOException {
            rounds.add(names.size() + (req ? 1 : 0) + (resp ? 1 : 0));
            return ExtraInfo.super.fetch(names, req, resp);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aVariableIsAskedOnceEvenWhenAbsent() {
        Recording src = new Recording(Map.of("x", utf8("1"), "empty", new byte[0]));
        CallData d = new CallData(src);
        assertEquals("1", d.var("x"));
        assertEquals("1", d.var("x"));
        assertNull(d.var("nope"));
        assertNull(d.var("nope"));
        assertEquals("", d.var("empty"));
        assertEquals("", d.var("empty"));
        assertEquals(List.of("var:x", "var:nope", "var:empty"), src.asked);
    }

    @Test
    void prefetchIsOneRoundAndLaterReadsAreFree() {
        Recording src = new Recording(Map.of("a", utf8("A")));
        src.requestBody = utf8("body");
        CallData d = new CallData(src);
        d.prefetch(List.of("a", "b"), true, false);
        assertEquals(List.of(3), src.rounds);
        assertEquals("A", d.var("a"));
        assertNull(d.var("b"));
        assertArrayEquals(utf8("body"), d.requestBody());
        assertEquals(List.of("var:a", "var:b", "reqBody"), src.asked);
    }

    @Test
    void bodiesAreFetchedOnceAndAbsentIsNull() {
        Recording src = new Recording(Map.of());
        src.responseBody = new byte[0];
        CallData d = new CallData(src);
        assertNull(d.requestBody());
        assertNull(d.requestBody());
        byte[] empty = d.responseBody();
        assertEquals(0, empty.length, "an empty body is not an absent body");
        assertSame(empty, d.responseBody());
        assertEquals(List.of("reqBody", "respBody"), src.asked);
    }

    @Test
    void prefetchSkipsABodyAlreadyFetched() {
        Recording src = new Recording(Map.of());
        src.requestBody = utf8("b");
        CallData d = new CallData(src);
        d.requestBody();
        d.prefetch(List.of(), true, false);
        assertEquals(List.of("reqBody"), src.asked);
        assertEquals(List.of(), src.rounds, "nothing left to ask: no round at all");
    }

    @Test
    void anIoFailureBecomesExtraInfoFailed() {
        ExtraInfo broken = new ExtraInfo() {
            @Override
            public byte[] var(String name) throws IOException {
                throw new IOException("closed");
            }

            @Override
            public byte[] requestBody() throws IOException {
                throw new IOException("closed");
            }

            @Override
            public byte[] responseBody() throws IOException {
                throw new IOException("closed");
            }
        };
        CallData d = new CallData(broken);
        assertThrows(ExtraInfoFailedException.class, () -> d.var("x"));
        assertThrows(ExtraInfoFailedException.class, d::requestBody);
        assertThrows(ExtraInfoFailedException.class, () -> d.prefetch(List.of("x"), false, false));
    }
}

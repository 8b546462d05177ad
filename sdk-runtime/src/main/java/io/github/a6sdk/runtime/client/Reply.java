package io.github.a6sdk.runtime.client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A decoded runner reply. */
public sealed interface Reply {

    /** A type-0 frame: {@code A6.Err.Resp}. */
    record Error(int code) implements Reply {
        public String codeName() {
            switch (code) {
                case 0: return "BAD_REQUEST";
                case 1: return "SERVICE_UNAVAILABLE";
                case 2: return "CONF_TOKEN_NOT_FOUND";
                default: return "unknown err " + code;
            }
        }
    }

    /** PrepareConf answered with a token. */
    record Token(long token) implements Reply {}

    /** HTTPReqCall with no action: continue unchanged. */
    record Pass(long id) implements Reply {}

    /** HTTPReqCall Stop. */
    record Stop(long id, int status, List<Field> headers, byte[] body) implements Reply {
        public String bodyAsString() {
            return body == null ? null : new String(body, StandardCharsets.UTF_8);
        }

        /** Every value of header {@code name} (ignoring case). */
        public List<String> header(String name) {
            return values(headers, name, true);
        }
    }

    /** HTTPReqCall Rewrite. */
    record Rewrite(long id, String path, List<Field> headers, List<Field> args, List<Field> respHeaders, byte[] body)
            implements Reply {}

    /** HTTPRespCall reply. */
    record RespCall(long id, int status, List<Field> headers, byte[] body) implements Reply {
        public String bodyAsString() {
            return body == null ? null : new String(body, StandardCharsets.UTF_8);
        }

        public List<String> header(String name) {
            return values(headers, name, true);
        }
    }

    private static List<String> values(List<Field> fields, String name, boolean ignoreCase) {
        List<String> out = new ArrayList<>();
        if (fields != null) {
            for (Field f : fields) {
                if (ignoreCase ? f.name().equalsIgnoreCase(name) : f.name().equals(name)) {
                    out.add(f.value());
                }
            }
        }
        return out;
    }
}

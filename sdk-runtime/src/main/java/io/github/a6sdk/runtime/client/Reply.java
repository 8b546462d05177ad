package io.github.a6sdk.runtime.client;

import io.github.a6sdk.runtime.protocol.FlatReader;
import io.github.a6sdk.runtime.protocol.Rpc;
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

    /** Decodes an {@code HTTPReqCall.Resp} payload: a Stop, a Rewrite, or no action. */
    static Reply decodeRequestCall(FlatReader r) {
        int t = r.root();
        long id = r.u32(t, 0);
        int action = r.u8(t, 1);
        int a = r.table(t, 2);
        if (action == Rpc.ACTION_STOP && a != 0) {
            return new Stop(id, r.u16(a, 0), fields(r, a, 1), r.bytes(a, 2));
        }
        if (action == Rpc.ACTION_REWRITE && a != 0) {
            return new Rewrite(id, r.string(a, 0), fields(r, a, 1), fields(r, a, 2), fields(r, a, 3), r.bytes(a, 4));
        }
        return new Pass(id);
    }

    /** Decodes an {@code HTTPRespCall.Resp} payload. */
    static RespCall decodeResponseCall(FlatReader r) {
        int t = r.root();
        return new RespCall(r.u32(t, 0), r.u16(t, 1), fields(r, t, 2), r.bytes(t, 3));
    }

    private static List<Field> fields(FlatReader r, int table, int slot) {
        int vec = r.vector(table, slot, 4);
        int n = r.vectorLength(vec);
        List<Field> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int entry = r.tableAt(vec, i);
            out.add(new Field(r.string(entry, 0), r.string(entry, 1)));
        }
        return out;
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

package io.github.a6sdk.runtime.call;

import io.github.a6sdk.runtime.protocol.ExtraInfoFailedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Variables and bodies of one call: prefetched, or fetched once on first use and then cached. */
final class CallData {
    private static final byte[] ABSENT = new byte[0];

    private final ExtraInfo source;
    private Map<String, byte[]> vars;
    private byte[] requestBody;
    private byte[] responseBody;
    /** The request state the running plugin may use ({@code null}: it did not declare request state). */
    io.github.a6sdk.api.RequestState state;

    CallData(ExtraInfo source) {
        this.source = source;
    }

    void prefetch(List<String> names, boolean reqBody, boolean respBody) {
        boolean wantReq = reqBody && requestBody == null;
        boolean wantResp = respBody && responseBody == null;
        if (names.isEmpty() && !wantReq && !wantResp) {
            return;
        }
        byte[][] got;
        try {
            got = source.fetch(names, wantReq, wantResp);
        } catch (IOException e) {
            throw new ExtraInfoFailedException(e);
        }
        int i = 0;
        for (String name : names) {
            putVar(name, got[i++]);
        }
        if (wantReq) {
            requestBody = orAbsent(got[i++]);
        }
        if (wantResp) {
            responseBody = orAbsent(got[i]);
        }
    }

    private void putVar(String name, byte[] value) {
        if (vars == null) {
            vars = new HashMap<>(8);
        }
        vars.put(name, orAbsent(value));
    }

    private static byte[] orAbsent(byte[] value) {
        return value == null ? ABSENT : value;
    }

    private static byte[] present(byte[] value) {
        return value == ABSENT ? null : value;
    }

    String var(String name) {
        byte[] v = vars == null ? null : vars.get(name);
        if (v == null) {
            try {
                v = orAbsent(source.var(name));
            } catch (IOException e) {
                throw new ExtraInfoFailedException(e);
            }
            putVar(name, v);
        }
        return v == ABSENT ? null : new String(v, StandardCharsets.UTF_8);
    }

    byte[] requestBody() {
        if (requestBody == null) {
            try {
                requestBody = orAbsent(source.requestBody());
            } catch (IOException e) {
                throw new ExtraInfoFailedException(e);
            }
        }
        return present(requestBody);
    }

    byte[] responseBody() {
        if (responseBody == null) {
            try {
                responseBody = orAbsent(source.responseBody());
            } catch (IOException e) {
                throw new ExtraInfoFailedException(e);
            }
        }
        return present(responseBody);
    }
}

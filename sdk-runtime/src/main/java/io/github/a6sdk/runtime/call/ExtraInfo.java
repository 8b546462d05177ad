package io.github.a6sdk.runtime.call;

import java.io.IOException;
import java.util.List;

/**
 * Where a call gets what APISIX did not send with it: over the wire, one ExtraInfo round trip per
 * question (several questions pipelined in one round), or from values a test supplied.
 */
public interface ExtraInfo {

    /** The value of variable {@code name}, or {@code null} when it has none. */
    byte[] var(String name) throws IOException;

    /** The request body, or {@code null} when there is none. */
    byte[] requestBody() throws IOException;

    /** The upstream response body (response phase only), or {@code null}. */
    byte[] responseBody() throws IOException;

    /**
     * Asks for several items in one round. The result holds one entry per variable, then the request
     * body if asked, then the response body if asked.
     */
    default byte[][] fetch(List<String> vars, boolean requestBody, boolean responseBody) throws IOException {
        byte[][] out = new byte[vars.size() + (requestBody ? 1 : 0) + (responseBody ? 1 : 0)][];
        int i = 0;
        for (String v : vars) {
            out[i++] = var(v);
        }
        if (requestBody) {
            out[i++] = requestBody();
        }
        if (responseBody) {
            out[i] = responseBody();
        }
        return out;
    }
}

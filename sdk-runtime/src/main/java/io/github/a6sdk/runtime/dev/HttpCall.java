package io.github.a6sdk.runtime.dev;

import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.client.Reply;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One proxied request as APISIX holds it: the current path, args, headers and body, changed by
 * Rewrite replies exactly as docs/protocol.md section 5.2 describes, and the variables APISIX would
 * answer ExtraInfo questions with.
 */
public final class HttpCall {
    /** Response headers APISIX ignores in {@code Rewrite.resp_headers} and does not copy in post-resp. */
    public static final Set<String> FILTERED = Set.of("connection", "content-length", "transfer-encoding", "location",
            "server", "www-authenticate", "content-encoding", "content-type", "content-location", "content-language");

    final String method;
    final String uri;
    final String requestUri;
    String path;
    boolean pathRewritten;
    String rawQuery;
    boolean argsChanged;
    final List<Field> args;
    final List<Field> headers;
    byte[] body;
    final InetSocketAddress remote;
    final InetSocketAddress local;
    String upstreamHost;
    final List<Field> responseHeaders = new ArrayList<>();
    /** nginx's {@code $request_id} for this request: 32 random hex digits, the same in every phase. */
    final String requestId = newRequestId();

    /**
     * @param path the decoded, normalized path; {@code rawQuery} the query as received, or {@code null}
     * @param headers names lower-cased
     */
    public HttpCall(String method, String path, String rawQuery, List<Field> headers, byte[] body,
            InetSocketAddress remote, InetSocketAddress local) {
        this.method = method;
        this.uri = path;
        this.path = path;
        this.rawQuery = rawQuery;
        this.requestUri = escapePath(path) + (rawQuery == null ? "" : "?" + rawQuery);
        this.args = parseQuery(rawQuery);
        this.headers = new ArrayList<>(headers);
        this.body = body;
        this.remote = remote;
        this.local = local;
    }

    /** The HTTPReqCall APISIX would send now (section 5.1). */
    public CallRequest toCallRequest(long id) {
        CallRequest r = new CallRequest().id(id).method(method).path(pathForCall());
        if (remote != null) {
            r.sourceIpBytes(remote.getAddress().getAddress());
        }
        for (Field a : args) {
            r.arg(a.name(), a.value());
        }
        for (Field h : headers) {
            r.header(h.name(), h.name().equals("host") && upstreamHost != null ? upstreamHost : h.value());
        }
        return r;
    }

    private String pathForCall() {
        return pathRewritten ? escapePath(path) : path;
    }

    /** Applies a Rewrite (section 5.2, steps 1 to 5). */
    public void apply(Reply.Rewrite r) {
        if (r.path() != null) {
            path = r.path();
            pathRewritten = true;
        }
        for (Field h : r.headers()) {
            String name = h.name().toLowerCase(Locale.ROOT);
            removeAll(headers, name, true);
            if (h.value() != null) {
                headers.add(new Field(name, h.value()));
                if (name.equals("host")) {
                    upstreamHost = h.value();
                }
            }
        }
        if (r.body() != null && r.body().length > 0) {
            body = r.body();
        }
        setOrAdd(responseHeaders, r.respHeaders(), FILTERED);
        Set<String> changed = new HashSet<>();
        for (Field a : r.args()) {
            argsChanged = true;
            if (a.value() == null) {
                removeAll(args, a.name(), false);
            } else if (changed.add(a.name())) {
                int at = indexOf(args, a.name());
                removeAll(args, a.name(), false);
                args.add(at < 0 ? args.size() : at, a);
            } else {
                int last = lastIndexOf(args, a.name());
                args.add(last < 0 ? args.size() : last + 1, a);
            }
        }
        if (argsChanged) {
            rawQuery = encodeQuery(args);
        }
    }

    /** The path and query sent upstream (section 5.2 step 6). */
    public String upstreamUri() {
        String q = argsChanged ? encodeQuery(args) : rawQuery;
        return escapePath(path) + (q == null || q.isEmpty() ? "" : "?" + q);
    }

    /**
     * Applies entries to a response header list with APISIX's rule: the first entry of a name sets
     * it, later ones add values, a missing value clears it; {@code ignored} names are skipped.
     */
    public static void setOrAdd(List<Field> target, List<Field> entries, Set<String> ignored) {
        Set<String> seen = new HashSet<>();
        for (Field f : entries) {
            String name = f.name().toLowerCase(Locale.ROOT);
            if (ignored.contains(name)) {
                continue;
            }
            if (seen.add(name)) {
                removeAll(target, name, true);
            }
            if (f.value() != null) {
                target.add(new Field(name, f.value()));
            }
        }
    }

    static void removeAll(List<Field> list, String name, boolean ignoreCase) {
        list.removeIf(f -> ignoreCase ? f.name().equalsIgnoreCase(name) : f.name().equals(name));
    }

    private static int indexOf(List<Field> list, String name) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(List<Field> list, String name) {
        for (int i = list.size() - 1; i >= 0; i--) {
            if (list.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    static String first(List<Field> list, String name) {
        for (Field f : list) {
            if (f.name().equalsIgnoreCase(name)) {
                return f.value();
            }
        }
        return null;
    }

    /** Query args as nginx decodes them: repeated names kept, {@code ?z} without value, {@code ?y=} empty. */
    public static List<Field> parseQuery(String raw) {
        List<Field> out = new ArrayList<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String part : raw.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            out.add(eq < 0 ? new Field(decode(part), null) : new Field(decode(part.substring(0, eq)), decode(part.substring(eq + 1))));
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /** Encodes args as a query string. */
    public static String encodeQuery(List<Field> args) {
        StringBuilder sb = new StringBuilder();
        for (Field a : args) {
            if (sb.length() > 0) {
                sb.append('&');
            }
            sb.append(escape(a.name(), false));
            if (a.value() != null) {
                sb.append('=').append(escape(a.value(), false));
            }
        }
        return sb.toString();
    }

    /** Escapes a path as nginx escapes a URI: {@code ?}, {@code #}, {@code %}, space, controls, non-ASCII. */
    public static String escapePath(String path) {
        return escape(path, true);
    }

    private static String escape(String s, boolean path) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + 8);
        for (byte b : bytes) {
            int c = b & 0xFF;
            boolean keep = path
                    ? c > 0x20 && c < 0x7F && c != '?' && c != '#' && c != '%'
                    : (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                            || c == '-' || c == '.' || c == '_' || c == '~' || c == '/' || c == ':' || c == ',';
            if (keep) {
                out.write(c);
            } else {
                out.write('%');
                out.write(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
                out.write(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return out.toString(StandardCharsets.US_ASCII);
    }

    /** A request id as nginx makes {@code $request_id}: 16 random bytes as 32 lowercase hex digits. */
    public static String newRequestId() {
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        return String.format(Locale.ROOT, "%016x%016x", r.nextLong(), r.nextLong());
    }

    /** The value APISIX gives variable {@code name} for this request, or {@code null}. */
    public String var(String name) {
        switch (name) {
            case "request_id":
                return requestId;
            case "remote_addr":
                return remote == null ? null : remote.getAddress().getHostAddress();
            case "remote_port":
                return remote == null ? null : Integer.toString(remote.getPort());
            case "server_addr":
                return local == null ? null : local.getAddress().getHostAddress();
            case "server_port":
                return local == null ? null : Integer.toString(local.getPort());
            case "uri":
                return uri;
            case "upstream_uri":
                return upstreamUri();
            case "request_uri":
                return requestUri;
            case "args":
            case "query_string":
                return argsChanged ? encodeQuery(args) : rawQuery;
            case "is_args":
                return rawQuery == null || rawQuery.isEmpty() ? "" : "?";
            case "host": {
                String h = first(headers, "host");
                if (h == null) {
                    return local == null ? null : local.getHostString();
                }
                int colon = h.startsWith("[") ? h.indexOf("]:") + 1 : h.lastIndexOf(':');
                return (colon > 0 ? h.substring(0, colon) : h).toLowerCase(Locale.ROOT);
            }
            case "scheme":
                return "http";
            case "request_method":
                return method;
            case "server_protocol":
                return "HTTP/1.1";
            case "content_type":
                return first(headers, "content-type");
            case "content_length":
                return first(headers, "content-length");
            default:
                break;
        }
        if (name.startsWith("http_")) {
            String header = name.substring(5).replace('_', '-');
            List<String> values = new ArrayList<>();
            for (Field h : headers) {
                if (h.name().equalsIgnoreCase(header)) {
                    values.add(h.value());
                }
            }
            return values.isEmpty() ? null : String.join(", ", values);
        }
        if (name.startsWith("arg_")) {
            String arg = name.substring(4);
            for (Field a : args) {
                if (a.name().equalsIgnoreCase(arg)) {
                    return a.value() == null ? "" : a.value();
                }
            }
            return null;
        }
        if (name.startsWith("cookie_")) {
            String cookie = first(headers, "cookie");
            if (cookie != null) {
                for (String part : cookie.split(";")) {
                    int eq = part.indexOf('=');
                    if (eq > 0 && part.substring(0, eq).trim().equals(name.substring(7))) {
                        return part.substring(eq + 1).trim();
                    }
                }
            }
        }
        return null;
    }

    /** ExtraInfo answers for this request; {@code upstreamBody} answers RespBody (null in the request phase). */
    public ExtraInfoAnswers answers(byte[] upstreamBody) {
        return new ExtraInfoAnswers() {
            @Override
            public byte[] var(String name) {
                super.var(name);
                String v = name == null ? null : HttpCall.this.var(name);
                return v == null ? null : v.getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public byte[] requestBody() {
                super.requestBody();
                return body == null || body.length == 0 ? null : body;
            }

            @Override
            public byte[] responseBody() {
                super.responseBody();
                return upstreamBody;
            }
        };
    }
}

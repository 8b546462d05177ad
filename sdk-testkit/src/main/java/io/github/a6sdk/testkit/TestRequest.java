package io.github.a6sdk.testkit;

import io.github.a6sdk.api.Method;
import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.dev.HttpCall;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A client request as APISIX describes it to a runner: method, path, headers and query args (names
 * may repeat), source IP, and what APISIX answers ExtraInfo questions with: variables and the body.
 *
 * <p>Header names are lower-cased, as APISIX sends them. A variable set with {@link #var} is
 * answered as given ({@code null}: no value); any other variable is worked out from the request as
 * APISIX would ({@code remote_addr}, {@code uri}, {@code request_uri}, {@code args}, {@code host},
 * {@code request_method}, {@code http_<header>}, {@code arg_<name>}, {@code cookie_<name>}, ...).
 *
 * <pre>{@code
 * TestRequest.get("/orders?page=2&tag=a&tag=b").header("Authorization", "Bearer x").sourceIp("10.0.0.7")
 * }</pre>
 */
public final class TestRequest {
    long id = 1;
    String method;
    String path;
    final List<Field> headers = new ArrayList<>();
    final List<Field> args = new ArrayList<>();
    String sourceIp = "127.0.0.1";
    final Map<String, String> vars = new LinkedHashMap<>();
    byte[] body;
    String requestId = HttpCall.newRequestId();

    private TestRequest(String method, String pathAndQuery) {
        this.method = checkMethod(method);
        path(pathAndQuery);
    }

    /** A request; {@code pathAndQuery} may carry a query ({@code /p?a=1&a=2&flag}), which becomes args. */
    public static TestRequest request(String method, String pathAndQuery) {
        return new TestRequest(method, pathAndQuery);
    }

    /**
     * A GET request.
     *
     * @param pathAndQuery the path, with an optional {@code ?query} that becomes args
     * @return the request
     */
    public static TestRequest get(String pathAndQuery) {
        return new TestRequest("GET", pathAndQuery);
    }

    /**
     * A POST request.
     *
     * @param pathAndQuery the path, with an optional {@code ?query} that becomes args
     * @return the request
     */
    public static TestRequest post(String pathAndQuery) {
        return new TestRequest("POST", pathAndQuery);
    }

    /**
     * A PUT request.
     *
     * @param pathAndQuery the path, with an optional {@code ?query} that becomes args
     * @return the request
     */
    public static TestRequest put(String pathAndQuery) {
        return new TestRequest("PUT", pathAndQuery);
    }

    /**
     * A DELETE request.
     *
     * @param pathAndQuery the path, with an optional {@code ?query} that becomes args
     * @return the request
     */
    public static TestRequest delete(String pathAndQuery) {
        return new TestRequest("DELETE", pathAndQuery);
    }

    private static String checkMethod(String method) {
        String m = method.toUpperCase(Locale.ROOT);
        try {
            Method.valueOf(m);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("APISIX cannot send method " + method + " to a runner; use one of "
                    + java.util.Arrays.toString(Method.values()), e);
        }
        return m;
    }

    /** The path (decoded, as nginx gives it); a {@code ?query} part is parsed into args. */
    public TestRequest path(String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        if (q >= 0) {
            args.addAll(Field.fromWire(HttpCall.parseQuery(pathAndQuery.substring(q + 1))));
            pathAndQuery = pathAndQuery.substring(0, q);
        }
        if (!pathAndQuery.startsWith("/")) {
            throw new IllegalArgumentException("path must start with /: " + pathAndQuery);
        }
        this.path = pathAndQuery;
        return this;
    }

    /**
     * Changes the method.
     *
     * @param method a method APISIX can send ({@link io.github.a6sdk.api.Method}), in any case
     * @return this request
     */
    public TestRequest method(String method) {
        this.method = checkMethod(method);
        return this;
    }

    /** APISIX's request id. */
    public TestRequest id(long id) {
        this.id = id;
        return this;
    }

    /**
     * nginx's {@code $request_id}, which APISIX answers the {@code request_id} variable with: the key of
     * the request's {@link io.github.a6sdk.api.RequestState}. Each TestRequest has a random one of its own,
     * so phases run with the same TestRequest (a {@link TestUpstream} made with
     * {@link TestUpstream#request}) share their state, and no other request sees it.
     */
    public TestRequest requestId(String requestId) {
        this.requestId = requestId;
        return this;
    }

    /** Adds a header; call again with the same name for a repeated header. */
    public TestRequest header(String name, String value) {
        headers.add(new Field(name.toLowerCase(Locale.ROOT), value));
        return this;
    }

    /** Adds a query arg; call again for a repeated name; {@code null} is a bare {@code ?name}. */
    public TestRequest arg(String name, String value) {
        args.add(new Field(name, value));
        return this;
    }

    /** The client address, IPv4 or IPv6 text. Default 127.0.0.1. */
    public TestRequest sourceIp(String ip) {
        try {
            InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + ip, e);
        }
        this.sourceIp = ip;
        return this;
    }

    /** Answers variable {@code name} (without {@code $}) with {@code value}; {@code null} means it has no value. */
    public TestRequest var(String name, String value) {
        vars.put(name, value);
        return this;
    }

    /** The request body, as APISIX answers a ReqBody question. */
    public TestRequest body(byte[] body) {
        this.body = body == null ? null : body.clone();
        return this;
    }

    /**
     * The request body as UTF-8 text, as APISIX answers a ReqBody question.
     *
     * @param body the body, or {@code null} for none
     * @return this request
     */
    public TestRequest body(String body) {
        return body(body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The headers so far, names lower-cased.
     *
     * @return the headers in order, a repeated name once per value
     */
    public List<Field> headers() {
        return Collections.unmodifiableList(headers);
    }

    /**
     * The query args so far.
     *
     * @return the args in order, a repeated name once per value
     */
    public List<Field> args() {
        return Collections.unmodifiableList(args);
    }

    /**
     * The path, without the query.
     *
     * @return the path, decoded as nginx's {@code $uri}
     */
    public String path() {
        return path;
    }

    /**
     * The method.
     *
     * @return its name, upper-case
     */
    public String method() {
        return method;
    }

    /** The request as an HTTPReqCall of the real client. */
    CallRequest toCallRequest() {
        CallRequest r = new CallRequest().id(id).method(method).path(path).sourceIp(sourceIp);
        headers.forEach(h -> r.header(h.name(), h.value()));
        args.forEach(a -> r.arg(a.name(), a.value()));
        return r;
    }

    /** How APISIX would work out variables the test did not set. */
    HttpCall derived() {
        InetSocketAddress remote;
        try {
            remote = new InetSocketAddress(InetAddress.getByName(sourceIp), 0);
        } catch (UnknownHostException e) {
            remote = null;
        }
        return new HttpCall(method, path, args.isEmpty() ? null : HttpCall.encodeQuery(Field.toWire(args)), Field.toWire(headers), body,
                remote, new InetSocketAddress(InetAddress.getLoopbackAddress(), 9080));
    }

    /** The answer to a Var question: the test's value, or the derived one. */
    byte[] var(String name) {
        String v = vars.containsKey(name) ? vars.get(name)
                : name.equals("request_id") ? requestId : derived().var(name);
        return v == null ? null : v.getBytes(StandardCharsets.UTF_8);
    }

    byte[] body() {
        return body;
    }

    @Override
    public String toString() {
        return method + " " + path + (args.isEmpty() ? "" : "?" + HttpCall.encodeQuery(Field.toWire(args))) + " " + headers;
    }
}

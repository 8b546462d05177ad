package io.github.a6sdk.runtime.client;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** What a client sends as an {@code HTTPReqCall.Req}; fluent and mutable, like a test fixture. */
public final class CallRequest {
    long id;
    int method;
    String path = "/";
    byte[] sourceIp = {127, 0, 0, 1};
    final List<Field> args = new ArrayList<>();
    final List<Field> headers = new ArrayList<>();

    public CallRequest id(long id) {
        this.id = id;
        return this;
    }

    /** The {@code A6.Method} wire value (0 = GET ... 14 = TRACE). */
    public CallRequest method(int method) {
        this.method = method;
        return this;
    }

    public CallRequest method(String name) {
        return method(io.github.a6sdk.api.Method.valueOf(name).ordinal());
    }

    public CallRequest path(String path) {
        this.path = path;
        return this;
    }

    /** The source address, as text ({@code 10.0.0.1}, {@code ::1}). */
    public CallRequest sourceIp(String ip) {
        try {
            this.sourceIp = InetAddress.getByName(ip).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + ip, e);
        }
        return this;
    }

    public CallRequest sourceIpBytes(byte[] ip) {
        this.sourceIp = ip;
        return this;
    }

    /** Adds a header (APISIX sends names lower-cased). */
    public CallRequest header(String name, String value) {
        headers.add(new Field(name, value));
        return this;
    }

    /** Adds a query arg; a {@code null} value is a bare {@code ?name}. */
    public CallRequest arg(String name, String value) {
        args.add(new Field(name, value));
        return this;
    }

    public List<Field> headers() {
        return headers;
    }

    public List<Field> args() {
        return args;
    }

    public String path() {
        return path;
    }

    public long id() {
        return id;
    }
}

package io.github.a6sdk.api;

/** HTTP methods as APISIX sends them ({@code A6.Method}); the ordinal is the wire value. */
public enum Method {
    GET, HEAD, POST, PUT, DELETE, MKCOL, COPY, MOVE, OPTIONS, PROPFIND, PROPPATCH, LOCK, UNLOCK, PATCH, TRACE;

    private static final Method[] VALUES = values();

    /** The method for a wire value, or {@code null} for a value APISIX does not define. */
    public static Method fromWire(int value) {
        return value >= 0 && value < VALUES.length ? VALUES[value] : null;
    }
}

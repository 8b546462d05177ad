package io.github.a6sdk.runtime.call;

/** What APISIX sent in an HTTPReqCall, read on demand. */
public interface RequestData {
    long id();

    /** The wire value of {@code A6.Method}. */
    int method();

    String path();

    /** 4 or 16 bytes, or {@code null}. */
    byte[] sourceIp();

    EntrySource headers();

    EntrySource args();
}

package io.github.a6sdk.runtime.call;

/** What APISIX sent in an HTTPRespCall, read on demand. */
public interface ResponseData {
    long id();

    int status();

    EntrySource headers();
}

package io.github.a6sdk.runtime.call;

import io.github.a6sdk.api.Fields;
import io.github.a6sdk.api.HttpResponse;

/** The {@link HttpResponse} a request-phase plugin stops the request with. */
public final class StopResponse implements HttpResponse {
    private int status;
    private final FieldList headers = FieldList.headers(EntrySource.EMPTY);
    private byte[] body;
    private boolean written;

    @Override
    public void setStatus(int status) {
        if (status < 0 || status > 0xFFFF) {
            throw new IllegalArgumentException("status out of range: " + status);
        }
        this.status = status;
        this.written = true;
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public Fields headers() {
        return headers;
    }

    /** The headers as the runtime encodes them. */
    public FieldList headerList() {
        return headers;
    }

    @Override
    public void setBody(byte[] body) {
        this.body = body == null ? null : body.clone();
        this.written = true;
    }

    /** The body set, or {@code null}. */
    public byte[] body() {
        return body;
    }

    @Override
    public boolean isStopped() {
        return written || headers.isChanged();
    }
}

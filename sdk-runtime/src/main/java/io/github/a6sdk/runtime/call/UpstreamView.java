package io.github.a6sdk.runtime.call;

import io.github.a6sdk.api.Fields;
import io.github.a6sdk.api.RequestState;
import io.github.a6sdk.api.UpstreamResponse;
import java.util.List;

/** The {@link UpstreamResponse} a response-phase plugin sees; afterwards, the source of the reply. */
public final class UpstreamView implements UpstreamResponse {
    private final ResponseData data;
    private final CallData extra;
    private int status = -1;
    private FieldList headers;
    private byte[] newBody;

    public UpstreamView(ResponseData data, ExtraInfo extraInfo) {
        this.data = data;
        this.extra = new CallData(extraInfo);
    }

    public void prefetch(List<String> vars, boolean requestBody, boolean responseBody) {
        extra.prefetch(vars, requestBody, responseBody);
    }

    @Override
    public long id() {
        return data.id();
    }

    @Override
    public int status() {
        return status >= 0 ? status : data.status();
    }

    @Override
    public void setStatus(int status) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("status out of range: " + status);
        }
        this.status = status;
    }

    @Override
    public Fields headers() {
        if (headers == null) {
            headers = FieldList.headers(data.headers());
        }
        return headers;
    }

    @Override
    public byte[] body() {
        return newBody != null ? newBody.clone() : extra.responseBody();
    }

    @Override
    public void setBody(byte[] body) {
        this.newBody = body == null ? null : body.clone();
    }

    @Override
    public String var(String name) {
        return extra.var(name);
    }

    @Override
    public byte[] requestBody() {
        return extra.requestBody();
    }

    /** The new status, or 0 when unchanged. */
    public int changedStatus() {
        return status >= 0 ? status : 0;
    }

    /** The complete header set when a plugin changed any header, else {@code null}. */
    public FieldList changedHeaders() {
        return headers != null && headers.isChanged() ? headers : null;
    }

    /** The new body, or {@code null}. */
    public byte[] changedBody() {
        return newBody;
    }

    /** The request state the running plugin may use ({@code null}: it did not declare request state). */
    public void useState(RequestState state) {
        extra.state = state; // kept in CallData, whose object has room for it: the view stays its size
    }

    @Override
    public RequestState state() {
        return DeclaredState.declared(extra.state);
    }
}

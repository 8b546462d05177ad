package io.github.a6sdk.runtime.call;

import io.github.a6sdk.api.Fields;
import io.github.a6sdk.api.RequestState;
import io.github.a6sdk.api.HttpRequest;
import io.github.a6sdk.api.Method;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** The {@link HttpRequest} a request-phase plugin sees; afterwards, the source of the Rewrite. */
public final class RequestView implements HttpRequest {
    private final RequestData data;
    private final CallData extra;
    private String path;
    private boolean pathChanged;
    private FieldList headers;
    private FieldList args;
    private FieldList responseHeaders;
    private byte[] newBody;

    public RequestView(RequestData data, ExtraInfo extraInfo) {
        this.data = data;
        this.extra = new CallData(extraInfo);
    }

    /** Fetches declared variables and bodies in one round. */
    public void prefetch(List<String> vars, boolean requestBody) {
        extra.prefetch(vars, requestBody, false);
    }

    @Override
    public long id() {
        return data.id();
    }

    @Override
    public Method method() {
        return Method.fromWire(data.method());
    }

    @Override
    public String path() {
        if (path == null && !pathChanged) {
            path = data.path();
        }
        return path;
    }

    @Override
    public void setPath(String path) {
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("path must not be null or empty");
        }
        this.path = path;
        this.pathChanged = true;
    }

    @Override
    public String sourceIp() {
        byte[] ip = data.sourceIp();
        if (ip == null || (ip.length != 4 && ip.length != 16)) {
            return null;
        }
        try {
            return InetAddress.getByAddress(ip).getHostAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    @Override
    public Fields headers() {
        if (headers == null) {
            headers = FieldList.headers(data.headers());
        }
        return headers;
    }

    @Override
    public Fields args() {
        if (args == null) {
            args = FieldList.args(data.args());
        }
        return args;
    }

    @Override
    public Fields responseHeaders() {
        if (responseHeaders == null) {
            responseHeaders = FieldList.headers(EntrySource.EMPTY);
        }
        return responseHeaders;
    }

    @Override
    public String var(String name) {
        return extra.var(name);
    }

    @Override
    public byte[] body() {
        return newBody != null ? newBody.clone() : extra.requestBody();
    }

    @Override
    public void setBody(byte[] body) {
        if (body == null || body.length == 0) {
            throw new IllegalArgumentException("APISIX cannot replace a request body with an empty one");
        }
        this.newBody = body.clone();
    }

    /** Whether the plugins changed anything, so that the reply is a Rewrite. */
    public boolean isRewritten() {
        return pathChanged || newBody != null
                || (headers != null && headers.isChanged())
                || (args != null && args.isChanged())
                || (responseHeaders != null && responseHeaders.isChanged());
    }

    /** The new path, or {@code null} when unchanged. */
    public String rewrittenPath() {
        return pathChanged ? path : null;
    }

    /** The request headers with their changes, or {@code null} when none was touched. */
    public FieldList changedHeaders() {
        return headers != null && headers.isChanged() ? headers : null;
    }

    public FieldList changedArgs() {
        return args != null && args.isChanged() ? args : null;
    }

    public FieldList changedResponseHeaders() {
        return responseHeaders != null && responseHeaders.isChanged() ? responseHeaders : null;
    }

    /** The new request body, or {@code null}. */
    public byte[] rewrittenBody() {
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

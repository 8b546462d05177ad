package io.github.a6sdk.runtime;

import io.github.a6sdk.api.ConfigException;
import io.github.a6sdk.api.RequestFilter;
import io.github.a6sdk.api.ResponseFilter;
import io.github.a6sdk.api.spi.PluginDescriptor;
import io.github.a6sdk.api.spi.PluginRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A hand-written descriptor for runtime tests, so that the runtime is tested apart from the
 * processor. Its config is the raw JSON text; blank reads as "{}", and "bad" fails to parse.
 */
final class TestDescriptor implements PluginDescriptor<String> {
    private final String name;
    private final RequestFilter<String> request;
    private final ResponseFilter<String> response;
    private List<String> vars = List.of();
    private boolean requestBody;
    private boolean responseBody;
    /** Blocking unless {@code -Da6.test.nonblocking=true} (the protocol suite's second run, on the event loops). */
    private boolean blocking = !Boolean.getBoolean("a6.test.nonblocking");
    private boolean requestState;

    TestDescriptor(String name, RequestFilter<String> request, ResponseFilter<String> response) {
        this.name = name;
        this.request = request;
        this.response = response;
    }

    static TestDescriptor request(String name, RequestFilter<String> filter) {
        return new TestDescriptor(name, filter, null);
    }

    static TestDescriptor response(String name, ResponseFilter<String> filter) {
        return new TestDescriptor(name, null, filter);
    }

    TestDescriptor prefetch(boolean requestBody, boolean responseBody, String... vars) {
        this.vars = Arrays.asList(vars);
        this.requestBody = requestBody;
        this.responseBody = responseBody;
        return this;
    }

    /** Declares request state ({@code @ApisixPlugin(requestState = true)}). */
    TestDescriptor withRequestState() {
        this.requestState = true;
        return this;
    }

    /** Declares the plugin non-blocking: its calls run on the event loop. */
    TestDescriptor nonBlocking() {
        this.blocking = false;
        return this;
    }

    /** Declares the plugin blocking whatever the run: its calls run on worker threads. */
    TestDescriptor mayBlock() {
        this.blocking = true;
        return this;
    }

    static PluginRegistry registry(TestDescriptor... plugins) {
        List<PluginDescriptor<?>> list = new ArrayList<>(Arrays.asList(plugins));
        return new PluginRegistry() {
            @Override
            public List<PluginDescriptor<?>> plugins() {
                return list;
            }

            @Override
            public PluginDescriptor<?> find(String n) {
                for (PluginDescriptor<?> d : list) {
                    if (d.name().equals(n)) {
                        return d;
                    }
                }
                return null;
            }
        };
    }

    @Override public String name() { return name; }
    @Override public String className() { return "test." + name; }
    @Override public String configType() { return "java.lang.String"; }
    @Override public List<String> prefetchVars() { return vars; }
    @Override public boolean prefetchRequestBody() { return requestBody; }
    @Override public boolean prefetchResponseBody() { return responseBody; }
    @Override public boolean blocking() { return blocking; }
    @Override public boolean requestState() { return requestState; }
    @Override public RequestFilter<String> requestFilter() { return request; }
    @Override public ResponseFilter<String> responseFilter() { return response; }
    @Override public String configSchema() { return "{}"; }

    @Override
    public String parseConfig(String json) throws ConfigException {
        if ("bad".equals(json)) {
            throw new ConfigException(name, "$", "expected a JSON object");
        }
        return json == null || json.isBlank() ? "{}" : json;
    }
}

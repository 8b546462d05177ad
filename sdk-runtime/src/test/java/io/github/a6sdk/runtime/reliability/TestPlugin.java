package io.github.a6sdk.runtime.reliability;

import io.github.a6sdk.api.ConfigException;
import io.github.a6sdk.api.PluginContext;
import io.github.a6sdk.api.RequestFilter;
import io.github.a6sdk.api.ResponseFilter;
import io.github.a6sdk.api.Startable;
import io.github.a6sdk.api.spi.PluginDescriptor;
import io.github.a6sdk.api.spi.PluginRegistry;
import io.github.a6sdk.runtime.PluginCatalog;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A hand-written descriptor (no processor): config is the raw text, "bad" fails to parse. */
public final class TestPlugin implements PluginDescriptor<String> {
    private final String name;
    private final RequestFilter<String> request;
    private final ResponseFilter<String> response;
    private List<String> vars = List.of();
    private boolean requestBody;
    private boolean responseBody;
    private Startable start;
    private AutoCloseable close;

    public TestPlugin(String name, RequestFilter<String> request, ResponseFilter<String> response) {
        this.name = name;
        this.request = request;
        this.response = response;
    }

    public static TestPlugin request(String name, RequestFilter<String> filter) {
        return new TestPlugin(name, filter, null);
    }

    public static TestPlugin response(String name, ResponseFilter<String> filter) {
        return new TestPlugin(name, null, filter);
    }

    public TestPlugin prefetch(boolean reqBody, boolean respBody, String... names) {
        this.vars = Arrays.asList(names);
        this.requestBody = reqBody;
        this.responseBody = respBody;
        return this;
    }

    public static PluginCatalog catalog(TestPlugin... plugins) {
        List<PluginDescriptor<?>> list = new ArrayList<>(Arrays.asList(plugins));
        PluginRegistry registry = new PluginRegistry() {
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
        return PluginCatalog.of(List.of(registry));
    }

    /** Gives the plugin a start hook and/or a close ({@code null} for none). */
    public TestPlugin lifecycle(Startable start, AutoCloseable close) {
        this.start = start;
        this.close = close;
        return this;
    }

    @Override public String name() { return name; }
    @Override public String className() { return "reliability." + name; }
    @Override public String configType() { return "java.lang.String"; }
    @Override public List<String> prefetchVars() { return vars; }
    @Override public boolean prefetchRequestBody() { return requestBody; }
    @Override public boolean prefetchResponseBody() { return responseBody; }
    @Override public RequestFilter<String> requestFilter() { return request; }
    @Override public ResponseFilter<String> responseFilter() { return response; }
    @Override public String configSchema() { return "{}"; }
    @Override public boolean hasStartHook() { return start != null; }
    @Override public boolean isCloseable() { return close != null; }

    @Override
    public void startPlugin(PluginContext context) throws Exception {
        if (start != null) {
            start.start(context);
        }
    }

    @Override
    public void closePlugin() throws Exception {
        if (close != null) {
            close.close();
        }
    }

    @Override
    public String parseConfig(String json) throws ConfigException {
        if ("bad".equals(json)) {
            throw new ConfigException(name, "$", "expected a JSON object");
        }
        return json == null || json.isBlank() ? "{}" : json;
    }
}

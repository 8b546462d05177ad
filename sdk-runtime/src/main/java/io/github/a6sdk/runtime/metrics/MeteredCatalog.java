package io.github.a6sdk.runtime.metrics;

import io.github.a6sdk.api.ConfigException;
import io.github.a6sdk.api.HttpRequest;
import io.github.a6sdk.api.HttpResponse;
import io.github.a6sdk.api.RequestFilter;
import io.github.a6sdk.api.ResponseFilter;
import io.github.a6sdk.api.UpstreamResponse;
import io.github.a6sdk.api.spi.PluginDescriptor;
import io.github.a6sdk.runtime.PluginCatalog;
import io.github.a6sdk.runtime.call.RequestView;
import io.github.a6sdk.runtime.call.StopResponse;
import io.github.a6sdk.runtime.call.UpstreamView;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-plugin timing without touching the chain: a catalog whose descriptors hand out filters that
 * time and count the real ones. A chain prepared from it runs the wrappers; the phase label is
 * fixed per catalog, chosen from the PrepareConf key (see {@link #phaseOf}). With metrics off the
 * runner never builds one, and chains hold the plugins' own filters.
 */
final class MeteredCatalog {
    private MeteredCatalog() {}

    /**
     * The phase a PrepareConf key names: APISIX's keys look like {@code route#1#ext-plugin-pre-req#<version>};
     * {@code -1} when the key (from another client, or a future APISIX) names none.
     */
    static int phaseOf(String key) {
        if (key == null) {
            return -1;
        }
        for (String part : key.split("#", -1)) {
            switch (part) {
                case "ext-plugin-pre-req": return Registry.PRE_REQ;
                case "ext-plugin-post-req": return Registry.POST_REQ;
                case "ext-plugin-post-resp": return Registry.POST_RESP;
                default: break;
            }
        }
        return -1;
    }

    /**
     * A catalog of {@code catalog}'s plugins, metered in {@code requestPhase} and {@code responsePhase}.
     */
    static PluginCatalog of(PluginCatalog catalog, Registry registry, int requestPhase, int responsePhase) {
        List<PluginDescriptor<?>> wrapped = new ArrayList<>();
        for (PluginDescriptor<?> d : catalog.plugins()) {
            wrapped.add(wrap(d, registry.plugin(d.name()), requestPhase, responsePhase));
        }
        return PluginCatalog.ofPlugins(wrapped);
    }

    private static <C> PluginDescriptor<C> wrap(PluginDescriptor<C> d, Registry.PluginStats stats, int requestPhase,
            int responsePhase) {
        RequestFilter<C> request = d.requestFilter() == null ? null
                : new TimedRequest<>(d.requestFilter(), stats, requestPhase);
        ResponseFilter<C> response = d.responseFilter() == null ? null
                : new TimedResponse<>(d.responseFilter(), stats, responsePhase);
        return new Metered<>(d, request, response);
    }

    /** Times the plugin's request filter; outcome from the views the runtime passes in. */
    private static final class TimedRequest<C> implements RequestFilter<C> {
        private final RequestFilter<C> filter;
        private final Registry.PluginStats stats;
        private final int phase;

        TimedRequest(RequestFilter<C> filter, Registry.PluginStats stats, int phase) {
            this.filter = filter;
            this.stats = stats;
            this.phase = phase;
        }

        @Override
        public void filter(C config, HttpRequest request, HttpResponse response) throws Exception {
            boolean rewrittenBefore = request instanceof RequestView && ((RequestView) request).isRewritten();
            int outcome = Registry.ERROR;
            long start = System.nanoTime();
            try {
                filter.filter(config, request, response);
                if (response instanceof StopResponse && ((StopResponse) response).isStopped()) {
                    outcome = Registry.STOP;
                } else if (!rewrittenBefore && request instanceof RequestView && ((RequestView) request).isRewritten()) {
                    outcome = Registry.REWRITE;
                } else {
                    outcome = Registry.PASS;
                }
            } finally {
                stats.record(phase, outcome, System.nanoTime() - start);
            }
        }
    }

    /** Times the plugin's response filter; {@code rewrite} when it changed status, headers or body. */
    private static final class TimedResponse<C> implements ResponseFilter<C> {
        private final ResponseFilter<C> filter;
        private final Registry.PluginStats stats;
        private final int phase;

        TimedResponse(ResponseFilter<C> filter, Registry.PluginStats stats, int phase) {
            this.filter = filter;
            this.stats = stats;
            this.phase = phase;
        }

        @Override
        public void filter(C config, UpstreamResponse response) throws Exception {
            boolean changedBefore = changed(response);
            int outcome = Registry.ERROR;
            long start = System.nanoTime();
            try {
                filter.filter(config, response);
                outcome = !changedBefore && changed(response) ? Registry.REWRITE : Registry.PASS;
            } finally {
                stats.record(phase, outcome, System.nanoTime() - start);
            }
        }

        private static boolean changed(UpstreamResponse response) {
            if (!(response instanceof UpstreamView)) {
                return false;
            }
            UpstreamView v = (UpstreamView) response;
            return v.changedStatus() != 0 || v.changedHeaders() != null || v.changedBody() != null;
        }
    }

    /** The plugin's descriptor with metered filters; everything else is the plugin's own. */
    private static final class Metered<C> implements PluginDescriptor<C> {
        private final PluginDescriptor<C> d;
        private final RequestFilter<C> request;
        private final ResponseFilter<C> response;

        Metered(PluginDescriptor<C> d, RequestFilter<C> request, ResponseFilter<C> response) {
            this.d = d;
            this.request = request;
            this.response = response;
        }

        @Override
        public String name() {
            return d.name();
        }

        @Override
        public String className() {
            return d.className();
        }

        @Override
        public String configType() {
            return d.configType();
        }

        @Override
        public List<String> prefetchVars() {
            return d.prefetchVars();
        }

        @Override
        public boolean prefetchRequestBody() {
            return d.prefetchRequestBody();
        }

        @Override
        public boolean prefetchResponseBody() {
            return d.prefetchResponseBody();
        }

        @Override
        public boolean blocking() {
            return d.blocking(); // a metered chain runs where the plugin would: loop or worker
        }

        @Override
        public boolean requestState() {
            return d.requestState();
        }

        @Override
        public boolean hasStartHook() {
            return d.hasStartHook();
        }

        @Override
        public void startPlugin(io.github.a6sdk.api.PluginContext context) throws Exception {
            d.startPlugin(context);
        }

        @Override
        public boolean isCloseable() {
            return d.isCloseable();
        }

        @Override
        public void closePlugin() throws Exception {
            d.closePlugin();
        }

        @Override
        public RequestFilter<C> requestFilter() {
            return request;
        }

        @Override
        public ResponseFilter<C> responseFilter() {
            return response;
        }

        @Override
        public C parseConfig(String json) throws ConfigException {
            return d.parseConfig(json);
        }

        @Override
        public String configSchema() {
            return d.configSchema();
        }
    }
}

package io.github.a6sdk.api;

/**
 * A plugin of the request phase: APISIX's {@code ext-plugin-pre-req} and {@code ext-plugin-post-req}.
 *
 * <p>One instance serves every route and every connection at once, so it must be thread-safe;
 * per-route state belongs in the config record, which is parsed once per route configuration.
 *
 * @param <C> the config record, parsed from the route's JSON at PrepareConf time
 */
@FunctionalInterface
public interface RequestFilter<C> {

    /**
     * Runs the plugin for one request. Change {@code request} to rewrite the request and keep
     * proxying; write to {@code response} to answer the client now, which ends the chain.
     * An exception fails this call only: APISIX answers the client with 503 (or skips the plugin
     * when the route has {@code allow_degradation}).
     */
    void filter(C config, HttpRequest request, HttpResponse response) throws Exception;
}

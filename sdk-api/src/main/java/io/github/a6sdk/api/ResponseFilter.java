package io.github.a6sdk.api;

/**
 * A plugin of the response phase: APISIX's {@code ext-plugin-post-resp}, called with the upstream
 * response before it reaches the client.
 *
 * <p>One instance serves every route and every connection at once, so it must be thread-safe.
 *
 * @param <C> the config record, parsed from the route's JSON at PrepareConf time
 */
@FunctionalInterface
public interface ResponseFilter<C> {

    /** Runs the plugin for one upstream response; changes go to the client. */
    void filter(C config, UpstreamResponse response) throws Exception;
}

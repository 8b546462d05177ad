package io.github.a6sdk.runtime;

import io.github.a6sdk.api.ConfigException;
import io.github.a6sdk.api.RequestFilter;
import io.github.a6sdk.api.ResponseFilter;
import io.github.a6sdk.api.spi.PluginDescriptor;
import io.github.a6sdk.runtime.call.RequestView;
import io.github.a6sdk.runtime.call.StopResponse;
import io.github.a6sdk.runtime.call.UpstreamView;
import io.github.a6sdk.runtime.protocol.DecodeException;
import io.github.a6sdk.runtime.protocol.ExtraInfoFailedException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One PrepareConf made ready to run: the plugins in configured order with their parsed configs,
 * and what they declared for prefetch, merged per phase. Immutable and shared by every connection.
 */
public final class Chain {
    private final Link<?>[] links;
    private final List<String> requestVars;
    private final boolean requestBody;
    private final List<String> responseVars;
    private final boolean responseRequestBody;
    private final boolean responseBody;
    private final boolean blocking;
    /** Whether a plugin of the phase declares request state: the chain then fetches request_id and keeps state. */
    private final boolean requestState;
    private final boolean responseState;
    private final RequestStates states;

    private Chain(Link<?>[] links, RequestStates states) {
        this.links = links;
        this.states = states;
        boolean anyBlocking = false;
        Set<String> reqVars = new LinkedHashSet<>();
        Set<String> respVars = new LinkedHashSet<>();
        boolean reqBody = false;
        boolean respReqBody = false;
        boolean respBody = false;
        boolean reqState = false;
        boolean respState = false;
        for (Link<?> link : links) {
            PluginDescriptor<?> d = link.descriptor;
            anyBlocking |= d.blocking();
            if (d.requestFilter() != null) {
                reqVars.addAll(d.prefetchVars());
                reqBody |= d.prefetchRequestBody();
                reqState |= link.state;
            }
            if (d.responseFilter() != null) {
                respVars.addAll(d.prefetchVars());
                respReqBody |= d.prefetchRequestBody();
                respBody |= d.prefetchResponseBody();
                respState |= link.state;
            }
        }
        // Request state is keyed by $request_id: one more variable in the prefetch round the call makes
        // anyway, asked only by chains that use state.
        if (reqState) {
            reqVars.add(RequestStates.REQUEST_ID);
        }
        if (respState) {
            respVars.add(RequestStates.REQUEST_ID);
        }
        this.requestState = reqState;
        this.responseState = respState;
        this.requestVars = List.copyOf(reqVars);
        this.requestBody = reqBody;
        this.responseVars = List.copyOf(respVars);
        this.responseRequestBody = respReqBody;
        this.responseBody = respBody;
        this.blocking = anyBlocking;
    }

    /** Whether a plugin of the chain may block ({@code @ApisixPlugin(blocking)}): its calls then run on a worker. */
    public boolean blocking() {
        return blocking;
    }

    /** How many ExtraInfo questions the prefetch round of a call asks (request or response phase). */
    public int prefetchCount(boolean responsePhase) {
        return prefetchVars(responsePhase).size() + (prefetchRequestBody(responsePhase) ? 1 : 0)
                + (prefetchResponseBody(responsePhase) ? 1 : 0);
    }

    /** The variables the prefetch round asks for, in order. */
    public List<String> prefetchVars(boolean responsePhase) {
        return responsePhase ? responseVars : requestVars;
    }

    /** Whether the prefetch round asks for the request body. */
    public boolean prefetchRequestBody(boolean responsePhase) {
        return responsePhase ? responseRequestBody : requestBody;
    }

    /** Whether the prefetch round asks for the upstream response body. */
    public boolean prefetchResponseBody(boolean responsePhase) {
        return responsePhase && responseBody;
    }

    /** A named plugin config from a PrepareConf. */
    public record Entry(String name, String config) {}

    /** Whether a plugin of the phase uses request state, so that the chain fetches {@code request_id}. */
    public boolean usesRequestState(boolean responsePhase) {
        return responsePhase ? responseState : requestState;
    }

    /**
     * Resolves and parses every entry, failing on the first unknown plugin or bad config. Request
     * state lasts one call (see {@link #prepare(PluginCatalog, List, RequestStates)}).
     *
     * @throws ConfigException naming the plugin and, for a bad config, the field
     */
    public static Chain prepare(PluginCatalog catalog, List<Entry> entries) throws ConfigException {
        return prepare(catalog, entries, RequestStates.PER_CALL);
    }

    /**
     * Resolves and parses every entry, failing on the first unknown plugin or bad config; the
     * plugins that use request state keep it in {@code states}.
     *
     * @throws ConfigException naming the plugin and, for a bad config, the field
     */
    public static Chain prepare(PluginCatalog catalog, List<Entry> entries, RequestStates states)
            throws ConfigException {
        Link<?>[] links = new Link<?>[entries.size()];
        for (int i = 0; i < links.length; i++) {
            Entry e = entries.get(i);
            PluginDescriptor<?> d = e.name() == null ? null : catalog.find(e.name());
            if (d == null) {
                throw new ConfigException(String.valueOf(e.name()), null,
                        "no such plugin in this runner (it has: " + String.join(", ", catalog.names()) + ")");
            }
            links[i] = link(d, e.config());
        }
        return new Chain(links, states);
    }

    /** A chain of already-parsed configs (for tests). */
    public static <C> Chain of(PluginDescriptor<C> descriptor, C config) {
        return of(descriptor, config, RequestStates.PER_CALL);
    }

    /** A chain of an already-parsed config whose request state is kept in {@code states} (for tests). */
    public static <C> Chain of(PluginDescriptor<C> descriptor, C config, RequestStates states) {
        return new Chain(new Link<?>[] {new Link<>(descriptor, config)}, states);
    }

    /** This chain's plugins followed by {@code next}'s, as one chain (one prefetch round), keeping state in this one's store. */
    public Chain then(Chain next) {
        Link<?>[] all = java.util.Arrays.copyOf(links, links.length + next.links.length);
        System.arraycopy(next.links, 0, all, links.length, next.links.length);
        return new Chain(all, states);
    }

    private static <C> Link<C> link(PluginDescriptor<C> d, String json) throws ConfigException {
        return new Link<>(d, d.parseConfig(json));
    }

    /** Runner-wide knowledge of which plugins block, cached here: see {@link #knownBlocking}. */
    private volatile int knownAt = -1;
    private volatile boolean knownBlocking;

    /**
     * Whether a plugin of this chain is known to block, by {@code blocks}, which names the plugins
     * seen to block; {@code generation} changes whenever it learns one (the answer is kept until then).
     */
    public boolean knownBlocking(int generation, java.util.function.Predicate<String> blocks) {
        if (knownAt != generation) {
            boolean any = false;
            for (Link<?> link : links) {
                any |= blocks.test(link.descriptor.name());
            }
            knownBlocking = any;
            knownAt = generation;
        }
        return knownBlocking;
    }

    /** The plugin of a chain of one, or {@code null}. */
    public PluginDescriptor<?> soleDescriptor() {
        return links.length == 1 ? links[0].descriptor : null;
    }

    /** The plugin of this chain whose class is {@code className} (a binary name, as in a stack frame), or {@code null}. */
    public PluginDescriptor<?> pluginOfClass(String className) {
        String canonical = className.replace('$', '.');
        for (Link<?> link : links) {
            if (link.descriptor.className().equals(canonical) || link.descriptor.className().equals(className)) {
                return link.descriptor;
            }
        }
        return null;
    }

    /** The plugin names in order. */
    public List<String> names() {
        List<String> names = new ArrayList<>(links.length);
        for (Link<?> link : links) {
            names.add(link.descriptor.name());
        }
        return names;
    }

    public int size() {
        return links.length;
    }

    /** Runs the request phase: prefetch, then each plugin in order until one stops the request. */
    public void runRequest(RequestView request, StopResponse response) throws PluginFailure {
        if (!requestVars.isEmpty() || requestBody) {
            request.prefetch(requestVars, requestBody);
        }
        if (requestState) {
            runRequestWithState(request, response);
            return;
        }
        for (Link<?> link : links) {
            link.runRequest(request, response);
            if (response.isStopped()) {
                return;
            }
        }
    }

    /**
     * The request phase of a chain that uses state: each plugin that declares it gets the request's
     * state; a stop ends it, otherwise it is kept for the later phases (see {@link RequestStates}).
     */
    private void runRequestWithState(RequestView request, StopResponse response) throws PluginFailure {
        RequestStates.Values state = states.open(request.var(RequestStates.REQUEST_ID));
        try {
            for (Link<?> link : links) {
                request.useState(link.state ? state : null);
                link.runRequest(request, response);
                if (response.isStopped()) {
                    return;
                }
            }
        } finally {
            request.useState(null);
            states.endCall(state, response.isStopped());
        }
    }

    /** Runs the response phase: prefetch, then each plugin in order. */
    public void runResponse(UpstreamView response) throws PluginFailure {
        if (!responseVars.isEmpty() || responseRequestBody || responseBody) {
            response.prefetch(responseVars, responseRequestBody, responseBody);
        }
        if (responseState) {
            // post-resp is a request's last phase: its state leaves the store and ends with this call
            RequestStates.Values state = states.take(response.var(RequestStates.REQUEST_ID));
            try {
                for (Link<?> link : links) {
                    response.useState(link.state ? state : null);
                    link.runResponse(response);
                }
            } finally {
                response.useState(null);
            }
            return;
        }
        for (Link<?> link : links) {
            link.runResponse(response);
        }
    }

    private static final class Link<C> {
        final PluginDescriptor<C> descriptor;
        final C config;
        final RequestFilter<C> requestFilter;
        final ResponseFilter<C> responseFilter;
        /** The plugin declares request state. */
        final boolean state;

        Link(PluginDescriptor<C> descriptor, C config) {
            this.descriptor = descriptor;
            this.config = config;
            this.state = descriptor.requestState();
            this.requestFilter = descriptor.requestFilter();
            this.responseFilter = descriptor.responseFilter();
        }

        void runRequest(RequestView request, StopResponse response) throws PluginFailure {
            if (requestFilter == null) {
                throw new PluginFailure(descriptor.name(), "plugin \"" + descriptor.name()
                        + "\" has no request filter, so it cannot run in ext-plugin-pre-req or ext-plugin-post-req;"
                        + " configure it under ext-plugin-post-resp", null);
            }
            try {
                requestFilter.filter(config, request, response);
            } catch (ExtraInfoFailedException | DecodeException e) {
                throw e;
            } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
                throw new PluginFailure(descriptor.name(), "plugin \"" + descriptor.name() + "\" threw " + e, e);
            }
        }

        void runResponse(UpstreamView response) throws PluginFailure {
            if (responseFilter == null) {
                throw new PluginFailure(descriptor.name(), "plugin \"" + descriptor.name()
                        + "\" has no response filter, so it cannot run in ext-plugin-post-resp;"
                        + " configure it under ext-plugin-pre-req or ext-plugin-post-req", null);
            }
            try {
                responseFilter.filter(config, response);
            } catch (ExtraInfoFailedException | DecodeException e) {
                throw e;
            } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
                throw new PluginFailure(descriptor.name(), "plugin \"" + descriptor.name() + "\" threw " + e, e);
            }
        }
    }
}

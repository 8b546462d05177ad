package io.github.a6sdk.testkit;

import io.github.a6sdk.api.ConfigException;
import io.github.a6sdk.api.Method;
import io.github.a6sdk.api.spi.PluginDescriptor;
import io.github.a6sdk.runtime.Chain;
import io.github.a6sdk.runtime.PluginCatalog;
import io.github.a6sdk.runtime.PluginFailure;
import io.github.a6sdk.runtime.RequestStates;
import io.github.a6sdk.runtime.call.EntrySource;
import io.github.a6sdk.runtime.call.ExtraInfo;
import io.github.a6sdk.runtime.call.RequestData;
import io.github.a6sdk.runtime.call.RequestView;
import io.github.a6sdk.runtime.call.ResponseData;
import io.github.a6sdk.runtime.call.StopResponse;
import io.github.a6sdk.runtime.call.UpstreamView;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs plugins in memory, through the runtime's own {@link Chain}, views and encoder, so that the
 * outcome is exactly what the runner would answer over the wire. Configs are given as JSON text
 * (parsed by the generated parser, as a PrepareConf would) or as ready records. Immutable; each
 * call gets fresh views.
 *
 * <pre>{@code
 * PluginChain chain = PluginChain.of(new Say_Descriptor(), "{\"body\":\"hello\"}");
 * RequestOutcome out = chain.request(TestRequest.get("/hi"));
 * assertEquals("hello", out.stopped().bodyAsString());
 * }</pre>
 */
public final class PluginChain {
    /**
     * Request state of every in-memory chain, as one runner keeps it: a request's phases run through
     * different chains ({@code PluginChain} objects) share it through the {@link TestRequest}'s request id.
     */
    static final RequestStates STATES = new RequestStates(RequestStates.DEFAULT_MAX_ENTRIES,
            RequestStates.DEFAULT_TTL_SECONDS);

    private final List<Step> steps;

    private record Step(PluginDescriptor<?> descriptor, String json, Chain chain) {}

    private PluginChain(List<Step> steps) {
        this.steps = List.copyOf(steps);
    }

    /** A chain of one plugin whose config is JSON text; a bad config throws {@link IllegalArgumentException}. */
    public static PluginChain of(PluginDescriptor<?> descriptor, String json) {
        return new PluginChain(List.of()).then(descriptor, json);
    }

    /** A chain of one plugin with a ready config (no parsing). */
    public static <C> PluginChain of(PluginDescriptor<C> descriptor, C config) {
        return new PluginChain(List.of()).then(descriptor, config);
    }

    /** A chain of one plugin found by name among the plugins on the class path (their generated registries). */
    public static PluginChain of(String name, String json) {
        return of(find(name), json);
    }

    /** Appends a plugin whose config is JSON text. */
    public PluginChain then(PluginDescriptor<?> descriptor, String json) {
        try {
            Chain single = Chain.prepare(catalog(List.of(descriptor)), List.of(new Chain.Entry(descriptor.name(), json)),
                    STATES);
            List<Step> next = new ArrayList<>(steps);
            next.add(new Step(descriptor, json, single));
            return new PluginChain(next);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Appends a plugin with a ready config. */
    public <C> PluginChain then(PluginDescriptor<C> descriptor, C config) {
        List<Step> next = new ArrayList<>(steps);
        next.add(new Step(descriptor, null, Chain.of(descriptor, config, STATES)));
        return new PluginChain(next);
    }

    /** Appends a plugin found by name on the class path. */
    public PluginChain then(String name, String json) {
        return then(find(name), json);
    }

    /**
     * Parses {@code json} as {@code descriptor}'s config, exactly as a PrepareConf would, and returns
     * the error; an {@link AssertionError} when the config is accepted.
     */
    public static ConfigException configError(PluginDescriptor<?> descriptor, String json) {
        Object parsed;
        try {
            parsed = descriptor.parseConfig(json);
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("expected plugin \"" + descriptor.name() + "\" to reject " + json + " but it parsed "
                + parsed);
    }

    /** The plugin named {@code name} among the registries on the class path. */
    public static PluginDescriptor<?> find(String name) {
        PluginCatalog catalog = PluginCatalog.load(Thread.currentThread().getContextClassLoader());
        PluginDescriptor<?> d = catalog.find(name);
        if (d == null) {
            throw new IllegalArgumentException(noSuchPlugin(name, catalog));
        }
        return d;
    }

    /** {@code no such plugin "x" ... is sdk-processor on the annotationProcessorPaths ...?} */
    static String noSuchPlugin(String name, PluginCatalog catalog) {
        return "no such plugin \"" + name + "\" on the class path (found: "
                + (catalog.names().isEmpty() ? "none" : String.join(", ", catalog.names())) + "); "
                + PluginCatalog.PROCESSOR_HINT;
    }

    /** The plugin names in order. */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        steps.forEach(s -> out.add(s.descriptor().name()));
        return out;
    }

    /** Runs the request phase ({@code ext-plugin-pre-req} / {@code post-req}). */
    public RequestOutcome request(TestRequest request) {
        RequestView view = new RequestView(data(request), extraInfo(request, null));
        StopResponse response = new StopResponse();
        try {
            chain().runRequest(view, response);
        } catch (PluginFailure f) {
            return new RequestOutcome(f.getMessage() + " (APISIX answers the client 503)", f.getCause());
        }
        return new RequestOutcome(WireReplies.request(request.id, view, response));
    }

    /** Runs the response phase ({@code ext-plugin-post-resp}). */
    public ResponseOutcome response(TestUpstream upstream) {
        ResponseData data = new ResponseData() {
            @Override
            public long id() {
                return upstream.id;
            }

            @Override
            public int status() {
                return upstream.status;
            }

            @Override
            public EntrySource headers() {
                return entries(upstream.headers);
            }
        };
        UpstreamView view = new UpstreamView(data, new ExtraInfo() {
            @Override
            public byte[] var(String name) {
                return upstream.var(name);
            }

            @Override
            public byte[] requestBody() {
                return upstream.requestBody();
            }

            @Override
            public byte[] responseBody() {
                return upstream.body();
            }
        });
        try {
            chain().runResponse(view);
        } catch (PluginFailure f) {
            return new ResponseOutcome(f.getMessage() + " (APISIX streams the upstream body with status 503)",
                    f.getCause(), upstream);
        }
        return new ResponseOutcome(WireReplies.response(upstream.id, view), upstream);
    }

    /**
     * The steps as one runtime Chain, as a PrepareConf of the same list would make: one prefetch round
     * per call, one request state.
     */
    private Chain chain() {
        if (steps.isEmpty()) {
            throw new IllegalStateException("the chain has no plugins");
        }
        Chain all = steps.get(0).chain();
        for (int i = 1; i < steps.size(); i++) {
            all = all.then(steps.get(i).chain());
        }
        return all;
    }

    static PluginCatalog catalog(List<PluginDescriptor<?>> descriptors) {
        return PluginCatalog.ofPlugins(descriptors);
    }

    private static RequestData data(TestRequest r) {
        byte[] ip;
        try {
            ip = InetAddress.getByName(r.sourceIp).getAddress();
        } catch (UnknownHostException e) {
            ip = null;
        }
        byte[] sourceIp = ip;
        return new RequestData() {
            @Override
            public long id() {
                return r.id;
            }

            @Override
            public int method() {
                return Method.valueOf(r.method).ordinal();
            }

            @Override
            public String path() {
                return r.path;
            }

            @Override
            public byte[] sourceIp() {
                return sourceIp;
            }

            @Override
            public EntrySource headers() {
                return entries(r.headers);
            }

            @Override
            public EntrySource args() {
                return entries(r.args);
            }
        };
    }

    private static ExtraInfo extraInfo(TestRequest r, byte[] responseBody) {
        return new ExtraInfo() {
            @Override
            public byte[] var(String name) {
                return r.var(name);
            }

            @Override
            public byte[] requestBody() {
                return r.body();
            }

            @Override
            public byte[] responseBody() {
                return responseBody;
            }
        };
    }

    static EntrySource entries(List<Field> fields) {
        String[] flat = new String[fields.size() * 2];
        for (int i = 0; i < fields.size(); i++) {
            flat[2 * i] = fields.get(i).name();
            flat[2 * i + 1] = fields.get(i).value();
        }
        return EntrySource.of(flat);
    }
}

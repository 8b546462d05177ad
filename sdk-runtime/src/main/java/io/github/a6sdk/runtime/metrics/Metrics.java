package io.github.a6sdk.runtime.metrics;

import io.github.a6sdk.runtime.Chain;
import io.github.a6sdk.runtime.Main;
import io.github.a6sdk.runtime.PluginCatalog;
import io.github.a6sdk.runtime.protocol.Rpc;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * What the runner records for Prometheus ({@code A6_METRICS_ADDRESS}), and the calls the server
 * core makes to record it. The runner holds one only when the variable is set; every hook in the
 * core is {@code if (metrics != null) metrics.x(...)}, so with metrics off nothing is recorded and
 * nothing listens. With metrics on, each hook is an allocation-free add on striped cells
 * ({@link StripedCells}); per-plugin timing comes from the chain being prepared from
 * {@link #catalogFor}, whose filters time the plugin's own.
 */
public final class Metrics implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.github.a6sdk.runtime");

    /** ExtraInfo kinds, for {@link #extraInfo(int)}. */
    public static final int EXTRA_VAR = 0;
    public static final int EXTRA_REQ_BODY = 1;
    public static final int EXTRA_RESP_BODY = 2;

    /** Frame error reasons, for {@link #frameError}: a frame that does not decode (answered BAD_REQUEST). */
    public static final int FRAME_UNDECODABLE = 0;
    /** A frame of a type that cannot come at that point (answered BAD_REQUEST). */
    public static final int FRAME_UNEXPECTED_TYPE = 1;
    /** A framing or exchange error that closes the connection (cut frame, wrong answer to ExtraInfo). */
    public static final int FRAME_PROTOCOL = 2;
    /** A frame begun and never finished within A6_CALL_TIMEOUT_MS (connection closed). */
    public static final int FRAME_STALLED = 3;

    private final Registry registry;
    /** By phase named in the PrepareConf key: pre-req, post-req, post-resp, none. */
    private final PluginCatalog[] catalogs = new PluginCatalog[4];
    private volatile MetricsEndpoint endpoint;

    private Metrics(Registry registry, PluginCatalog catalog) {
        this.registry = registry;
        catalogs[Registry.PRE_REQ] = MeteredCatalog.of(catalog, registry, Registry.PRE_REQ, Registry.RESPONSE);
        catalogs[Registry.POST_REQ] = MeteredCatalog.of(catalog, registry, Registry.POST_REQ, Registry.RESPONSE);
        catalogs[Registry.POST_RESP] = MeteredCatalog.of(catalog, registry, Registry.REQUEST, Registry.POST_RESP);
        catalogs[3] = MeteredCatalog.of(catalog, registry, Registry.REQUEST, Registry.RESPONSE);
    }

    /** Recording without an endpoint (benchmarks, tests). */
    public static Metrics create(PluginCatalog catalog, IntSupplier openConnections, IntSupplier confEntries,
            String transport, String threads) {
        return new Metrics(new Registry(catalog, openConnections, confEntries, Main.version(), transport, threads),
                catalog);
    }

    /**
     * Starts the endpoint on {@code address} (the value of {@code A6_METRICS_ADDRESS}). Returns
     * {@code null} when it is unset. A bad value or an address that cannot be bound is logged as an
     * ERROR naming the variable, and also gives {@code null}: the runner goes on serving APISIX, without
     * metrics, as a scrape endpoint must never take the plugins down.
     */
    public static Metrics start(String address, PluginCatalog catalog, BooleanSupplier accepting,
            IntSupplier openConnections, IntSupplier confEntries, String transport, String threads) {
        if (address == null || address.isBlank()) {
            return null;
        }
        try {
            InetSocketAddress where = MetricsEndpoint.parse(address);
            Metrics m = create(catalog, openConnections, confEntries, transport, threads);
            try {
                m.endpoint = MetricsEndpoint.start(where, m::scrape, accepting);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.ERROR, "{0}={1}: cannot listen on {2} ({3}); serving APISIX without metrics",
                        MetricsEndpoint.VARIABLE, address, where, e.getMessage() == null ? e.toString() : e.getMessage());
                return null;
            }
            LOG.log(Level.INFO, "metrics on http://{0}/metrics, health on /healthz ({1})",
                    hostPort(m.endpoint.address()), MetricsEndpoint.VARIABLE);
            return m;
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, "{0}; serving APISIX without metrics", e.getMessage());
            return null;
        }
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** Every metric family name, for {@code describe --json}. */
    public static List<String> names() {
        return Registry.NAMES;
    }

    /** Where the endpoint listens, or {@code null} without one. */
    public InetSocketAddress address() {
        MetricsEndpoint e = endpoint;
        return e == null ? null : e.address();
    }

    /** The catalog to prepare a chain from, for a PrepareConf with this key: its filters are timed in the key's phase. */
    public PluginCatalog catalogFor(String prepareConfKey) {
        int phase = MeteredCatalog.phaseOf(prepareConfKey);
        return catalogs[phase < 0 ? 3 : phase];
    }

    /** Exports {@code states}' size and how many requests' values expired or were pushed out. */
    public void exportRequestStates(io.github.a6sdk.runtime.RequestStates states) {
        registry.requestStates = states;
    }

    public void prepared() {
        registry.counters.add(Registry.PREPARE, 1);
    }

    /** A PrepareConf was rejected: {@code unknown_plugin} if one of its names is not in the catalog, else {@code bad_config}. */
    public void prepareRejected(PluginCatalog catalog, List<Chain.Entry> entries) {
        boolean unknown = false;
        for (Chain.Entry e : entries) {
            unknown |= e.name() == null || catalog.find(e.name()) == null;
        }
        registry.counters.add(Registry.PREPARE + (unknown ? 1 : 2), 1);
    }

    public void tokenMiss() {
        registry.counters.add(Registry.TOKEN_MISSES, 1);
    }

    /** A call of frame type {@code rpcType} ended (reply written); only HTTPReqCall and HTTPRespCall are timed. */
    public void callEnded(int rpcType, long startNanos) {
        if (rpcType == Rpc.HTTP_REQ_CALL) {
            registry.callDuration[0].observe(System.nanoTime() - startNanos);
        } else if (rpcType == Rpc.HTTP_RESP_CALL) {
            registry.callDuration[1].observe(System.nanoTime() - startNanos);
        }
    }

    /** One ExtraInfo question of {@code kind} ({@link #EXTRA_VAR}, {@link #EXTRA_REQ_BODY}, {@link #EXTRA_RESP_BODY}). */
    public void extraInfo(int kind) {
        registry.counters.add(Registry.EXTRA_INFO + kind, 1);
    }

    /** A pipelined fetch: {@code vars} variables and the bodies asked for. */
    public void extraInfo(int vars, boolean requestBody, boolean responseBody) {
        if (vars > 0) {
            registry.counters.add(Registry.EXTRA_INFO + EXTRA_VAR, vars);
        }
        if (requestBody) {
            extraInfo(EXTRA_REQ_BODY);
        }
        if (responseBody) {
            extraInfo(EXTRA_RESP_BODY);
        }
    }

    public void callTimedOut() {
        registry.counters.add(Registry.TIMEOUTS, 1);
    }

    /** A bad frame; {@code reason} is one of the {@code FRAME_*} constants. */
    public void frameError(int reason) {
        registry.counters.add(Registry.FRAME_ERRORS + reason, 1);
    }

    public void accepted() {
        registry.counters.add(Registry.ACCEPTED, 1);
    }

    /** A connection refused at A6_MAX_CONNECTIONS (reason "limit"). */
    public void refused() {
        registry.counters.add(Registry.REFUSED, 1);
    }

    /** Accepting paused for want of resources (one episode). */
    public void acceptPaused() {
        registry.counters.add(Registry.ACCEPT_PAUSES, 1);
    }

    /** Where the conf cache's held bytes and evictions are read at a scrape. */
    public void watchConfCache(java.util.function.LongSupplier bytes, java.util.function.LongSupplier evictions) {
        registry.confBytes = bytes;
        registry.confEvictions = evictions;
    }

    /** A connection refused because A6_ALLOWED_PEERS does not list its peer (reason "peer"). */
    public void refusedPeer() {
        registry.counters.add(Registry.REFUSED + 1, 1);
    }

    /** The text a scrape gets: the runner's families, then the process and JVM ones. */
    public String scrape() {
        TextFormat out = new TextFormat();
        registry.write(out);
        ProcessCollector.write(out);
        return out.toString();
    }

    /** Stops the endpoint (the runner has stopped). */
    @Override
    public void close() {
        MetricsEndpoint e = endpoint;
        if (e != null) {
            e.close();
        }
    }
}

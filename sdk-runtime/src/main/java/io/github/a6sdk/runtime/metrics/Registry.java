package io.github.a6sdk.runtime.metrics;

import io.github.a6sdk.api.spi.PluginDescriptor;
import io.github.a6sdk.runtime.PluginCatalog;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * The runner's own metric families and their instruments. Every label value comes from a fixed set
 * below or from a compiled-in plugin name, never from a request, so the number of series is known
 * when the runner starts: at most 18 call series and one histogram per plugin, plus a fixed few.
 */
final class Registry {
    // Phases: where APISIX ran the plugin. The first three come from the PrepareConf key
    // (route#1#ext-plugin-pre-req#...); "request"/"response" when the key names no phase.
    static final String[] PHASES = {"pre-req", "post-req", "post-resp", "request", "response"};
    static final int PRE_REQ = 0;
    static final int POST_REQ = 1;
    static final int POST_RESP = 2;
    static final int REQUEST = 3;
    static final int RESPONSE = 4;

    static final String[] OUTCOMES = {"pass", "rewrite", "stop", "error"};
    static final int PASS = 0;
    static final int REWRITE = 1;
    static final int STOP = 2;
    static final int ERROR = 3;

    static final String[] CALL_KINDS = {"HTTPReqCall", "HTTPRespCall"};
    static final String[] EXTRA_INFO_KINDS = {"var", "req_body", "resp_body"};
    static final String[] PREPARE_OUTCOMES = {"ok", "unknown_plugin", "bad_config"};
    static final String[] FRAME_ERROR_REASONS = {"undecodable", "unexpected_type", "protocol", "stalled"};
    /** Why a connection was refused: A6_MAX_CONNECTIONS reached (or draining), or a peer A6_ALLOWED_PEERS does not list. */
    static final String[] REFUSAL_REASONS = {"limit", "peer"};

    // Slots of the one block of runner-wide counters.
    static final int EXTRA_INFO = 0;
    static final int PREPARE = EXTRA_INFO + EXTRA_INFO_KINDS.length;
    static final int TOKEN_MISSES = PREPARE + PREPARE_OUTCOMES.length;
    static final int ACCEPTED = TOKEN_MISSES + 1;
    static final int REFUSED = ACCEPTED + 1;
    static final int TIMEOUTS = REFUSED + REFUSAL_REASONS.length;
    static final int FRAME_ERRORS = TIMEOUTS + 1;
    static final int ACCEPT_PAUSES = FRAME_ERRORS + FRAME_ERROR_REASONS.length;
    private static final int COUNTERS = ACCEPT_PAUSES + 1;

    /** Every family this runner exposes, for {@code describe --json} and the README. */
    static final List<String> NAMES = List.of(
            "a6_plugin_calls_total", "a6_plugin_duration_seconds", "a6_call_duration_seconds", "a6_extra_info_total",
            "a6_prepare_conf_total", "a6_conf_cache_entries", "a6_conf_token_misses_total", "a6_connections_open",
            "a6_connections_accepted_total", "a6_connections_refused_total", "a6_call_timeouts_total",
            "a6_frame_errors_total", "a6_accept_pauses_total", "a6_conf_cache_bytes", "a6_conf_cache_evictions_total",
            "a6_runner_info", "a6_request_state_entries", "a6_request_state_evictions_total",
            ProcessCollector.CPU, ProcessCollector.RSS, ProcessCollector.VIRTUAL, ProcessCollector.START,
            ProcessCollector.OPEN_FDS, ProcessCollector.MAX_FDS, ProcessCollector.MEMORY_USED,
            ProcessCollector.MEMORY_COMMITTED, ProcessCollector.MEMORY_MAX, ProcessCollector.GC,
            ProcessCollector.THREADS, ProcessCollector.THREADS_DAEMON, ProcessCollector.THREADS_PEAK);

    /** One plugin's counts (phase x outcome) and its time in filter. */
    static final class PluginStats {
        final String name;
        final boolean request;
        final boolean response;
        private final StripedCells calls = new StripedCells(PHASES.length * OUTCOMES.length);
        final Histogram duration = new Histogram();

        PluginStats(String name, boolean request, boolean response) {
            this.name = name;
            this.request = request;
            this.response = response;
        }

        void record(int phase, int outcome, long nanos) {
            calls.add(phase * OUTCOMES.length + outcome, 1);
            duration.observe(nanos);
        }

        long calls(int phase, int outcome) {
            return calls.sum(phase * OUTCOMES.length + outcome);
        }
    }

    private final PluginStats[] plugins;
    private final Map<String, PluginStats> byName = new HashMap<>();
    final Histogram[] callDuration = {new Histogram(), new Histogram()};
    final StripedCells counters = new StripedCells(COUNTERS);
    private final IntSupplier openConnections;
    private final IntSupplier confEntries;
    volatile java.util.function.LongSupplier confBytes = () -> 0;
    volatile java.util.function.LongSupplier confEvictions = () -> 0;
    private final String infoLabels;
    /** The runner's request state, or null (none set: its families read 0). */
    volatile io.github.a6sdk.runtime.RequestStates requestStates;

    Registry(PluginCatalog catalog, IntSupplier openConnections, IntSupplier confEntries, String version,
            String transport, String threads) {
        List<PluginDescriptor<?>> list = catalog.plugins();
        plugins = new PluginStats[list.size()];
        for (int i = 0; i < plugins.length; i++) {
            PluginDescriptor<?> d = list.get(i);
            plugins[i] = new PluginStats(d.name(), d.requestFilter() != null, d.responseFilter() != null);
            byName.put(d.name(), plugins[i]);
        }
        this.openConnections = openConnections;
        this.confEntries = confEntries;
        this.infoLabels = TextFormat.labels("version", version, "java_version", Runtime.version().toString(),
                "transport", transport, "threads", threads);
    }

    PluginStats plugin(String name) {
        return byName.get(name);
    }

    void write(TextFormat out) {
        out.family("a6_plugin_calls_total", "counter", "Plugin filter calls by plugin, phase and outcome"
                + " (pass, rewrite, stop, error).");
        for (PluginStats p : plugins) {
            for (int phase = 0; phase < PHASES.length; phase++) {
                boolean requestPhase = phase != POST_RESP && phase != RESPONSE;
                if (requestPhase ? !p.request : !p.response) {
                    continue;
                }
                for (int o = 0; o < OUTCOMES.length; o++) {
                    if (!requestPhase && o == STOP) {
                        continue;
                    }
                    out.sample("a6_plugin_calls_total", TextFormat.labels("plugin", p.name, "phase", PHASES[phase],
                            "outcome", OUTCOMES[o]), p.calls(phase, o));
                }
            }
        }
        out.family("a6_plugin_duration_seconds", "histogram", "Time inside the plugin's filter method, all phases.");
        for (PluginStats p : plugins) {
            out.histogram("a6_plugin_duration_seconds", TextFormat.pairs("plugin", p.name), p.duration.buckets(),
                    p.duration.sumNanos());
        }
        out.family("a6_call_duration_seconds", "histogram", "Whole HTTPReqCall/HTTPRespCall from the frame read to the"
                + " reply written, ExtraInfo round trips included.");
        for (int k = 0; k < CALL_KINDS.length; k++) {
            out.histogram("a6_call_duration_seconds", TextFormat.pairs("kind", CALL_KINDS[k]),
                    callDuration[k].buckets(), callDuration[k].sumNanos());
        }
        labelled(out, "a6_extra_info_total", "ExtraInfo questions asked of APISIX, by kind.", "kind", EXTRA_INFO_KINDS,
                EXTRA_INFO);
        labelled(out, "a6_prepare_conf_total", "PrepareConf requests by outcome.", "outcome", PREPARE_OUTCOMES, PREPARE);
        out.family("a6_conf_cache_entries", "gauge", "Route configs in the conf cache (not expired).")
                .sample("a6_conf_cache_entries", "", confEntries.getAsInt());
        out.family("a6_conf_cache_bytes", "gauge", "Heap the route configs in the conf cache hold, as the runner estimates"
                + " it (bounded by A6_CONF_CACHE_BYTES).").sample("a6_conf_cache_bytes", "", confBytes.getAsLong());
        out.family("a6_conf_cache_evictions_total", "counter", "Route configs dropped before their time to keep the conf"
                + " cache within A6_CONF_CACHE_BYTES (or when the heap ran out); APISIX prepares them again.")
                .sample("a6_conf_cache_evictions_total", "", confEvictions.getAsLong());
        counter(out, "a6_conf_token_misses_total", "Calls whose conf token was not in the cache (expired or evicted);"
                + " APISIX prepares the route again.", TOKEN_MISSES);
        out.family("a6_connections_open", "gauge", "Connections from APISIX open now.")
                .sample("a6_connections_open", "", openConnections.getAsInt());
        counter(out, "a6_connections_accepted_total", "Connections accepted.", ACCEPTED);
        labelled(out, "a6_connections_refused_total", "Connections refused, by reason: limit (A6_MAX_CONNECTIONS"
                + " reached, or draining), peer (a user A6_ALLOWED_PEERS does not list).", "reason", REFUSAL_REASONS,
                REFUSED);
        counter(out, "a6_call_timeouts_total", "Calls given up after A6_CALL_TIMEOUT_MS.", TIMEOUTS);
        counter(out, "a6_accept_pauses_total", "Times the runner paused accepting for want of resources (open files),"
                + " serving the connections it had.", ACCEPT_PAUSES);
        labelled(out, "a6_frame_errors_total", "Bad frames from APISIX, by reason.", "reason", FRAME_ERROR_REASONS,
                FRAME_ERRORS);
        out.family("a6_runner_info", "gauge", "The runner's build and set-up; always 1.")
                .sample("a6_runner_info", infoLabels, 1);
        io.github.a6sdk.runtime.RequestStates states = requestStates;
        out.family("a6_request_state_entries", "gauge", "Requests whose RequestState values the runner keeps now.")
                .sample("a6_request_state_entries", "", states == null ? 0 : states.size());
        out.family("a6_request_state_evictions_total", "counter", "Requests whose RequestState values ended before"
                + " their last phase: by time-to-live (expired) or pushed out by newer ones (full).");
        out.sample("a6_request_state_evictions_total", TextFormat.labels("reason", "expired"),
                states == null ? 0 : states.expired());
        out.sample("a6_request_state_evictions_total", TextFormat.labels("reason", "full"),
                states == null ? 0 : states.evicted());
    }

    private void counter(TextFormat out, String name, String help, int slot) {
        out.family(name, "counter", help).sample(name, "", counters.sum(slot));
    }

    private void labelled(TextFormat out, String name, String help, String label, String[] values, int first) {
        out.family(name, "counter", help);
        for (int i = 0; i < values.length; i++) {
            out.sample(name, TextFormat.labels(label, values[i]), counters.sum(first + i));
        }
    }
}

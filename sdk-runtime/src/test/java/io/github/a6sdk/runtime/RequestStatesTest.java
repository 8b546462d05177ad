package io.github.a6sdk.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.api.StateKey;
import io.github.a6sdk.runtime.metrics.Metrics;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The store's rules: what is kept, for how long, what ends it, and what is counted. */
class RequestStatesTest {
    static final StateKey<String> USER = StateKey.of("user", String.class);
    static final StateKey<List<String>> ROLES = StateKey.of("roles", List.class);

    final AtomicLong now = new AtomicLong(1_000_000_000L);

    RequestStates store(int max, long ttlSeconds) {
        return new RequestStates(max, ttlSeconds, now::get);
    }

    /** A request-phase call that puts {@code user} (or nothing) and ends. */
    static RequestStates.Values putAndEnd(RequestStates s, String id, String user) {
        RequestStates.Values v = s.open(id);
        if (user != null) {
            v.put(USER, user);
        }
        s.endCall(v, false);
        return v;
    }

    @Test
    void valuesAreTypedAndKeyedByIdentity() {
        RequestStates.Values v = new RequestStates.Values("r");
        v.put(USER, "ann");
        v.put(ROLES, List.of("admin"));
        assertEquals(Optional.of("ann"), v.get(USER));
        assertEquals(Optional.of(List.of("admin")), v.get(ROLES));
        StateKey<String> sameName = StateKey.of("user", String.class);
        assertEquals(Optional.empty(), v.get(sameName), "another key of the same name is another key");
        assertTrue(v.contains(USER));
        assertEquals(Optional.of("ann"), v.remove(USER));
        assertEquals(Optional.empty(), v.remove(USER));
        assertThrows(NullPointerException.class, () -> v.put(USER, null));
        assertThrows(IllegalArgumentException.class, () -> StateKey.of(" ", String.class));
        assertEquals("user: java.lang.String", USER.toString());
    }

    @Test
    void aLaterPhaseOfTheSameRequestGetsTheSameValues() {
        RequestStates s = store(10, 120);
        RequestStates.Values pre = putAndEnd(s, "a", "ann");
        assertEquals(1, s.size());
        RequestStates.Values postReq = s.open("a");
        assertSame(pre, postReq);
        assertEquals(Optional.empty(), s.open("b").get(USER), "another request: empty, not an error");
        s.endCall(postReq, false);
        RequestStates.Values postResp = s.take("a");
        assertEquals(Optional.of("ann"), postResp.get(USER));
        assertEquals(0, s.size(), "the post-resp call takes the values out: they end with it");
        assertEquals(Optional.empty(), s.take("a").get(USER));
    }

    @Test
    void nothingIsStoredForACallThatPutsNothingOrStopsOrRemovesEverything() {
        RequestStates s = store(10, 120);
        putAndEnd(s, "read-only", null);
        assertEquals(0, s.size(), "a call that only reads leaves nothing behind");

        RequestStates.Values stopped = s.open("stopped");
        stopped.put(USER, "x");
        s.endCall(stopped, true);
        assertEquals(0, s.size(), "a stop ends the request");

        putAndEnd(s, "emptied", "x");
        RequestStates.Values again = s.open("emptied");
        again.remove(USER);
        s.endCall(again, false);
        assertEquals(0, s.size(), "a request whose values were all removed is forgotten");
        assertEquals(0, s.expired() + s.evicted(), "none of these is an eviction");
    }

    @Test
    void valuesExpireAfterTheirTimeToLiveAndAreCounted() {
        RequestStates s = store(10, 120);
        putAndEnd(s, "old", "o");
        now.addAndGet(60_000_000_000L);
        putAndEnd(s, "young", "y");
        now.addAndGet(60_000_000_001L);
        assertEquals(Optional.empty(), s.open("old").get(USER), "120 s after it was stored");
        assertEquals(1, s.expired());
        assertEquals(Optional.of("y"), s.open("young").get(USER));
        assertEquals(1, s.size());
        now.addAndGet(60_000_000_000L);
        assertEquals(Optional.empty(), s.take("young").get(USER), "expired values are not handed to post-resp");
        assertEquals(2, s.expired());
        assertEquals(0, s.evicted());
    }

    @Test
    void aFullStorePushesTheOldestOutAndCountsIt() {
        RequestStates s = store(3, 120);
        for (String id : new String[] {"1", "2", "3", "4", "5"}) {
            putAndEnd(s, id, "u" + id);
            now.addAndGet(1_000);
        }
        assertEquals(3, s.size());
        assertEquals(2, s.evicted());
        assertEquals(0, s.expired());
        assertEquals(Optional.empty(), s.open("1").get(USER));
        assertEquals(Optional.empty(), s.open("2").get(USER));
        assertEquals(Optional.of("u3"), s.open("3").get(USER));
        assertEquals(Optional.of("u5"), s.open("5").get(USER));
    }

    @Test
    void aCallWithoutARequestIdAndAStoreOfNoneKeepValuesForTheCallOnly() {
        RequestStates s = store(10, 120);
        RequestStates.Values v = putAndEnd(s, null, "x");
        assertEquals(Optional.of("x"), v.get(USER), "the call itself sees its values");
        assertEquals(0, s.size());
        assertNotSame(v, s.open(null));
        putAndEnd(RequestStates.PER_CALL, "a", "x");
        assertEquals(Optional.empty(), RequestStates.PER_CALL.open("a").get(USER));
        assertEquals(0, RequestStates.PER_CALL.size());
    }

    @Test
    void settingsComeFromTheEnvironmentWithDefaults() {
        RunnerConfig dflt = RunnerConfig.fromEnvironment(Map.of("APISIX_LISTEN_ADDRESS", "unix:/tmp/x.sock"));
        assertEquals(16_384, dflt.requestStateMaxEntries());
        assertEquals(120, dflt.requestStateTtlSeconds());
        RunnerConfig set = RunnerConfig.fromEnvironment(Map.of("APISIX_LISTEN_ADDRESS", "unix:/tmp/x.sock",
                "A6_REQUEST_STATE_MAX_ENTRIES", "5", "A6_REQUEST_STATE_TTL_SECONDS", "30"));
        assertEquals(5, RequestStates.of(set).maxEntries());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunnerConfig.fromEnvironment(
                Map.of("APISIX_LISTEN_ADDRESS", "unix:/tmp/x.sock", "A6_REQUEST_STATE_TTL_SECONDS", "0")));
        assertTrue(e.getMessage().startsWith("A6_REQUEST_STATE_TTL_SECONDS must be between 1 and"), e.getMessage());
    }

    @Test
    void metricsExportTheEntriesAndEvictionsByReason() {
        RequestStates s = store(1, 120);
        putAndEnd(s, "1", "a");
        putAndEnd(s, "2", "b");
        now.addAndGet(121_000_000_000L);
        s.open("2");
        Metrics m = Metrics.create(PluginCatalog.of(List.of()), () -> 0, () -> 0, "jdk", "platform");
        String before = m.scrape();
        assertTrue(before.contains("\na6_request_state_entries 0\n"), before);
        assertTrue(before.contains("\na6_request_state_evictions_total{reason=\"full\"} 0\n"), before);
        m.exportRequestStates(s);
        putAndEnd(s, "3", "c");
        String text = m.scrape();
        assertTrue(text.contains("\na6_request_state_entries 1\n"), text);
        assertTrue(text.contains("\na6_request_state_evictions_total{reason=\"expired\"} 1\n"), text);
        assertTrue(text.contains("\na6_request_state_evictions_total{reason=\"full\"} 1\n"), text);
        assertFalse(text.contains("request_id"), "no label comes from a request");
    }
}

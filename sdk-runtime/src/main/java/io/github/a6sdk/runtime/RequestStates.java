package io.github.a6sdk.runtime;

import io.github.a6sdk.api.RequestState;
import io.github.a6sdk.api.StateKey;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The {@link RequestState} of the requests in flight, keyed by nginx's {@code $request_id}: one
 * store per runner, shared by every connection and every chain.
 *
 * <p><b>When a request's values end.</b> The runner cannot see a request's phases as one: a route's
 * {@code ext-plugin-pre-req}, {@code -post-req} and {@code -post-resp} confs are separate PrepareConfs
 * with separate tokens, the pre-req call cannot know whether a post-resp call will follow (APISIX
 * prepares each phase's conf only when a request reaches it), and global rules add chains of their
 * own. So the rule is what a single call can know:
 * <ol>
 * <li>a post-resp call is a request's last phase: a post-resp chain that uses state takes the
 * request's values out of the store before its plugins run, and they end with the call;
 * <li>a request-phase chain that stops the request ends its values (the client has its answer, no
 * later phase runs);
 * <li>a request whose values are all removed is forgotten at the end of the call (a plugin in
 * post-req that knows it is the last user frees them by removing its keys);
 * <li>anything else ends after the time-to-live, counted from the call that first put a value
 * (default 120 s, twice APISIX's 60 s timeout), and the store keeps at most {@code maxEntries}
 * requests: a new one pushes the oldest out. Both are counted ({@link #expired()},
 * {@link #evicted()}) and exported with metrics on.
 * </ol>
 * A request-phase call stores its values only at its end, and only when it has some, so a chain that
 * reads state and finds none costs one map lookup and leaves nothing behind.
 *
 * <p>A call with no {@code request_id} (APISIX answered none) gets values that last for that call only.
 */
public final class RequestStates {
    /** The nginx variable the runner keys request state by. */
    public static final String REQUEST_ID = "request_id";
    /** {@code A6_REQUEST_STATE_MAX_ENTRIES} by default. */
    public static final int DEFAULT_MAX_ENTRIES = 16_384;
    /** {@code A6_REQUEST_STATE_TTL_SECONDS} by default: twice APISIX's 60 s timeout. */
    public static final long DEFAULT_TTL_SECONDS = 120;

    /** Values that last for one call only (no store): for chains prepared outside a runner. */
    public static final RequestStates PER_CALL = new RequestStates(0, 1);

    private final int maxEntries;
    private final long ttlNanos;
    private final LongSupplier clock;
    /** Insertion order is creation order: the eldest entry is the oldest, first to expire and first pushed out. */
    private final LinkedHashMap<String, Values> byId = new LinkedHashMap<>();
    private long expired;
    private long evicted;

    /**
     * @param maxEntries the most requests kept at once (0: none; values last for their call)
     * @param ttlSeconds how long a request's values live at most
     * @param nanoClock the clock values expire by
     */
    public RequestStates(int maxEntries, long ttlSeconds, LongSupplier nanoClock) {
        if (maxEntries < 0 || ttlSeconds < 1) {
            throw new IllegalArgumentException("maxEntries must be 0 or more and ttlSeconds 1 or more");
        }
        this.maxEntries = maxEntries;
        this.ttlNanos = Math.multiplyExact(ttlSeconds, 1_000_000_000L);
        this.clock = nanoClock;
    }

    public RequestStates(int maxEntries, long ttlSeconds) {
        this(maxEntries, ttlSeconds, System::nanoTime);
    }

    /** The store a runner with {@code config} uses. */
    public static RequestStates of(RunnerConfig config) {
        return new RequestStates(config.requestStateMaxEntries(), config.requestStateTtlSeconds());
    }

    /**
     * The state of request {@code requestId} for a request-phase call: the values an earlier phase
     * stored, or new, empty values (stored by {@link #endCall} if the call puts any).
     */
    Values open(String requestId) {
        if (requestId != null && maxEntries > 0) {
            synchronized (byId) {
                Values v = byId.get(requestId);
                if (v != null) {
                    if (clock.getAsLong() - v.createdAt <= ttlNanos) {
                        return v;
                    }
                    byId.remove(requestId);
                    v.stored = false;
                    expired++;
                }
            }
        }
        return new Values(requestId);
    }

    /**
     * After a request-phase call: keeps the values for the request's later phases, or forgets them
     * when the request {@code ended} (a plugin stopped it) or none is left.
     */
    void endCall(Values v, boolean ended) {
        if (v.requestId == null || maxEntries == 0) {
            return;
        }
        boolean keep = !ended && !v.isEmpty();
        synchronized (byId) {
            if (!keep) {
                if (v.stored) {
                    byId.remove(v.requestId, v);
                    v.stored = false;
                }
                return;
            }
            if (v.stored) {
                return;
            }
            long now = clock.getAsLong();
            dropExpired(now);
            v.createdAt = now;
            v.stored = true;
            Values replaced = byId.put(v.requestId, v);
            if (replaced != null) {
                replaced.stored = false;
            }
            while (byId.size() > maxEntries) {
                Iterator<Values> eldest = byId.values().iterator();
                eldest.next().stored = false;
                eldest.remove();
                evicted++;
            }
        }
    }

    /**
     * The state of request {@code requestId} for a post-resp call, the request's last phase: taken out
     * of the store, so it ends with this call; new, empty values when there are none.
     */
    Values take(String requestId) {
        if (requestId != null && maxEntries > 0) {
            synchronized (byId) {
                Values v = byId.remove(requestId);
                if (v != null) {
                    v.stored = false;
                    if (clock.getAsLong() - v.createdAt <= ttlNanos) {
                        return v;
                    }
                    expired++;
                }
            }
        }
        return new Values(requestId);
    }

    private void dropExpired(long now) {
        Iterator<Values> it = byId.values().iterator();
        while (it.hasNext()) {
            Values v = it.next();
            if (now - v.createdAt <= ttlNanos) {
                return;
            }
            v.stored = false;
            it.remove();
            expired++;
        }
    }

    /** Requests whose values are kept now (expired ones are dropped first). */
    public int size() {
        synchronized (byId) {
            dropExpired(clock.getAsLong());
            return byId.size();
        }
    }

    /** Requests whose values ended by their time-to-live. */
    public long expired() {
        synchronized (byId) {
            return expired;
        }
    }

    /** Requests whose values were pushed out by newer ones, the store being full. */
    public long evicted() {
        synchronized (byId) {
            return evicted;
        }
    }

    /** The most requests kept at once. */
    public int maxEntries() {
        return maxEntries;
    }

    /** One request's values. Thread-safe: a plugin may hand its state to a thread of its own. */
    public static final class Values implements RequestState {
        final String requestId;
        private Map<StateKey<?>, Object> values;
        /** Guarded by the store's lock. */
        long createdAt;
        boolean stored;

        Values(String requestId) {
            this.requestId = requestId;
        }

        @Override
        public <T> Optional<T> get(StateKey<T> key) {
            return value(key, false);
        }

        @Override
        public synchronized <T> void put(StateKey<T> key, T value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, () -> "request state " + key + ": the value must not be null (use remove)");
            if (values == null) {
                values = new HashMap<>(4);
            }
            values.put(key, value);
        }

        @Override
        public <T> Optional<T> remove(StateKey<T> key) {
            return value(key, true);
        }

        private synchronized <T> Optional<T> value(StateKey<T> key, boolean remove) {
            Objects.requireNonNull(key, "key");
            Object v = values == null ? null : remove ? values.remove(key) : values.get(key);
            @SuppressWarnings("unchecked") // put() only stores a T under a StateKey<T>
            T t = (T) v;
            return Optional.ofNullable(t);
        }

        @Override
        public synchronized boolean contains(StateKey<?> key) {
            return values != null && values.containsKey(key);
        }

        synchronized boolean isEmpty() {
            return values == null || values.isEmpty();
        }

        /** The request id these values belong to, or {@code null} for values of one call only. */
        public String requestId() {
            return requestId;
        }

        @Override
        public synchronized String toString() {
            return "request " + requestId + " " + (values == null ? "{}" : values.keySet());
        }
    }
}

package io.github.a6sdk.runtime.server;

import io.github.a6sdk.runtime.metrics.Metrics;
import io.github.a6sdk.runtime.security.PeerCredentials;
import io.github.a6sdk.runtime.security.PeerPolicy;
import io.github.a6sdk.runtime.transport.Transport;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.ByteChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * {@code A6_ALLOWED_PEERS} at the door: each accept path calls {@link #admit} once per accepted
 * connection, before any frame is read. A peer the policy does not allow is closed there, without a
 * frame read or written, counted ({@code a6_connections_refused_total{reason="peer"}}) and logged:
 * one WARN per uid at most once a minute, saying how many more were refused meanwhile.
 */
final class PeerGate {
    private static final System.Logger LOG = System.getLogger("io.github.a6sdk.runtime");
    static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** Past this many distinct uids logged, the memory of who was logged starts afresh. */
    private static final int MAX_REMEMBERED = 1024;

    private final PeerPolicy policy;
    private final Transport.Listener listener;
    private final Supplier<Metrics> metrics;
    private final LongSupplier clock;
    /** By uid (UNKNOWN for credentials that could not be read): when it was last logged, and refusals since. */
    private final Map<Long, long[]> logged = new ConcurrentHashMap<>();

    PeerGate(PeerPolicy policy, Transport.Listener listener, Supplier<Metrics> metrics) {
        this(policy, listener, metrics, System::nanoTime);
    }

    PeerGate(PeerPolicy policy, Transport.Listener listener, Supplier<Metrics> metrics, LongSupplier clock) {
        this.policy = policy;
        this.listener = listener;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Whether {@code channel} may be served; when not, it has been closed here. */
    boolean admit(ByteChannel channel) {
        if (!policy.restricted()) {
            return true;
        }
        PeerCredentials peer;
        try {
            peer = listener.peer(channel);
        } catch (IOException | RuntimeException e) {
            refuse(channel);
            if (due(PeerCredentials.UNKNOWN) >= 0) {
                LOG.log(Level.ERROR, "refused a connection: could not read who connected (SO_PEERCRED), which {0} needs:"
                        + " {1}", PeerPolicy.VARIABLE, e.toString());
            }
            return false;
        }
        if (policy.allows(peer)) {
            return true;
        }
        refuse(channel);
        long more = due(peer.uid());
        if (more >= 0) {
            LOG.log(Level.WARNING, "refused a connection from {0}: {1}; closed before any frame{2}. Refusals of uid {3}"
                    + " are logged at most once a minute", peer, policy.describe(),
                    more == 0 ? "" : " (" + more + " more refused since the last line)", Long.toString(peer.uid()));
        }
        return false;
    }

    private void refuse(ByteChannel channel) {
        Metrics m = metrics.get();
        if (m != null) {
            m.refusedPeer();
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // refused anyway
        }
    }

    /** -1 while uid's last line is less than a minute old (counting this refusal), else how many were not logged. */
    private long due(long uid) {
        long now = clock.getAsLong();
        if (logged.size() > MAX_REMEMBERED) {
            logged.clear();
        }
        long[] entry = logged.computeIfAbsent(uid, k -> new long[] {now - WARN_EVERY_NANOS, 0});
        synchronized (entry) {
            if (now - entry[0] < WARN_EVERY_NANOS) {
                entry[1]++;
                return -1;
            }
            long skipped = entry[1];
            entry[0] = now;
            entry[1] = 0;
            return skipped;
        }
    }
}

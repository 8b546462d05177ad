package io.github.a6sdk.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.runtime.PluginCatalog;
import io.github.a6sdk.runtime.metrics.Metrics;
import io.github.a6sdk.runtime.security.Accounts;
import io.github.a6sdk.runtime.security.PeerCredentials;
import io.github.a6sdk.runtime.security.PeerPolicy;
import io.github.a6sdk.runtime.transport.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The check at the door, with a fake credential source, a fake channel and a clock the test moves. */
class PeerGateTest {
    private static final Accounts ACCOUNTS = Accounts.parse(
            "root:x:0:0::/:/bin/sh\nnobody:x:65534:65534::/:/bin/sh\napisix:x:636:636::/:/bin/sh\n",
            "root:x:0:\nnogroup:x:65534:\napisix:x:636:\n");
    private static final PeerPolicy POLICY = PeerPolicy.parse("user:apisix", ACCOUNTS, 0);

    private final Logger logger = Logger.getLogger("io.github.a6sdk.runtime");
    private final List<String> lines = new ArrayList<>();
    private final Handler capture = new Handler() {
        private final SimpleFormatter f = new SimpleFormatter();

        @Override
        public synchronized void publish(LogRecord r) {
            lines.add(r.getLevel() + " " + f.formatMessage(r));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private Level previous;
    private final Metrics metrics = Metrics.create(PluginCatalog.ofPlugins(List.of()), () -> 0, () -> 0, "fake", "platform");
    private long now = TimeUnit.DAYS.toNanos(3);
    /** What the fake transport says of the next connection: credentials, or an IOException to throw. */
    private Object next;

    private final Transport.Listener listener = new Transport.Listener() {
        @Override
        public ByteChannel accept() {
            throw new UnsupportedOperationException();
        }

        @Override
        public PeerCredentials peer(ByteChannel channel) throws IOException {
            if (next instanceof IOException e) {
                throw e;
            }
            return (PeerCredentials) next;
        }

        @Override
        public void close() {}
    };

    @BeforeEach
    void captureLog() {
        previous = logger.getLevel();
        logger.setLevel(Level.INFO);
        logger.addHandler(capture);
    }

    @AfterEach
    void releaseLog() {
        logger.removeHandler(capture);
        logger.setLevel(previous);
    }

    private PeerGate gate(PeerPolicy policy) {
        return new PeerGate(policy, listener, () -> metrics, () -> now);
    }

    private boolean connect(PeerGate gate, PeerCredentials peer, FakeChannel ch) {
        next = peer;
        return gate.admit(ch);
    }

    private double refusedPeers() {
        String text = metrics.scrape();
        String key = "a6_connections_refused_total{reason=\"peer\"} ";
        int at = text.indexOf(key);
        return Double.parseDouble(text.substring(at + key.length(), text.indexOf('\n', at)));
    }

    @Test
    void anAllowedPeerIsServedAndNothingIsCountedOrLogged() {
        PeerGate gate = gate(POLICY);
        FakeChannel ch = new FakeChannel();
        assertTrue(connect(gate, ACCOUNTS.byIds(636, 636), ch));
        assertTrue(connect(gate, ACCOUNTS.byIds(0, 4242), new FakeChannel()), "the runner's own user");
        assertTrue(ch.isOpen());
        assertEquals(0, refusedPeers());
        assertEquals(List.of(), lines);
    }

    @Test
    void aRefusedPeerIsClosedWithoutAFrameCountedAndLoggedWithItsIdsAndNames() {
        PeerGate gate = gate(POLICY);
        FakeChannel ch = new FakeChannel();
        assertFalse(connect(gate, ACCOUNTS.byIds(65534, 65534), ch));
        assertFalse(ch.isOpen(), "closed, and nothing read or written (FakeChannel would have failed)");
        assertEquals(1, refusedPeers());
        assertEquals(List.of("WARNING refused a connection from uid 65534 (nobody), gid 65534 (nogroup): only the runner's"
                + " own user (uid 0), user apisix (uid 636) may connect (A6_ALLOWED_PEERS); closed before any frame."
                + " Refusals of uid 65534 are logged at most once a minute"), lines);
    }

    @Test
    void eachUidIsLoggedAtMostOnceAMinuteWithTheCountOfTheOthers() {
        PeerGate gate = gate(POLICY);
        for (int i = 0; i < 3; i++) {
            assertFalse(connect(gate, ACCOUNTS.byIds(65534, 65534), new FakeChannel()));
            now += TimeUnit.SECONDS.toNanos(1);
        }
        assertFalse(connect(gate, ACCOUNTS.byIds(4242, 4242), new FakeChannel()));
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(1).contains("from uid 4242, gid 4242:"), lines.get(1));

        now += PeerGate.WARN_EVERY_NANOS - TimeUnit.SECONDS.toNanos(1);
        assertFalse(connect(gate, ACCOUNTS.byIds(65534, 65534), new FakeChannel()));
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(2).contains("closed before any frame (2 more refused since the last line)"), lines.get(2));
        assertEquals(5, refusedPeers(), "every refusal is counted, logged or not");
    }

    @Test
    void credentialsThatCannotBeReadRefuseTheConnection() {
        PeerGate gate = gate(POLICY);
        next = new IOException("SO_PEERCRED is not supported on this system");
        FakeChannel ch = new FakeChannel();
        assertFalse(gate.admit(ch));
        assertFalse(gate.admit(new FakeChannel()));
        assertFalse(ch.isOpen());
        assertEquals(2, refusedPeers());
        assertEquals(List.of("SEVERE refused a connection: could not read who connected (SO_PEERCRED), which"
                + " A6_ALLOWED_PEERS needs: java.io.IOException: SO_PEERCRED is not supported on this system"), lines);
    }

    @Test
    void withoutAPolicyTheCredentialsAreNeverRead() {
        PeerGate gate = gate(PeerPolicy.anyone());
        next = new IOException("read the credentials although A6_ALLOWED_PEERS is unset");
        FakeChannel ch = new FakeChannel();
        assertTrue(gate.admit(ch));
        assertTrue(ch.isOpen());
        assertEquals(0, refusedPeers());
    }

    @Test
    void withMetricsOffARefusalIsStillClosedAndLogged() {
        PeerGate gate = new PeerGate(POLICY, listener, () -> null, () -> now);
        FakeChannel ch = new FakeChannel();
        assertFalse(connect(gate, ACCOUNTS.byIds(65534, 65534), ch));
        assertFalse(ch.isOpen());
        assertEquals(1, lines.size());
    }

    /** A channel that fails the test if anything is read from it or written to it. */
    private static final class FakeChannel implements ByteChannel {
        private boolean open = true;

        @Override
        public int read(ByteBuffer dst) {
            throw new AssertionError("the gate read from the connection");
        }

        @Override
        public int write(ByteBuffer src) {
            throw new AssertionError("the gate wrote to the connection");
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }
    }
}

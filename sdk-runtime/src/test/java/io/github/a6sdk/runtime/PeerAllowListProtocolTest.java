package io.github.a6sdk.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Reply;
import io.github.a6sdk.runtime.protocol.Rpc;
import io.github.a6sdk.runtime.security.Accounts;
import io.github.a6sdk.runtime.security.PeerCredentials;
import io.github.a6sdk.runtime.transport.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A6_ALLOWED_PEERS end to end, on the transport the protocol tests use (sdk-transport-jnr runs it
 * again over jnr-unixsocket): clients running as other users ({@code setpriv}, util-linux; the test
 * JVM runs as root in CI) are refused or served, while the runner's own user is always served. Also
 * the README's two installs that rely on the socket's mode instead (0700; a shared group and 0760).
 * Where setpriv is missing or may not switch users, these tests are skipped, saying why.
 */
@Timeout(180)
class PeerAllowListProtocolTest {
    private static final String JAVA = ProcessHandle.current().info().command().orElse("java");
    private static final long NOBODY = 65534;
    private static final long LISTED_UID = 4242;
    private static final long LISTED_GID = 4343;
    /** Why clients cannot run as another user here, or null when they can. */
    private static String cannotSwitchUsers;

    @TempDir Path dir;
    private Path probes;

    @BeforeAll
    static void checkSetpriv() {
        try {
            Process p = new ProcessBuilder(setpriv(NOBODY, NOBODY, List.of(JAVA, "-XX:-UsePerfData", "-version")))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                cannotSwitchUsers = "setpriv cannot run " + JAVA + " as uid 65534 here (it needs root or CAP_SETUID, and a"
                        + " JDK that user may read): " + out.trim();
            }
        } catch (IOException e) {
            cannotSwitchUsers = "setpriv (util-linux) is not installed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cannotSwitchUsers = "interrupted";
        }
    }

    @BeforeEach
    void probeClassForAnyUser() throws IOException {
        // The runner's socket folder and the probe's class must be reachable by the other users.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        probes = dir.resolve("probe");
        Path cls = probes.resolve(PeerProbe.class.getName().replace('.', '/') + ".class");
        Files.createDirectories(cls.getParent());
        try (InputStream in = PeerProbe.class.getResourceAsStream(PeerProbe.class.getSimpleName() + ".class")) {
            Files.copy(in, cls);
        }
        for (Path p = cls.getParent(); p.startsWith(dir) && !p.equals(dir); p = p.getParent()) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.setPosixFilePermissions(cls, PosixFilePermissions.fromString("rw-r--r--"));
    }

    private static List<String> setpriv(long uid, long gid, List<String> command) {
        List<String> cmd = new java.util.ArrayList<>(List.of("setpriv", "--reuid", Long.toString(uid), "--regid",
                Long.toString(gid), "--clear-groups"));
        cmd.addAll(command);
        return cmd;
    }

    /** What {@link PeerProbe} running as {@code uid}/{@code gid} got from the socket. */
    private String probe(Path socket, long uid, long gid) throws Exception {
        Process p = new ProcessBuilder(setpriv(uid, gid, List.of(JAVA, "-XX:-UsePerfData", "-Xshare:auto", "-cp",
                probes.toString(), PeerProbe.class.getName(), socket.toString()))).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe as uid " + uid + " still running: " + out);
        return out;
    }

    private static double sample(String text, String series) {
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1));
            }
        }
        throw new AssertionError("no series " + series + " in\n" + text);
    }

    private static void assertOwnUserIsServed(TestRunner r) throws IOException {
        long token = r.prepare("stop", "");
        try (ApisixClient c = r.client()) {
            assertInstanceOf(Reply.Stop.class, c.call(token, new CallRequest().id(1), new ExtraInfoAnswers()));
        }
    }

    private static TestDescriptor stop() {
        return TestDescriptor.request("stop", (c, req, resp) -> resp.setStatus(403));
    }

    @Test
    void onlyListedUsersAndGroupsAndTheRunnersOwnUserAreServed() throws Exception {
        assumeTrue(cannotSwitchUsers == null, cannotSwitchUsers);
        Map<String, String> env = Map.of("A6_ALLOWED_PEERS", "uid:" + LISTED_UID + ",gid:" + LISTED_GID,
                "A6_METRICS_ADDRESS", "127.0.0.1:0");
        try (LogCapture log = new LogCapture(); TestRunner r = TestRunner.start(dir, env, stop())) {
            assertEquals("closed", probe(r.socket, NOBODY, NOBODY), "neither its user nor its group is listed");
            assertEquals("served " + Rpc.ERROR, probe(r.socket, LISTED_UID, NOBODY), "its user is listed");
            assertEquals("served " + Rpc.ERROR, probe(r.socket, NOBODY, LISTED_GID), "its group is listed");
            assertOwnUserIsServed(r);

            String text = r.runner.metrics().scrape();
            assertEquals(1, sample(text, "a6_connections_refused_total{reason=\"peer\"}"));
            assertEquals(0, sample(text, "a6_connections_refused_total{reason=\"limit\"}"));
            assertEquals(4, sample(text, "a6_connections_accepted_total"), "two probes, PrepareConf, the call");
            // Each probe sends one undecodable frame: only the two served ones were read.
            assertEquals(2, sample(text, "a6_frame_errors_total{reason=\"undecodable\"}"));
            List<String> warned = log.matching("WARNING refused a connection from uid 65534", "gid 65534",
                    "may connect (A6_ALLOWED_PEERS); closed before any frame");
            assertEquals(1, warned.size(), log.lines().toString());
            assertTrue(warned.get(0).contains("uid " + LISTED_UID + ", gid " + LISTED_GID), warned.get(0));
        }
    }

    @Test
    void mode0700AloneKeepsEveryOtherUserOut() throws Exception {
        assumeTrue(cannotSwitchUsers == null, cannotSwitchUsers);
        try (TestRunner r = TestRunner.start(dir, Map.of("A6_SOCKET_MODE", "0700"), stop())) {
            String other = probe(r.socket, LISTED_UID, LISTED_GID);
            assertTrue(other.startsWith("cannot connect:") && other.contains("Permission denied"), other);
            assertOwnUserIsServed(r);
        }
    }

    @Test
    void aSharedGroupWithMode0760LetsThatGroupIn() throws Exception {
        assumeTrue(cannotSwitchUsers == null, cannotSwitchUsers);
        // The README's command (on this test's folder and group): the socket's folder belongs to the shared
        // group and has the setgid bit, so the socket file the runner makes there (under a temporary
        // name, then renamed) belongs to that group too.
        String section = PeerPolicyReadmeTest.section().replaceAll("\\s+", " ");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("`(chgrp apisix [^`]*)`").matcher(section);
        assertTrue(m.find(), "the README's shared-group command");
        String command = m.group(1).replace("/usr/local/apisix/conf", dir.toString())
                .replace("chgrp apisix", "chgrp " + LISTED_GID);
        Process chgrp = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        assertTrue(chgrp.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, chgrp.exitValue(), command + ": " + new String(chgrp.getInputStream().readAllBytes(),
                StandardCharsets.UTF_8));
        try (TestRunner r = TestRunner.start(dir, Map.of("A6_SOCKET_MODE", "0760"), stop())) {
            assertEquals((int) LISTED_GID, Files.getAttribute(r.socket, "unix:gid", LinkOption.NOFOLLOW_LINKS));
            assertEquals("served " + Rpc.ERROR, probe(r.socket, NOBODY, LISTED_GID));
            String other = probe(r.socket, NOBODY, NOBODY);
            assertTrue(other.startsWith("cannot connect:") && other.contains("Permission denied"), other);
            assertOwnUserIsServed(r);
        }
    }

    @Test
    void theTransportTellsThePeersIdsAndNames() throws Exception {
        Transport transport = TestRunner.transport();
        Path sock = dir.resolve("peer.sock");
        try (Transport.Listener listener = transport.listen(sock);
                SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(sock));
                ByteChannel accepted = listener.accept()) {
            assertTrue(client.isConnected());
            PeerCredentials peer = listener.peer(accepted);
            long[] own = ownIds();
            assertEquals(own[0], peer.uid(), transport.name());
            assertEquals(own[1], peer.gid(), transport.name());
            assertEquals(Accounts.system().userName(own[0]), peer.user());
            assertEquals(Accounts.system().groupName(own[1]), peer.group());
        }
    }

    /** This process's effective uid and gid. */
    private static long[] ownIds() throws IOException {
        long[] ids = {-1, -1};
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:") || line.startsWith("Gid:")) {
                ids[line.startsWith("Uid:") ? 0 : 1] = Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
            }
        }
        return ids;
    }
}

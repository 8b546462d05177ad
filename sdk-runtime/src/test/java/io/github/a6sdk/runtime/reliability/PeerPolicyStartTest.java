package io.github.a6sdk.runtime.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A6_ALLOWED_PEERS at start, in a runner process of its own: a bad value stops it with status 2; the start line shows the policy. */
@Timeout(120)
class PeerPolicyStartTest {
    @TempDir Path dir;

    @ParameterizedTest(name = "A6_ALLOWED_PEERS={0}")
    @CsvSource(delimiter = '|', value = {
        "uid:abc                      | entry \"uid:abc\": the uid must be a whole number from 0 to 4294967294",
        "user:no-such-user-a6sdk      | entry \"user:no-such-user-a6sdk\": there is no user \"no-such-user-a6sdk\" in"
                + " /etc/passwd (an account that only LDAP or sssd knows: list it as uid:N)",
        "group:no-such-group-a6sdk    | entry \"group:no-such-group-a6sdk\": there is no group \"no-such-group-a6sdk\" in"
                + " /etc/group (a group that only LDAP or sssd knows: list it as gid:N)",
        "'uid:0,,gid:0'               | entry 2 is empty (two commas in a row, or one at either end)",
        "nobody                       | entry \"nobody\" is not uid:N, gid:N, user:NAME or group:NAME",
    })
    void aBadValueStopsTheStartWithStatus2AndALineNamingTheVariableAndTheEntry(String value, String what)
            throws Exception {
        Path sock = dir.resolve("bad.sock");
        try (ChildRunner child = ChildRunner.start(sock, dir.resolve("bad.log"), Map.of("A6_ALLOWED_PEERS", value))) {
            assertTrue(child.process.waitFor(30, TimeUnit.SECONDS), "runner did not exit");
            String out = child.output();
            assertEquals(2, child.process.exitValue(), out);
            List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
            assertEquals(List.of("a6 runner: A6_ALLOWED_PEERS=" + value + ": " + what), lines, out);
            assertFalse(Files.exists(sock), "nothing is bound");
        }
    }

    @Test
    void theStartLineShowsTheEffectivePolicy() throws Exception {
        assertEquals("peers: any local user who can open the socket may connect (set A6_ALLOWED_PEERS to restrict)",
                peersOfStartLine(Map.of()));
        String restricted = peersOfStartLine(Map.of("A6_ALLOWED_PEERS", "uid:4242,gid:4343"));
        assertTrue(restricted.matches("peers: only the runner's own user \\(uid \\d+\\), uid 4242, gid 4343 may connect"
                + " \\(A6_ALLOWED_PEERS\\)"), restricted);
    }

    private String peersOfStartLine(Map<String, String> env) throws Exception {
        Path sock = Files.createTempDirectory(dir, "r").resolve("r.sock");
        try (ChildRunner child = ChildRunner.start(sock, sock.resolveSibling("out.log"), env)) {
            child.awaitListening(sock);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                for (String line : child.output().lines().toList()) {
                    if (line.contains(" listening on ") && line.contains("; peers: ")) {
                        return line.substring(line.indexOf("; peers: ") + 2);
                    }
                }
                Thread.sleep(20);
            }
            throw new AssertionError("no start line with the peers:\n" + child.output());
        }
    }
}

package io.github.a6sdk.runtime.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A6_ALLOWED_PEERS: parsing against a fixed account list, and the decision on credentials made up by the test. */
class PeerPolicyTest {
    private static final long OWN = 0;
    private final Accounts accounts = AccountsTest.sample();

    private PeerPolicy parse(String raw) {
        return PeerPolicy.parse(raw, accounts, OWN);
    }

    private static PeerCredentials peer(long uid, long gid) {
        return new PeerCredentials(uid, gid, null, null);
    }

    @Test
    void unsetOrBlankLetsAnyoneIn() {
        for (Map<String, String> env : new Map[] {Map.of(), Map.of(PeerPolicy.VARIABLE, ""), Map.of(PeerPolicy.VARIABLE, "  ")}) {
            PeerPolicy p = PeerPolicy.fromEnvironment(env);
            assertSame(PeerPolicy.anyone(), p);
            assertFalse(p.restricted());
            assertTrue(p.allows(peer(4242, 4242)));
        }
        assertEquals("any local user who can open the socket may connect (set A6_ALLOWED_PEERS to restrict)",
                PeerPolicy.anyone().describe());
    }

    @Test
    void aUserEntryAllowsThatUserWhateverItsGroup() {
        PeerPolicy p = parse("user:nobody");
        assertTrue(p.restricted());
        assertTrue(p.allows(peer(65534, 65534)));
        assertTrue(p.allows(peer(65534, 4000)));
        assertFalse(p.allows(peer(636, 636)));
        assertFalse(p.allows(peer(1, 65534)), "nobody's group is not nobody");
    }

    @Test
    void aGroupEntryAllowsEveryUserWhoseGroupItIs() {
        PeerPolicy p = parse("group:apisix");
        assertTrue(p.allows(peer(4242, 636)));
        assertFalse(p.allows(peer(636, 4242)), "the user apisix in another group");
    }

    @Test
    void numbersNeedNoAccount() {
        PeerPolicy p = parse(" uid:4242 , gid:5000");
        assertTrue(p.allows(peer(4242, 1)));
        assertTrue(p.allows(peer(1, 5000)));
        assertFalse(p.allows(peer(4243, 5001)));
        assertEquals("only the runner's own user (uid 0), uid 4242, gid 5000 may connect (A6_ALLOWED_PEERS)", p.describe());
    }

    @Test
    void theRunnersOwnUserIsAlwaysAllowed() {
        PeerPolicy p = PeerPolicy.parse("user:nobody", accounts, 1000);
        assertTrue(p.allows(peer(1000, 4242)));
        assertFalse(p.allows(peer(0, 0)), "root is not special: only the runner's own user is");
    }

    @Test
    void anUnknownIdMatchesNothingButTheOtherIdStillCounts() {
        PeerPolicy p = parse("user:nobody,gid:636");
        assertFalse(p.allows(peer(PeerCredentials.UNKNOWN, PeerCredentials.UNKNOWN)));
        assertFalse(p.allows(peer(PeerCredentials.UNKNOWN, 65534)));
        assertTrue(p.allows(peer(PeerCredentials.UNKNOWN, 636)));
    }

    @Test
    void theDescriptionNamesEveryEntryWithItsIdAndName() {
        assertEquals("only the runner's own user (uid 0), user nobody (uid 65534), group apisix (gid 636), uid 1 (daemon),"
                + " gid 65534 (nogroup) may connect (A6_ALLOWED_PEERS)",
                parse("user:nobody,group:apisix,uid:1,gid:65534").describe());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "uid:abc                 | entry \"uid:abc\": the uid must be a whole number from 0 to 4294967294",
        "gid:-1                  | entry \"gid:-1\": the gid must be a whole number from 0 to 4294967294",
        "uid:4294967295          | entry \"uid:4294967295\": the uid must be a whole number",
        "uid:                    | entry \"uid:\": the uid must be a whole number",
        "user:ghost              | entry \"user:ghost\": there is no user \"ghost\" in /etc/passwd",
        "group:ghost             | entry \"group:ghost\": there is no group \"ghost\" in /etc/group",
        "user:nobody,            | entry 2 is empty",
        "'user:nobody,,uid:1'    | entry 2 is empty",
        "',uid:1'                | entry 1 is empty",
        "nobody                  | entry \"nobody\" is not uid:N, gid:N, user:NAME or group:NAME",
        "UID:1                   | entry \"UID:1\" is not uid:N, gid:N, user:NAME or group:NAME",
        "name:nobody             | entry \"name:nobody\" is not uid:N",
    })
    void aBadValueNamesTheVariableAndTheEntry(String raw, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(raw));
        assertTrue(e.getMessage().startsWith("A6_ALLOWED_PEERS=" + raw + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void theOwnUidIsTheEffectiveOneFromProcStatus(@TempDir Path dir) throws IOException {
        Path status = dir.resolve("status");
        Files.writeString(status, "Name:\tjava\nUmask:\t0022\nUid:\t1000\t1001\t1001\t1001\nGid:\t5\t6\t6\t6\n");
        assertEquals(1001, PeerPolicy.ownUid(status));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PeerPolicy.ownUid(dir.resolve("missing")));
        assertTrue(e.getMessage().startsWith("A6_ALLOWED_PEERS is set, but the runner cannot tell its own user"),
                e.getMessage());
    }

    @Test
    void onThisMachineTheRunnersOwnUserIsFoundAndAllowed() {
        long own = PeerPolicy.ownUid(Path.of("/proc/self/status"));
        PeerPolicy p = PeerPolicy.fromEnvironment(Map.of(PeerPolicy.VARIABLE, "uid:4294967294"));
        assertTrue(p.allows(peer(own, 4294967294L)));
        assertTrue(p.describe().startsWith("only the runner's own user (uid " + own + "), uid 4294967294"), p.describe());
    }
}

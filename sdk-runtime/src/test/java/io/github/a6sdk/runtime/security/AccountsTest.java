package io.github.a6sdk.runtime.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class AccountsTest {
    static final String PASSWD = String.join("\n",
            "root:x:0:0:root:/root:/bin/bash",
            "# a comment",
            "",
            "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin",
            "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin",
            "apisix:x:636:636::/home/apisix:/bin/sh",
            "toor:x:0:0:second name of uid 0:/root:/bin/sh",
            "+nisuser::::::",
            "broken:x:notanumber:1::/:/bin/sh",
            "short:x");
    static final String GROUP = String.join("\n",
            "root:x:0:",
            "daemon:x:1:",
            "nogroup:x:65534:",
            "apisix:x:636:nobody",
            "runners:x:4000:apisix,nobody");

    static Accounts sample() {
        return Accounts.parse(PASSWD, GROUP);
    }

    @Test
    void namesAndIdsBothWays() {
        Accounts a = sample();
        assertEquals(65534, a.uid("nobody"));
        assertEquals(636, a.gid("apisix"));
        assertEquals(4000, a.gid("runners"));
        assertEquals("nobody", a.userName(65534));
        assertEquals("nogroup", a.groupName(65534));
        assertEquals("root", a.userName(0), "the first line of an id names it, as getpwuid does");
        assertEquals(0, a.uid("toor"), "a second name of the same uid resolves too");
    }

    @Test
    void commentsNisEntriesAndMalformedLinesAreSkipped() {
        Accounts a = sample();
        assertEquals(-1, a.uid("# a comment"));
        assertEquals(-1, a.uid("+nisuser"));
        assertEquals(-1, a.uid("broken"));
        assertEquals(-1, a.uid("short"));
        assertEquals(-1, a.uid("ghost"));
        assertNull(a.userName(4242));
    }

    @Test
    void idsAreDecimalFrom0To4294967294() {
        assertEquals(0, Accounts.parseId("0"));
        assertEquals(4294967294L, Accounts.parseId("4294967294"));
        assertEquals(-1, Accounts.parseId("4294967295"), "(uid_t) -1 is no user");
        assertEquals(-1, Accounts.parseId("-1"));
        assertEquals(-1, Accounts.parseId("+5"));
        assertEquals(-1, Accounts.parseId("1e3"));
        assertEquals(-1, Accounts.parseId(""));
        assertEquals(-1, Accounts.parseId("99999999999"));
    }

    @Test
    void aPeerNamedByTheJdkGetsItsIdsFromTheFiles() {
        Accounts a = sample();
        assertEquals(new PeerCredentials(65534, 65534, "nobody", "nogroup"), a.byNames("nobody", "nogroup"));
        // The JDK names an id the system cannot name by the id in decimal.
        assertEquals(new PeerCredentials(1234, 5678, null, null), a.byNames("1234", "5678"));
        // A name only a directory service knows: no id, the name kept for the log.
        PeerCredentials ldap = a.byNames("ldap-user", "apisix");
        assertEquals(PeerCredentials.UNKNOWN, ldap.uid());
        assertEquals(636, ldap.gid());
        assertEquals("uid unknown (ldap-user, not in the account files read at start), gid 636 (apisix)", ldap.toString());
    }

    @Test
    void aPeerKnownByIdsGetsItsNamesFromTheFiles() {
        Accounts a = sample();
        assertEquals(new PeerCredentials(65534, 636, "nobody", "apisix"), a.byIds(65534, 636));
        assertEquals("uid 4242, gid 65534 (nogroup)", a.byIds(4242, 65534).toString());
    }
}

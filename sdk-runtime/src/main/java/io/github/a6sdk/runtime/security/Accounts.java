package io.github.a6sdk.runtime.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The local users and groups, read once from {@code /etc/passwd} and {@code /etc/group}: names to
 * ids for {@code A6_ALLOWED_PEERS} entries, and both ways for peers. Accounts that only a
 * directory service knows (LDAP, sssd) are not in these files: list them by {@code uid:N} or
 * {@code gid:N}.
 */
public final class Accounts {
    static final Path PASSWD = Path.of("/etc/passwd");
    static final Path GROUP = Path.of("/etc/group");

    private final Map<String, Long> userIds = new HashMap<>();
    private final Map<Long, String> userNames = new HashMap<>();
    private final Map<String, Long> groupIds = new HashMap<>();
    private final Map<Long, String> groupNames = new HashMap<>();

    private Accounts() {}

    private static volatile Accounts system;

    /**
     * The machine's accounts, read on first use (a missing file reads as empty).
     *
     * @throws UncheckedIOException when a file exists but cannot be read
     */
    public static Accounts system() {
        Accounts a = system;
        if (a == null) {
            synchronized (Accounts.class) {
                a = system;
                if (a == null) {
                    a = read(PASSWD, GROUP);
                    system = a;
                }
            }
        }
        return a;
    }

    static Accounts read(Path passwd, Path group) {
        return parse(readOrEmpty(passwd), readOrEmpty(group));
    }

    private static String readOrEmpty(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Accounts from the text of a passwd file ({@code name:password:uid:gid:...}) and a group file
     * ({@code name:password:gid:members}). Blank lines, comments and lines that are not of that form
     * (NIS {@code +} entries) are skipped; the first line of a name or an id wins, as in glibc.
     */
    public static Accounts parse(String passwd, String group) {
        Accounts a = new Accounts();
        fill(passwd, a.userIds, a.userNames);
        fill(group, a.groupIds, a.groupNames);
        return a;
    }

    private static void fill(String text, Map<String, Long> ids, Map<Long, String> names) {
        for (String line : text.split("\n")) {
            String[] f = line.split(":", -1);
            if (f.length < 3 || f[0].isEmpty() || f[0].startsWith("#") || f[0].startsWith("+") || f[0].startsWith("-")) {
                continue;
            }
            long id = parseId(f[2].trim());
            if (id < 0) {
                continue;
            }
            ids.putIfAbsent(f[0], id);
            names.putIfAbsent(id, f[0]);
        }
    }

    /** A uid or gid in decimal (0 to 4294967294), or -1. */
    static long parseId(String s) {
        if (s.isEmpty() || s.length() > 10) {
            return -1;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return -1;
            }
        }
        long v = Long.parseLong(s);
        return v <= 0xFFFF_FFFEL ? v : -1;
    }

    /** The uid of user {@code name}, or -1. */
    public long uid(String name) {
        return userIds.getOrDefault(name, -1L);
    }

    /** The gid of group {@code name}, or -1. */
    public long gid(String name) {
        return groupIds.getOrDefault(name, -1L);
    }

    /** The name of {@code uid}, or {@code null}. */
    public String userName(long uid) {
        return userNames.get(uid);
    }

    /** The name of {@code gid}, or {@code null}. */
    public String groupName(long gid) {
        return groupNames.get(gid);
    }

    /** A peer a transport knows by its ids (jnr-unixsocket): the names are added where known. */
    public PeerCredentials byIds(long uid, long gid) {
        return new PeerCredentials(uid, gid, userName(uid), groupName(gid));
    }

    /**
     * A peer a transport knows by names (the JDK's {@code UnixDomainPrincipal}, whose names are the
     * ids in decimal when the system has no name for them): the ids come from these files, or from
     * the decimal name; {@link PeerCredentials#UNKNOWN} when neither gives one.
     */
    public PeerCredentials byNames(String user, String group) {
        long uid = idOf(user, userIds);
        long gid = idOf(group, groupIds);
        return new PeerCredentials(uid, gid, nameOf(user, userIds, userNames), nameOf(group, groupIds, groupNames));
    }

    private static long idOf(String name, Map<String, Long> ids) {
        Long id = ids.get(name);
        return id != null ? id : parseId(name);
    }

    /** {@code name}, unless it is only the id in decimal: then the files' name for that id, if any. */
    private static String nameOf(String name, Map<String, Long> ids, Map<Long, String> names) {
        return ids.containsKey(name) || parseId(name) < 0 ? name : names.get(parseId(name));
    }
}

package io.github.a6sdk.runtime.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code A6_ALLOWED_PEERS}: which local users may talk to the runner. A comma-separated list of
 * {@code uid:N}, {@code gid:N}, {@code user:NAME} and {@code group:NAME}; names are resolved once,
 * at start, from {@code /etc/passwd} and {@code /etc/group}. A peer is allowed when its user or its
 * group is on the list; the runner's own user always is. Unset, anyone who can open the socket file
 * may connect (the socket's mode, {@code A6_SOCKET_MODE}, is then the only check).
 */
public final class PeerPolicy {
    public static final String VARIABLE = "A6_ALLOWED_PEERS";

    private static final PeerPolicy ANYONE = new PeerPolicy(null, new long[0], new long[0], -1, List.of());

    private final String raw;
    private final long[] uids;
    private final long[] gids;
    private final long ownUid;
    /** How each entry reads in the start line: "user nobody (uid 65534)". */
    private final List<String> described;

    private PeerPolicy(String raw, long[] uids, long[] gids, long ownUid, List<String> described) {
        this.raw = raw;
        this.uids = uids;
        this.gids = gids;
        this.ownUid = ownUid;
        this.described = described;
    }

    /** Anyone who can open the socket may connect. */
    public static PeerPolicy anyone() {
        return ANYONE;
    }

    /**
     * The policy {@code env} asks for: {@link #anyone()} when {@value #VARIABLE} is unset or blank,
     * else its list resolved against this machine's accounts, with this process's user allowed.
     *
     * @throws IllegalArgumentException naming the variable and the entry, for a value that does not
     *     parse or names an account that does not exist (the runner then exits with status 2)
     */
    public static PeerPolicy fromEnvironment(Map<String, String> env) {
        String raw = env.get(VARIABLE);
        if (raw == null || raw.isBlank()) {
            return ANYONE;
        }
        Accounts accounts;
        try {
            accounts = Accounts.system();
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException(VARIABLE + " is set, but the account files cannot be read: "
                    + e.getMessage(), e);
        }
        return parse(raw, accounts, ownUid(Path.of("/proc/self/status")));
    }

    /** Parses {@code raw} (the variable's value) against {@code accounts}; {@code ownUid} is always allowed. */
    public static PeerPolicy parse(String raw, Accounts accounts, long ownUid) {
        String[] entries = raw.split(",", -1);
        long[] uids = new long[entries.length];
        long[] gids = new long[entries.length];
        int nu = 0;
        int ng = 0;
        List<String> described = new ArrayList<>();
        described.add("the runner's own user (uid " + ownUid + ")");
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i].trim();
            if (entry.isEmpty()) {
                throw bad(raw, "entry " + (i + 1) + " is empty (two commas in a row, or one at either end)");
            }
            int colon = entry.indexOf(':');
            String kind = colon < 0 ? "" : entry.substring(0, colon);
            String value = entry.substring(colon + 1);
            boolean user = kind.equals("uid") || kind.equals("user");
            long id;
            if (kind.equals("uid") || kind.equals("gid")) {
                id = Accounts.parseId(value);
                if (id < 0) {
                    throw bad(raw, "entry \"" + entry + "\": the " + kind + " must be a whole number from 0 to 4294967294");
                }
                String name = user ? accounts.userName(id) : accounts.groupName(id);
                described.add(kind + " " + id + (name == null ? "" : " (" + name + ")"));
            } else if (kind.equals("user") || kind.equals("group")) {
                id = user ? accounts.uid(value) : accounts.gid(value);
                if (id < 0) {
                    throw bad(raw, "entry \"" + entry + "\": there is no " + kind + " \"" + value + "\" in "
                            + (user ? Accounts.PASSWD + " (an account" : Accounts.GROUP + " (a group")
                            + " that only LDAP or sssd knows: list it as " + (user ? "uid" : "gid") + ":N)");
                }
                described.add(kind + " " + value + " (" + (user ? "uid " : "gid ") + id + ")");
            } else {
                throw bad(raw, "entry \"" + entry + "\" is not uid:N, gid:N, user:NAME or group:NAME");
            }
            if (user) {
                uids[nu++] = id;
            } else {
                gids[ng++] = id;
            }
        }
        return new PeerPolicy(raw, Arrays.copyOf(uids, nu), Arrays.copyOf(gids, ng), ownUid, List.copyOf(described));
    }

    private static IllegalArgumentException bad(String raw, String what) {
        return new IllegalArgumentException(VARIABLE + "=" + raw + ": " + what);
    }

    /** The effective uid of this process, from {@code /proc/self/status} (what {@code SO_PEERCRED} reports of it). */
    static long ownUid(Path status) {
        try {
            for (String line : Files.readAllLines(status, StandardCharsets.UTF_8)) {
                if (line.startsWith("Uid:")) {
                    String[] f = line.substring(4).trim().split("\\s+");
                    long euid = f.length > 1 ? Accounts.parseId(f[1]) : -1;
                    if (euid >= 0) {
                        return euid;
                    }
                }
            }
            throw new IllegalArgumentException(VARIABLE + " is set, but " + status + " has no Uid: line to tell the"
                    + " runner's own user by");
        } catch (IOException e) {
            throw new IllegalArgumentException(VARIABLE + " is set, but the runner cannot tell its own user: reading "
                    + status + " failed (" + e.getMessage() + "); the allow-list works on Linux only", e);
        }
    }

    /** Whether connections are checked at all (the variable is set). */
    public boolean restricted() {
        return raw != null;
    }

    /** Whether {@code peer} may connect: its user or its group is on the list, or it is the runner's own user. */
    public boolean allows(PeerCredentials peer) {
        if (raw == null) {
            return true;
        }
        long uid = peer.uid();
        if (uid == ownUid) {
            return true;
        }
        for (long u : uids) {
            if (u == uid) {
                return true;
            }
        }
        long gid = peer.gid();
        for (long g : gids) {
            if (g == gid) {
                return true;
            }
        }
        return false;
    }

    /** The effective policy, for the start line. */
    public String describe() {
        if (raw == null) {
            return "any local user who can open the socket may connect (set " + VARIABLE + " to restrict)";
        }
        return "only " + String.join(", ", described) + " may connect (" + VARIABLE + ")";
    }

    @Override
    public String toString() {
        return describe();
    }
}

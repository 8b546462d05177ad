package io.github.a6sdk.runtime.security;

/**
 * Who is on the other end of an accepted connection, as the kernel recorded it when the peer
 * connected ({@code SO_PEERCRED}: the peer's effective user and group; no supplementary groups).
 *
 * @param uid the peer's user id, or {@link #UNKNOWN} when the transport gave only a name that the
 *     runner's account list does not hold
 * @param gid the peer's group id, or {@link #UNKNOWN} likewise
 * @param user the user's name where it is known, else {@code null}
 * @param group the group's name where it is known, else {@code null}
 */
public record PeerCredentials(long uid, long gid, String user, String group) {
    /** An id the transport could not tell. Never equal to a real id, so it matches no entry. */
    public static final long UNKNOWN = -1;

    /** {@code uid 65534 (nobody), gid 65534 (nogroup)}, with whatever is known. */
    @Override
    public String toString() {
        return "uid " + id(uid, user) + ", gid " + id(gid, group);
    }

    private static String id(long id, String name) {
        if (id == UNKNOWN) {
            return name == null ? "unknown" : "unknown (" + name + ", not in the account files read at start)";
        }
        return name == null ? Long.toString(id) : id + " (" + name + ")";
    }
}

package io.github.a6sdk.api;

import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * An ordered multi-map of text fields: request headers, query args, response headers.
 *
 * <p>Header names match case-insensitively; arg names match exactly. A value may be {@code null}
 * where the protocol allows it (a bare {@code ?flag} arg). Getters return the current state,
 * including changes the plugin made; changes are sent to APISIX when the call ends.
 */
public interface Fields {

    /** The first value of {@code name}, or {@code null} when there is none. */
    String get(String name);

    /** Every value of {@code name} in order; empty when there is none. Never {@code null}. */
    List<String> getAll(String name);

    /** Whether at least one entry is named {@code name}. */
    boolean contains(String name);

    /** The distinct names, in order of first appearance. */
    Set<String> names();

    /** The number of entries, counting each value of a repeated name. */
    int size();

    /** Calls {@code action} for every entry in order. */
    void forEach(BiConsumer<String, String> action);

    /** Replaces every value of {@code name} with {@code value}. */
    void set(String name, String value);

    /** Adds one more value for {@code name}, after any existing ones. */
    void add(String name, String value);

    /** Removes every value of {@code name}. */
    void remove(String name);
}

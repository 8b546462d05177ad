package io.github.a6sdk.api;

import java.util.Objects;

/**
 * The typed name of one value in a request's {@link RequestState}. A key is compared by identity:
 * declare each one once, as a constant, and use that constant wherever the value is put or read.
 * Two plugins share a value by sharing the key constant; two keys made with the same name are
 * different keys, so plugins from different libraries cannot clash by choosing the same name.
 *
 * <pre>{@code
 * static final StateKey<Long> STARTED_NANOS = StateKey.of("started-nanos", Long.class);
 * static final StateKey<List<String>> ROLES = StateKey.of("roles", List.class);   // a generic type
 * }</pre>
 *
 * @param <T> the type of the value
 */
public final class StateKey<T> {
    private final String name;
    private final Class<? super T> type;

    private StateKey(String name, Class<? super T> type) {
        this.name = name;
        this.type = type;
    }

    /**
     * A new key. {@code type} is the value's class; for a generic type pass its raw class
     * ({@code List.class} for a {@code StateKey<List<String>>}).
     *
     * @param name what the key is called in messages (not used to find values)
     * @throws IllegalArgumentException when {@code name} is blank
     */
    public static <T> StateKey<T> of(String name, Class<? super T> type) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a state key needs a name");
        }
        return new StateKey<>(name, type);
    }

    /** The name given to {@link #of}. */
    public String name() {
        return name;
    }

    /** The value's class (the raw class for a generic type). */
    public Class<? super T> type() {
        return type;
    }

    /** {@code started-nanos: java.lang.Long}. */
    @Override
    public String toString() {
        return name + ": " + type.getName();
    }
}

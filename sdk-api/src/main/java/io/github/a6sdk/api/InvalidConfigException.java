package io.github.a6sdk.api;

/**
 * Thrown by a config record's compact constructor to reject a value and say which component holds
 * it, so that the error names the JSON path of that value instead of the record's:
 *
 * <pre>{@code
 * public record Config(String header, Map<String, String> prefixes) {
 *     public Config {
 *         prefixes.forEach((tenant, prefix) -> {
 *             if (!prefix.startsWith("/")) {
 *                 throw new InvalidConfigException("prefixes." + tenant, "the prefix must start with '/'");
 *             }
 *         });
 *     }
 * }
 * }</pre>
 *
 * gives {@code plugin "tenant-router": bad config at $.prefixes.blue: the prefix must start with '/'}
 * (for a config record that is itself the value at {@code $.route}, the path is
 * {@code $.route.prefixes.blue}).
 *
 * <p>Any other exception from a compact constructor is a config error too. Its path is the
 * component's when its message starts with a component's name followed by a character that cannot
 * be part of a name ({@code "limit must be positive"}, {@code "keys: ..."}), or when it is the
 * {@link NullPointerException} of {@code Objects.requireNonNull(header, "header")}; otherwise it is
 * the record's own path.
 */
public final class InvalidConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String component;

    /**
     * A rejected value.
     *
     * @param component the record component that holds the value, optionally followed by a path
     *     inside it: {@code "limit"}, {@code "prefixes.blue"}, {@code "rules[2].rate"}
     * @param message what is wrong, for the operator who wrote the route's config
     */
    public InvalidConfigException(String component, String message) {
        super(message);
        if (component == null || component.isEmpty()) {
            throw new IllegalArgumentException("the component of an InvalidConfigException must be named");
        }
        this.component = component;
    }

    /**
     * The record component, as given to the constructor.
     *
     * @return the component name, possibly followed by a path inside it
     */
    public String component() {
        return component;
    }
}

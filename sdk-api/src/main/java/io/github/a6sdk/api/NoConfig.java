package io.github.a6sdk.api;

/**
 * Config type of a plugin that takes no configuration. Its parser accepts an empty value or
 * {@code {}} and rejects anything else, so a misplaced config is not silently ignored.
 */
public record NoConfig() {}

/**
 * The contract between generated code and the runtime: {@link io.github.a6sdk.api.spi.PluginRegistry}
 * (one per compilation unit, found by {@link java.util.ServiceLoader}) lists
 * {@link io.github.a6sdk.api.spi.PluginDescriptor}s. Plugin authors do not implement these types;
 * {@code sdk-processor} does. Parameters and results are non-null unless a method says otherwise.
 */
package io.github.a6sdk.api.spi;

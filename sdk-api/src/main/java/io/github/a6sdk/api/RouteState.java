package io.github.a6sdk.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a config record component that is <em>not</em> read from the route's JSON: the generated
 * parser passes {@code null} (or zero/false) for it, and the record's compact constructor creates
 * it. The config record is parsed once per route configuration and then shared by every
 * connection, so such a component holds per-route state (a counter, a rate limiter) that lives
 * exactly as long as that route's config, and it must be thread-safe.
 *
 * <pre>{@code
 * public record Config(int permitsPerSecond, @RouteState Limiter limiter) {
 *     public Config {
 *         limiter = new Limiter(permitsPerSecond);
 *     }
 * }
 * }</pre>
 *
 * A JSON field of that name is rejected like any unknown field, and the config schema omits it.
 * The component may have any type.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.RECORD_COMPONENT, ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD})
public @interface RouteState {}

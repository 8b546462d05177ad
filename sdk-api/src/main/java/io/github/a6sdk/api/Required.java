package io.github.a6sdk.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a config record component that the route's JSON must give, with a value other than
 * {@code null}. Without it, a component of an object type ({@code String}, a box, a list, a map,
 * an enum, a nested record) is optional and reads as {@code null} when the JSON leaves it out.
 * Primitive components ({@code int}, {@code long}, {@code double}, {@code boolean}) are always
 * required. The config's JSON Schema lists required components under {@code "required"}, with a
 * type that does not admit {@code null}.
 *
 * <pre>{@code
 * public record Config(@Required String secret, String header) {}
 * }</pre>
 *
 * A missing field fails with {@code bad config at $.secret: missing required field "secret" of type
 * java.lang.String}, a {@code null} one with {@code bad config at $.secret: required field "secret" must not be
 * null}. It cannot mark a {@link RouteState} component, which is not read from JSON.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.RECORD_COMPONENT, ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD})
public @interface Required {}

package io.github.a6sdk.api.spi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks code written by {@code sdk-processor}. Our own annotation rather than
 * {@code javax.annotation.processing.Generated}, which lives in module {@code java.compiler}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface ApisixGenerated {

    /** The fully qualified name of the processor that wrote the type. */
    String value();

    /** The source element the type was generated from. */
    String from() default "";
}

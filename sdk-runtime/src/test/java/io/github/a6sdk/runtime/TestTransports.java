package io.github.a6sdk.runtime;

import io.github.a6sdk.runtime.transport.Transport;

/** The transport the tests serve over, for tests outside this package (the reliability suite). */
public final class TestTransports {
    private TestTransports() {}

    /** A new instance of the class named by {@code a6.test.transport}, or the JDK transport when unset. */
    public static Transport fromProperty() {
        return TestRunner.transport();
    }
}

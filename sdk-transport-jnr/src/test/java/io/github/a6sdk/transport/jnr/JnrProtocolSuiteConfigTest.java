package io.github.a6sdk.transport.jnr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Guards the build wiring: the runtime's protocol tests scanned into this module (pom: surefire
 * dependenciesToScan) must serve over jnr-unixsocket, not fall back to the JDK transport. Each of them
 * builds its runner through sdk-runtime's TestRunner, which reads these properties, and
 * TransportSelectionProtocolTest checks the runner reports {@code a6.test.transport.name}.
 */
class JnrProtocolSuiteConfigTest {

    @Test
    void scannedProtocolTestsServeOverJnr() {
        assertEquals(JnrTransport.class.getName(), System.getProperty("a6.test.transport"));
        assertEquals(new JnrTransport().name(), System.getProperty("a6.test.transport.name"));
    }
}

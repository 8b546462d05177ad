package io.github.a6sdk.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Reply;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The protocol tests really serve over the transport they were asked to ({@code a6.test.transport},
 * see {@link TestRunner#transport()}): "jdk" in sdk-runtime, "jnr-unixsocket" in sdk-transport-jnr.
 */
@Timeout(30)
class TransportSelectionProtocolTest {
    @TempDir Path dir;

    @Test
    void runnerServesOverTheSelectedTransport() throws Exception {
        try (TestRunner runner = TestRunner.start(dir,
                TestDescriptor.request("stop", (config, req, resp) -> resp.setStatus(204)))) {
            assertEquals(TestRunner.expectedTransportName(), runner.runner.transportName(),
                    "the runner's transport (a6.test.transport=" + System.getProperty(TestRunner.TRANSPORT_PROPERTY)
                            + ")");
            long token = runner.prepare("stop", "{}");
            try (ApisixClient c = runner.client()) {
                Reply.Stop stop = assertInstanceOf(Reply.Stop.class, c.call(token, new CallRequest().id(7), new ExtraInfoAnswers()));
                assertEquals(204, stop.status());
            }
        }
    }
}

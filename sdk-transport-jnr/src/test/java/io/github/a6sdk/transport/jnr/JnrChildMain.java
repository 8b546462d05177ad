package io.github.a6sdk.transport.jnr;

import io.github.a6sdk.runtime.Main;
import io.github.a6sdk.runtime.reliability.TestPlugin;
import java.nio.charset.StandardCharsets;

/**
 * A runner process serving over jnr-unixsocket, for {@link JnrSigtermTest}: plugin {@code slow} asks
 * for variable {@code started} (so the client knows the call is running), sleeps the config's
 * milliseconds, then stops with 200 "slow-done"; plugin {@code echo} stops with 200 and its config as body.
 */
public final class JnrChildMain {
    private JnrChildMain() {}

    public static void main(String[] args) {
        TestPlugin slow = TestPlugin.request("slow", (config, request, response) -> {
            request.var("started");
            Thread.sleep(Long.parseLong(config));
            response.setStatus(200);
            response.setBody("slow-done".getBytes(StandardCharsets.UTF_8));
        });
        TestPlugin echo = TestPlugin.request("echo", (config, request, response) -> {
            response.setStatus(200);
            response.setBody(config.getBytes(StandardCharsets.UTF_8));
        });
        System.exit(Main.serve(new JnrTransport(), TestPlugin.catalog(slow, echo)));
    }
}

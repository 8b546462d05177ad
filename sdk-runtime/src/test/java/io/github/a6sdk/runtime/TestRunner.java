package io.github.a6sdk.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.client.Reply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A runner on a temp socket with hand-written plugins; closing it checks the socket file is gone. */
final class TestRunner implements AutoCloseable {
    final Runner runner;
    final Path socket;

    private TestRunner(Runner runner, Path socket) {
        this.runner = runner;
        this.socket = socket;
    }

    static TestRunner start(Path dir, TestDescriptor... plugins) throws IOException {
        Path sock = dir.resolve("runner.sock");
        RunnerConfig config = RunnerConfig.fromEnvironment(Map.of(
                "APISIX_LISTEN_ADDRESS", "unix:" + sock, "A6_DRAIN_MS", "200"));
        Runner runner = new Runner(config, PluginCatalog.of(List.of(TestDescriptor.registry(plugins)))).start();
        return new TestRunner(runner, sock);
    }

    /** PrepareConf on a connection of its own, as APISIX does; {@code pairs} alternate name and config. */
    long prepare(String... pairs) throws IOException {
        List<Field> conf = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            conf.add(Field.of(pairs[i], pairs[i + 1]));
        }
        try (ApisixClient c = client()) {
            return assertInstanceOf(Reply.Token.class, c.prepareConf("route#1#ext-plugin-pre-req#1", conf)).token();
        }
    }

    ApisixClient client() throws IOException {
        return ApisixClient.connect(socket);
    }

    RawConnection raw() throws IOException {
        return RawConnection.connect(socket);
    }

    @Override
    public void close() {
        runner.close();
        assertFalse(Files.exists(socket), "the runner left its socket file behind");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (runner.connectionCount() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        org.junit.jupiter.api.Assertions.assertEquals(0, runner.connectionCount(), "connection threads left running");
    }
}

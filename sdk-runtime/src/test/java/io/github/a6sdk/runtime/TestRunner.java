package io.github.a6sdk.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.client.Reply;
import io.github.a6sdk.runtime.transport.JdkUnixTransport;
import io.github.a6sdk.runtime.transport.Transport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A runner on a temp socket with hand-written plugins; closing it checks the socket file is gone.
 *
 * <p>It serves over the transport that {@link #transport()} names, so the same protocol tests run on
 * every transport: sdk-transport-jnr runs them again with {@code -Da6.test.transport=}{@code
 * io.github.a6sdk.transport.jnr.JnrTransport}.
 */
final class TestRunner implements AutoCloseable {
    /** Class name of the {@link Transport} the tests serve over (public no-arg constructor); default JDK. */
    static final String TRANSPORT_PROPERTY = "a6.test.transport";
    /** The {@link Transport#name()} that property's transport must report; checked when set. */
    static final String TRANSPORT_NAME_PROPERTY = "a6.test.transport.name";

    final Runner runner;
    final Path socket;

    private TestRunner(Runner runner, Path socket) {
        this.runner = runner;
        this.socket = socket;
    }

    static TestRunner start(Path dir, TestDescriptor... plugins) throws IOException {
        return start(dir, Map.of(), plugins);
    }

    /** A runner with more environment variables ({@code A6_*}) than the socket and a short drain. */
    static TestRunner start(Path dir, Map<String, String> env, TestDescriptor... plugins) throws IOException {
        Path sock = dir.resolve("runner.sock");
        Map<String, String> all = new java.util.HashMap<>(Map.of("APISIX_LISTEN_ADDRESS", "unix:" + sock, "A6_DRAIN_MS", "200"));
        all.putAll(env);
        RunnerConfig config = RunnerConfig.fromEnvironment(all);
        Runner runner = new Runner(config, PluginCatalog.of(List.of(TestDescriptor.registry(plugins))), transport())
                .start();
        return new TestRunner(runner, sock);
    }

    /**
     * The one place the protocol tests get their transport: a new instance of the class named by
     * {@value #TRANSPORT_PROPERTY}, or {@link JdkUnixTransport} when it is unset.
     */
    static Transport transport() {
        String name = System.getProperty(TRANSPORT_PROPERTY, "").trim();
        if (name.isEmpty()) {
            return new JdkUnixTransport();
        }
        try {
            return Class.forName(name).asSubclass(Transport.class).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException(TRANSPORT_PROPERTY + "=" + name + " is not a Transport with a public"
                    + " no-arg constructor on the test classpath", e);
        }
    }

    /** The {@link Transport#name()} the runner must report: {@value #TRANSPORT_NAME_PROPERTY}, else "jdk". */
    static String expectedTransportName() {
        String expected = System.getProperty(TRANSPORT_NAME_PROPERTY, "").trim();
        if (!expected.isEmpty()) {
            return expected;
        }
        if (!System.getProperty(TRANSPORT_PROPERTY, "").trim().isEmpty()) {
            throw new IllegalStateException("set " + TRANSPORT_NAME_PROPERTY + " with " + TRANSPORT_PROPERTY);
        }
        return new JdkUnixTransport().name();
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

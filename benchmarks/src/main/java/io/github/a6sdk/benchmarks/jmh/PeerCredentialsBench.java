package io.github.a6sdk.benchmarks.jmh;

import io.github.a6sdk.runtime.security.PeerCredentials;
import io.github.a6sdk.runtime.transport.JdkUnixTransport;
import io.github.a6sdk.runtime.transport.Transport;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What A6_ALLOWED_PEERS adds to each new connection on the JDK transport: {@code peer} reads the
 * credentials of an accepted connection as the runner does ({@code SO_PEERCRED}, whose JDK
 * implementation also looks up the user's and the group's names), next to {@code connectAcceptClose},
 * the system calls every new connection costs anyway (client and server side, in one thread). Run it
 * with and without a name service cache (nscd) to see what the lookups cost.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PeerCredentialsBench {
    private Path dir;
    private Path socket;
    private Transport.Listener listener;
    private SocketChannel client;
    private ByteChannel accepted;

    @Setup
    public void setup() throws IOException {
        dir = Files.createTempDirectory("a6-peer-bench");
        socket = dir.resolve("bench.sock");
        listener = new JdkUnixTransport().listen(socket);
        client = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        accepted = listener.accept();
    }

    @TearDown
    public void tearDown() throws IOException {
        accepted.close();
        client.close();
        listener.close();
        Files.deleteIfExists(socket);
        Files.deleteIfExists(dir);
    }

    @Benchmark
    public PeerCredentials peer() throws IOException {
        return listener.peer(accepted);
    }

    @Benchmark
    public boolean connectAcceptClose() throws IOException {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket)); ByteChannel a = listener.accept()) {
            return c.isConnected() && a.isOpen();
        }
    }
}

package io.github.a6sdk.runtime.transport;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;

/** Unix-domain sockets from {@code java.nio} (JDK 16+): no native library, no generated code. */
public final class JdkUnixTransport implements Transport {

    @Override
    public String name() {
        return "jdk";
    }

    /**
     * Opens and closes a unix-domain channel and a selector. The JDK's first unix-domain channel
     * initialises its unix-domain support, which sets up a {@code SecureRandom} (the JDK's provider
     * list and all): about a fifth of the runner's start when it is done in line.
     */
    @Override
    public void warmUp() {
        try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                java.nio.channels.Selector s = java.nio.channels.Selector.open()) {
            ch.configureBlocking(false);
        } catch (IOException | RuntimeException ignored) {
            // listen() will say what is wrong
        }
    }

    @Override
    public Listener listen(Path path) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path), 1024);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        return new Listener() {
            @Override
            public ByteChannel accept() throws IOException {
                return server.accept();
            }

            @Override
            public ServerSocketChannel selectable() {
                return server;
            }

            @Override
            public void close() throws IOException {
                server.close();
            }
        };
    }

    /** Whether something accepts connections at {@code path} (a live runner, not a stale file). */
    public static boolean isLive(Path path) {
        try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            return ch.isConnected();
        } catch (IOException e) {
            return false;
        }
    }
}

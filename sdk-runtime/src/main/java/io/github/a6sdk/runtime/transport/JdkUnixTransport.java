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

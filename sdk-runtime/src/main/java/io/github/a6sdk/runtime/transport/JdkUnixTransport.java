package io.github.a6sdk.runtime.transport;

import io.github.a6sdk.runtime.security.Accounts;
import io.github.a6sdk.runtime.security.PeerCredentials;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

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
            public PeerCredentials peer(ByteChannel channel) throws IOException {
                return credentials((SocketChannel) channel);
            }

            @Override
            public void close() throws IOException {
                server.close();
            }
        };
    }

    /**
     * The peer of {@code channel} from {@code ExtendedSocketOptions.SO_PEERCRED}. The JDK gives a user
     * and a group principal, named by the system's account lookup (or by the id in decimal when that
     * finds no name), and no public way to their numbers: the numbers come back from the names through
     * {@link Accounts} (the same files A6_ALLOWED_PEERS names are resolved with). The JDK's lookup costs
     * two reads of the account files on every call; jnr-unixsocket's option is one system call.
     */
    static PeerCredentials credentials(SocketChannel channel) throws IOException {
        UnixDomainPrincipal p;
        try {
            p = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
        } catch (UnsupportedOperationException e) {
            throw new IOException("SO_PEERCRED is not supported on this system: " + e.getMessage(), e);
        }
        return Accounts.system().byNames(p.user().getName(), p.group().getName());
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

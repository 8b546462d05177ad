package io.github.a6sdk.transport.jnr;

import io.github.a6sdk.runtime.security.Accounts;
import io.github.a6sdk.runtime.security.PeerCredentials;
import io.github.a6sdk.runtime.transport.Transport;
import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.nio.file.Path;
import jnr.unixsocket.Credentials;
import jnr.unixsocket.UnixServerSocketChannel;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;
import jnr.unixsocket.UnixSocketOptions;

/** The runner's transport over jnr-unixsocket (native calls through jnr-ffi). */
public final class JnrTransport implements Transport {

    @Override
    public String name() {
        return "jnr-unixsocket";
    }

    @Override
    public Listener listen(Path path) throws IOException {
        UnixServerSocketChannel server = UnixServerSocketChannel.open();
        try {
            server.configureBlocking(true);
            server.socket().bind(new UnixSocketAddress(path.toFile()), 1024);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        return new Listener() {
            @Override
            public ByteChannel accept() throws IOException {
                ByteChannel ch = server.accept();
                if (ch == null) {
                    // jnr-unixsocket returns null when accept(2) fails: closed, or out of descriptors (EMFILE)
                    if (!server.isOpen()) {
                        throw new IOException("listener closed");
                    }
                    int errno = jnr.ffi.LastError.getLastError(jnr.ffi.Runtime.getSystemRuntime());
                    jnr.constants.platform.Errno e = jnr.constants.platform.Errno.valueOf(errno);
                    throw new IOException(e == null || e.name().startsWith("__") ? "accept failed (errno " + errno + ")"
                            : e.description() + " (" + e.name() + ")");
                }
                return ch;
            }

            @Override
            public boolean isOpen() {
                return server.isOpen();
            }

            @Override
            public PeerCredentials peer(ByteChannel channel) throws IOException {
                return credentials((UnixSocketChannel) channel);
            }

            @Override
            public void close() throws IOException {
                server.close();
            }
        };
    }

    /** The peer of {@code channel}: jnr-unixsocket's {@code SO_PEERCRED}, one getsockopt giving the ids. */
    static PeerCredentials credentials(UnixSocketChannel channel) throws IOException {
        Credentials c = channel.getOption(UnixSocketOptions.SO_PEERCRED);
        if (c == null) {
            throw new IOException("jnr-unixsocket gave no SO_PEERCRED credentials");
        }
        return Accounts.system().byIds(Integer.toUnsignedLong(c.getUid()), Integer.toUnsignedLong(c.getGid()));
    }
}

package io.github.a6sdk.runtime.transport;

import io.github.a6sdk.runtime.security.PeerCredentials;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.nio.file.Path;

/**
 * How the runner listens on a unix socket. The default is {@link JdkUnixTransport} (JDK 16+
 * {@code java.nio} unix sockets, no native library); an optional module may provide another.
 */
public interface Transport {

    /** A short name for logs ("jdk"). */
    String name();

    /**
     * Does, ahead of {@link #listen}, the one-time work of the first socket (class initialisation,
     * native set-up), on a thread of its own while the runner loads its plugins: the runner then binds
     * sooner. The default does nothing.
     */
    default void warmUp() {}

    /** Binds a listening socket at {@code path}, which must not exist. */
    Listener listen(Path path) throws IOException;

    /** A bound socket. {@link #close()} makes a blocked {@link #accept()} fail. */
    interface Listener extends Closeable {

        /** Blocks until a client connects; the channel is in blocking mode. */
        ByteChannel accept() throws IOException;

        /**
         * Whether the listening socket is still open: an accept that fails while it is has failed for
         * want of resources and is tried again; once it is closed, the runner stops serving.
         */
        default boolean isOpen() {
            java.nio.channels.ServerSocketChannel ch = selectable();
            return ch == null || ch.isOpen();
        }

        /**
         * The listening channel, when a JDK {@link java.nio.channels.Selector} can watch it and the
         * channels it accepts: the runner then serves connections on event loops. {@code null} (the
         * default) means a thread per connection, with {@link #accept()}.
         */
        default java.nio.channels.ServerSocketChannel selectable() {
            return null;
        }

        /**
         * Who connected: the peer credentials ({@code SO_PEERCRED}) of {@code channel}, a channel this
         * listener accepted. Read once per connection, before any frame, when {@code A6_ALLOWED_PEERS}
         * is set.
         *
         * @throws IOException when they cannot be read (the connection is then refused); the default,
         *     for a transport that cannot tell
         */
        default PeerCredentials peer(ByteChannel channel) throws IOException {
            throw new IOException("this transport cannot tell who connected (no SO_PEERCRED)");
        }
    }
}

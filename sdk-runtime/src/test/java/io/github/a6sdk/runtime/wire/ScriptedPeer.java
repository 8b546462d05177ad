package io.github.a6sdk.runtime.wire;

import io.github.a6sdk.runtime.RawConnection;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

/**
 * A stand-in runner for testing the client: for each frame it receives it records the frame and
 * writes whatever frames the script returns. Serves one connection.
 */
final class ScriptedPeer implements AutoCloseable {
    /** A frame the peer received. */
    record Received(int type, ByteBuffer payload) {}

    private final ServerSocketChannel server;
    private final Path socket;
    private final Thread thread;
    final List<Received> received = new CopyOnWriteArrayList<>();
    volatile Throwable failure;

    ScriptedPeer(Path socket, BiFunction<Integer, ByteBuffer, List<byte[]>> script) throws IOException {
        this.socket = socket;
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        this.thread = new Thread(() -> serve(script), "scripted-peer");
        thread.setDaemon(true);
        thread.start();
    }

    private void serve(BiFunction<Integer, ByteBuffer, List<byte[]>> script) {
        try (SocketChannel ch = server.accept()) {
            while (true) {
                ByteBuffer header = ByteBuffer.allocate(4);
                if (!readFully(ch, header)) {
                    return;
                }
                int type = header.get(0) & 0xFF;
                int len = (header.get(1) & 0xFF) << 16 | (header.get(2) & 0xFF) << 8 | header.get(3) & 0xFF;
                ByteBuffer payload = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
                if (!readFully(ch, payload)) {
                    return;
                }
                payload.flip();
                received.add(new Received(type, payload.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN)));
                for (byte[] frame : script.apply(type, payload.duplicate().order(ByteOrder.LITTLE_ENDIAN))) {
                    ByteBuffer out = ByteBuffer.wrap(frame);
                    while (out.hasRemaining()) {
                        ch.write(out);
                    }
                }
            }
        } catch (IOException e) {
            // the server was closed
        } catch (RuntimeException | AssertionError e) {
            failure = e;
        }
    }

    private static boolean readFully(SocketChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                return false;
            }
        }
        return true;
    }

    static byte[] frame(int type, com.google.flatbuffers.FlatBufferBuilder b) {
        return RawConnection.frame(type, b.sizedByteArray());
    }

    @Override
    public void close() throws Exception {
        server.close();
        thread.join(5000);
        Files.deleteIfExists(socket);
        if (failure != null) {
            throw new AssertionError("scripted peer failed", failure);
        }
    }
}

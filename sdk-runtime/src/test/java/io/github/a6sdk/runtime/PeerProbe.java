package io.github.a6sdk.runtime;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * A client that {@link PeerAllowListProtocolTest} runs as another user ({@code setpriv}): it
 * connects to the socket named by its argument, sends one undecodable frame (which a runner that
 * serves it answers with an error frame) and prints what came back: {@code served <type>},
 * {@code closed} (end of stream or a reset before any byte) or {@code cannot connect: <reason>}.
 * JDK only, so that it runs from a copy of its class file in a folder any user can read.
 */
public final class PeerProbe {
    private PeerProbe() {}

    public static void main(String[] args) throws IOException {
        SocketChannel ch;
        try {
            ch = SocketChannel.open(UnixDomainSocketAddress.of(args[0]));
        } catch (IOException e) {
            System.out.println("cannot connect: " + e.getMessage());
            return;
        }
        try (ch; Selector selector = Selector.open()) {
            try {
                ch.write(ByteBuffer.wrap(new byte[] {2, 0, 0, 1, 1})); // HTTPReqCall with a 1-byte payload
            } catch (IOException e) {
                System.out.println("closed");
                return;
            }
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ);
            ByteBuffer header = ByteBuffer.allocate(4);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (header.hasRemaining()) {
                if (selector.select(Math.max(1, (deadline - System.nanoTime()) / 1_000_000)) == 0
                        && System.nanoTime() > deadline) {
                    System.out.println("no answer in 20 s");
                    return;
                }
                selector.selectedKeys().clear();
                int n;
                try {
                    n = ch.read(header);
                } catch (IOException e) {
                    n = -1; // reset: the runner closed with our frame unread
                }
                if (n < 0) {
                    System.out.println(header.position() == 0 ? "closed" : "cut after " + header.position() + " bytes");
                    return;
                }
            }
            System.out.println("served " + header.get(0));
        }
    }
}

package io.github.a6sdk.benchmarks.load;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Drives some of a run's pooled connections from one thread with a selector, as an nginx worker
 * drives its cosockets: each connection has one call in flight, its ExtraInfo questions are answered
 * as they arrive, and its next call leaves as soon as the reply is in. With hundreds of connections a
 * thread per connection costs the client a context switch per call, which on a small machine takes
 * the CPU the runner under test needs; APISIX pays no such cost.
 */
final class ClientLoop implements Runnable {
    private final Path socket;
    private final List<LoadGen.Worker> workers;
    private final LoadGen.Control ctl;
    private final CountDownLatch ready;
    private final CountDownLatch go;
    private final boolean failExpected;

    ClientLoop(Path socket, List<LoadGen.Worker> workers, LoadGen.Control ctl, CountDownLatch ready, CountDownLatch go,
            boolean failExpected) {
        this.socket = socket;
        this.workers = workers;
        this.ctl = ctl;
        this.ready = ready;
        this.go = go;
        this.failExpected = failExpected;
    }

    /** One connection: its worker (the calls and their checks) and its buffers. */
    private static final class Conn {
        final LoadGen.Worker worker;
        SocketChannel ch;
        ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
        ByteBuffer out = ByteBuffer.allocateDirect(64 * 1024);
        long id;
        long t0;

        Conn(LoadGen.Worker worker) {
            this.worker = worker;
        }
    }

    @Override
    public void run() {
        Conn[] conns = new Conn[workers.size()];
        try (Selector selector = Selector.open()) {
            int open = 0;
            for (int i = 0; i < conns.length; i++) {
                conns[i] = new Conn(workers.get(i));
                try {
                    connect(conns[i], selector);
                    open++;
                } catch (IOException e) {
                    ctl.error("connect: " + e);
                }
                ready.countDown();
            }
            go.await();
            for (Conn c : conns) {
                if (c.ch != null && !send(c)) {
                    open--;
                }
            }
            while (open > 0 && !ctl.stop) {
                selector.select(100);
                for (SelectionKey k : selector.selectedKeys()) {
                    Conn c = (Conn) k.attachment();
                    if (!serve(c, selector)) {
                        open--;
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            ctl.error("client loop: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (Conn c : conns) {
                if (c != null && c.ch != null) {
                    try {
                        c.ch.close();
                    } catch (IOException ignored) {
                        // done with it anyway
                    }
                }
            }
        }
    }

    private void connect(Conn c, Selector selector) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ, c);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        c.ch = ch;
        c.in.clear();
    }

    /** Starts the connection's next call; false when its calls are over (the connection is closed). */
    private boolean send(Conn c) throws IOException {
        long id = c.worker.nextCall();
        if (id < 0) {
            c.ch.close();
            return false;
        }
        c.id = id;
        c.t0 = System.nanoTime();
        write(c, c.worker.rpcType(), c.worker.template());
        return true;
    }

    /** The connection is readable: serves every whole frame; false when the connection is done. */
    private boolean serve(Conn c, Selector selector) throws IOException {
        try {
            if (c.ch.read(c.in) < 0) {
                throw new EOFException("runner closed the connection");
            }
            ByteBuffer in = c.in;
            int pos = 0;
            while (in.position() - pos >= 4) {
                int type = in.get(pos) & 0xFF;
                int len = FrameConn.payloadLength(in, pos);
                if (in.position() - pos < 4 + len) {
                    if (4 + len > in.capacity()) {
                        ByteBuffer bigger = ByteBuffer.allocateDirect(Integer.highestOneBit(4 + len) * 2);
                        in.flip().position(pos);
                        c.in = in = bigger.put(in);
                        pos = 0;
                    }
                    break;
                }
                ByteBuffer payload = in.duplicate().limit(pos + 4 + len).position(pos + 4).slice().order(ByteOrder.LITTLE_ENDIAN);
                pos += 4 + len;
                if (type == Wire.EXTRA_INFO) {
                    write(c, Wire.EXTRA_INFO, c.worker.answerFor(payload));
                    continue;
                }
                c.worker.done(type, payload, c.id, c.t0, System.nanoTime());
                if (pos != in.position()) {
                    throw new IOException("the runner sent " + (in.position() - pos) + " bytes after a reply");
                }
                in.clear();
                return send(c);
            }
            in.flip().position(pos);
            in.compact();
            return true;
        } catch (IOException e) {
            if (ctl.stop) {
                c.ch.close();
                return false;
            }
            if (!failExpected) {
                ctl.error("I/O: " + e.getMessage());
            }
            // a runner that closes the connection instead of answering (the Go runner on a panic): connect again
            // (closing cancels the old channel's key; the new channel registers a key of its own)
            c.ch.close();
            try {
                connect(c, selector);
            } catch (IOException again) {
                ctl.error("reconnect: " + again);
                return false;
            }
            return send(c);
        }
    }

    /** Writes one frame in full (frames here are small: a socket buffer takes them at once). */
    private static void write(Conn c, int type, ByteBuffer data) throws IOException {
        ByteBuffer out = c.out = FrameConn.frame(c.out, type, data);
        while (out.hasRemaining()) {
            if (c.ch.write(out) == 0) {
                Thread.onSpinWait();
            }
        }
    }
}

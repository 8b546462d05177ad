package io.github.a6sdk.runtime.server;

import io.github.a6sdk.runtime.protocol.FlatReader;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One event loop: a thread with a selector that accepts connections (every loop watches the one
 * listening socket, so new connections spread over the loops without a hand-off), reads their
 * frames and runs non-blocking calls itself. Nothing is allocated per connection but a small
 * object: input buffers are lent from the loop's pool while bytes are in them.
 */
final class EventLoop implements Runnable {
    private static final System.Logger LOG = System.getLogger("io.github.a6sdk.runtime");

    private final Server server;
    private final String name;
    private final Selector selector;
    private final BufferPool buffers = new BufferPool();
    private final Exchange exchange = new Exchange();
    private final FlatReader infoReader = new FlatReader();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private volatile boolean running = true;
    private volatile Thread thread;
    private ServerSocketChannel listener;
    private SelectionKey acceptKey;

    EventLoop(Server server, String name) throws IOException {
        this.server = server;
        this.name = name;
        this.selector = Selector.open();
    }

    String name() {
        return name;
    }

    BufferPool buffers() {
        return buffers;
    }

    Exchange exchange() {
        return exchange;
    }

    FlatReader infoReader() {
        return infoReader;
    }

    /** Watches {@code listening} for new connections (before the loop starts). */
    void listen(ServerSocketChannel listening) throws IOException {
        this.listener = listening;
        this.acceptKey = listening.register(selector, SelectionKey.OP_ACCEPT);
    }

    /**
     * Stops watching for new connections until {@link Server#acceptPausedUntil()} (loop thread): accept
     * failed for want of resources, and a connection that stays in the backlog would wake the selector
     * at once, again and again.
     */
    void pauseAccepting() {
        if (acceptKey != null && acceptKey.isValid()) {
            acceptKey.interestOps(0);
        }
    }

    /** Watches for new connections again once the pause is over (loop thread, every turn of the loop). */
    private long resumeAccepting() {
        long until = server.acceptPausedUntil();
        if (until == 0 || acceptKey == null || !acceptKey.isValid()) {
            return 1000;
        }
        long left = until - System.nanoTime();
        if (left <= 0) {
            if (acceptKey.interestOps() == 0) {
                acceptKey.interestOps(SelectionKey.OP_ACCEPT);
            }
            return 1000;
        }
        return Math.max(1, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(left));
    }

    /** Runs {@code task} on the loop's thread. */
    void execute(Runnable task) {
        tasks.add(task);
        if (Thread.currentThread() != thread && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    void wakeupIfElsewhere() {
        if (Thread.currentThread() != thread) {
            selector.wakeup();
        }
    }

    /** Ends the loop (after the drain): its connections are closed by the server. */
    void stop() {
        running = false;
        selector.wakeup();
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        try {
            while (running) {
                // Nothing that goes wrong in one turn of the loop may end the loop: its connections would
                // hang. An OutOfMemoryError goes to the server, which frees what it can or exits.
                try {
                    selector.select(this::onKey, resumeAccepting());
                } catch (IOException e) {
                    LOG.log(Level.ERROR, "event loop " + name + ": select failed", e);
                } catch (java.nio.channels.ClosedSelectorException e) {
                    return;
                } catch (OutOfMemoryError e) {
                    server.outOfMemory(e, name);
                } catch (RuntimeException | Error e) {
                    LOG.log(Level.ERROR, "event loop " + name + ": unexpected failure; the loop goes on", e);
                }
                wakeupPending.set(false);
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    try {
                        task.run();
                    } catch (OutOfMemoryError e) {
                        server.outOfMemory(e, name);
                    } catch (RuntimeException | Error e) {
                        LOG.log(Level.ERROR, "event loop " + name + ": a task failed", e);
                    }
                }
                // An interrupt the watchdog sent to a call that ended meanwhile is not the loop's.
                Thread.interrupted();
            }
        } finally {
            for (SelectionKey k : selector.keys()) {
                if (k.attachment() instanceof LoopConnection c) {
                    c.close();
                }
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            exchange.close();
        }
    }

    private void onKey(SelectionKey key) {
        Object att = key.attachment();
        if (att == null) {
            accept();
            return;
        }
        LoopConnection c = (LoopConnection) att;
        try {
            if (!key.isValid()) {
                return;
            }
            int ready = key.readyOps();
            if ((ready & SelectionKey.OP_WRITE) != 0) {
                c.onWritable();
            }
            if ((ready & SelectionKey.OP_READ) != 0 && key.isValid()) {
                c.onReadable();
            }
        } catch (java.nio.channels.CancelledKeyException e) {
            c.close();
        } catch (OutOfMemoryError e) {
            c.close();
            server.outOfMemory(e, name);
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, "closing connection after an unexpected failure on event loop " + name, e);
            c.close();
        }
    }

    /** Accepts every connection waiting in the listener's backlog (before the listener closes). */
    void acceptAll() {
        while (accept()) {
            // next
        }
    }

    /** Accepts one connection, if one is waiting; returns whether one was. */
    private boolean accept() {
        SocketChannel ch;
        try {
            ch = listener.accept();
        } catch (ClosedChannelException e) {
            return false;
        } catch (IOException e) {
            server.acceptFailed(e); // out of descriptors: every loop pauses accepting (see Server#acceptFailed)
            return false;
        }
        if (ch == null) {
            return false; // none waiting, or another loop took it
        }
        if (!server.peers.admit(ch)) {
            return true;
        }
        if (!server.admit()) {
            server.refuse(ch);
            return true;
        }
        try {
            ch.configureBlocking(false);
            LoopConnection c = new LoopConnection(ch, this, server);
            c.register(ch.register(selector, SelectionKey.OP_READ, c));
            server.opened(c);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not set up a new connection: {0}", e.toString());
            try {
                ch.close();
            } catch (IOException ignored) {
                // gone anyway
            }
        }
        return true;
    }
}

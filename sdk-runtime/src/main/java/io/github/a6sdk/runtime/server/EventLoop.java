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
 * One event loop: a selector that accepts connections (every loop watches the one listening
 * socket, so new connections spread over the loops without a hand-off), reads their frames and
 * runs their calls, served by one thread at a time. Nothing is allocated per connection but a small
 * object: input buffers are lent from the loop's pool while bytes are in them.
 *
 * <p><b>Calls that block.</b> A call runs on the thread that read it. If it is still running after
 * {@link #TAKEOVER_NANOS} (a plugin that waits on I/O or a lock), the server's monitor gives the
 * loop to another thread ({@link #takeOver}), so the loop's other connections go on being served;
 * the caught thread finishes its call as a worker would, and then waits to serve a loop in turn.
 * The handover is one compare-and-set on {@link #inlineSince}: either the call ended first (and its
 * thread still serves the loop) or the monitor won (and it does not), never both.
 */
final class EventLoop {
    private static final System.Logger LOG = System.getLogger("io.github.a6sdk.runtime");
    /** How long a call may hold the loop's thread waiting (asleep, on a lock or a future) before another thread takes the loop over. */
    static final long TAKEOVER_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(2);
    /**
     * The same for a thread that is running (computing, in a system call, or only descheduled on a busy
     * machine or paused by the garbage collector, where another thread would not run any sooner).
     */
    static final long TAKEOVER_RUNNING_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20);
    /** {@link #inlineSince} after the monitor took the loop over from the thread in that call. */
    private static final long TAKEN = -1;

    private final Server server;
    private final String name;
    private final Selector selector;
    private final BufferPool buffers = new BufferPool();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private volatile boolean running = true;
    /** The thread that serves the loop now. */
    private volatile LoopThread owner;
    /** When the owner began a call it runs itself (System.nanoTime, never 0), 0 between calls, TAKEN once taken over. */
    private final java.util.concurrent.atomic.AtomicLong inlineSince = new java.util.concurrent.atomic.AtomicLong();
    /** The connection of that call. */
    private volatile LoopConnection inlineConnection;
    private ServerSocketChannel listener;
    private SelectionKey acceptKey;
    private boolean acceptReady;
    private int readyCount;
    /** Connections whose keys were cancelled to move them to threads of their own after the next select (owner only). */
    private final java.util.List<LoopConnection> dedicating = new java.util.ArrayList<>();

    /** The thread whose select is collecting ready keys (the owner, during its select). */
    private LoopThread collecting;
    private final java.util.function.Consumer<SelectionKey> collector = this::collect;

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

    /** The exchange of the thread that serves the loop (that thread only). */
    Exchange exchange() {
        return owner.exchange;
    }

    /** The ExtraInfo answer reader of the thread that serves the loop (that thread only). */
    FlatReader infoReader() {
        return owner.infoReader;
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

    /** Runs {@code task} on the thread that serves the loop. */
    void execute(Runnable task) {
        tasks.add(task);
        if (!isOwner() && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    void wakeupIfElsewhere() {
        if (!isOwner()) {
            selector.wakeup();
        }
    }

    private boolean isOwner() {
        return owner == Thread.currentThread();
    }

    /** {@code c}'s key is cancelled: after the next select, which deregisters it, it moves to a thread of its own (owner only). */
    void dedicateAfterSelect(LoopConnection c) {
        dedicating.add(c);
        selector.wakeup(); // that select comes at once
    }

    /** Ends the loop (after the drain): its connections are closed by the server. */
    void stop() {
        running = false;
        selector.wakeup();
    }

    /** Starts the loop on a thread of its own. */
    void start() {
        LoopThread first = new LoopThread(server, this, name);
        owner = first;
        first.start();
    }

    /**
     * Marks the start of a call that the serving thread runs itself; returns the mark that
     * {@link #endInline} needs.
     */
    long beginInline(LoopConnection c) {
        long now = System.nanoTime();
        long mark = now == 0 || now == TAKEN ? 1 : now;
        inlineConnection = c;
        inlineSince.set(mark);
        return mark;
    }

    /**
     * Ends that call: {@code true} when the thread still serves the loop, {@code false} when the
     * loop was taken over meanwhile (the call is the thread's to finish as a worker's would be).
     */
    boolean endInline(long mark) {
        if (inlineSince.compareAndSet(mark, 0L)) {
            inlineConnection = null;
            return true;
        }
        // Taken over: the monitor names the new owner right after its compare-and-set; until it has, this
        // thread must not go on as if it still served the loop, nor hand anything back to it.
        for (int spins = 0; owner == Thread.currentThread(); spins++) {
            if (spins < 100) {
                Thread.onSpinWait();
            } else {
                java.util.concurrent.locks.LockSupport.parkNanos(10_000);
            }
        }
        return false;
    }

    /**
     * The monitor's check: if the serving thread has been in one call for longer than
     * {@link #TAKEOVER_NANOS}, the loop goes to {@code spare} (from {@code spares}) and that call's
     * connection stops being watched until its call is over. Returns what the caught call was
     * running and what its thread was doing ({@link Caught}), or {@code null} when nothing was
     * taken over.
     */
    Caught takeOverIfStuck(long now, java.util.function.Supplier<LoopThread> spares,
            java.util.function.Consumer<LoopThread> unused) {
        long since = inlineSince.get();
        if (since <= 0 || now - since < TAKEOVER_NANOS || !running) {
            return null;
        }
        Thread held = owner;
        Thread.State state = held.getState();
        if (state == Thread.State.RUNNABLE && now - since < TAKEOVER_RUNNING_NANOS) {
            return null;
        }
        // What the thread is doing is read now, while the call is still on it (the compare-and-set
        // below proves that): read after the takeover, it may describe the thread's next task, a
        // spare parked waiting for a loop, say, which would look like a plugin that waits.
        LoopConnection stuck = inlineConnection;
        io.github.a6sdk.runtime.Chain chain = stuck == null ? null : stuck.runningChain();
        // The stack only tells which plugin held the loop: none to read for a call with no chain.
        StackTraceElement[] stack = chain == null ? null : held.getStackTrace();
        LoopThread spare = spares.get(); // before the compare-and-set: the new owner is named right after it
        if (!inlineSince.compareAndSet(since, TAKEN)) {
            unused.accept(spare); // the call ended meanwhile
            return null;
        }
        owner = spare;
        if (stuck != null) {
            stuck.caughtBlocking(); // no more readiness for it on this selector until its call ends
        }
        spare.serve(this);
        return new Caught(chain, state, stack, now - since);
    }

    /**
     * A call taken over: its chain, and its thread's state and stack at that moment (chain and stack
     * {@code null} when no chain ran).
     */
    record Caught(io.github.a6sdk.runtime.Chain chain, Thread.State state, StackTraceElement[] stack, long heldNanos) {}

    /** How long the current call has held the serving thread, in ns (0 when none). */
    long inlineNanos(long now) {
        long since = inlineSince.get();
        return since > 0 ? now - since : 0;
    }

    /** Serves the loop on {@code me} until it stops, or until another thread takes it over. */
    void serve(LoopThread me) {
        try {
            while (running && owner == me) {
                // Nothing that goes wrong in one turn of the loop may end the loop: its connections would
                // hang. An OutOfMemoryError goes to the server, which frees what it can or exits.
                try {
                    turn(me);
                } catch (java.nio.channels.ClosedSelectorException e) {
                    return;
                } catch (OutOfMemoryError e) {
                    server.outOfMemory(e, name);
                } catch (RuntimeException | Error e) {
                    LOG.log(Level.ERROR, "event loop " + name + ": unexpected failure; the loop goes on", e);
                }
                // An interrupt the watchdog sent to a call that ended meanwhile is not the loop's.
                Thread.interrupted();
            }
        } finally {
            me.flushHandBacks(this);
            if (!running && owner == me) {
                closeAll();
            }
        }
    }

    /** One select and what it found, then the queued tasks; stops as soon as the loop is no longer {@code me}'s. */
    private void turn(LoopThread me) {
        readyCount = 0;
        acceptReady = false;
        try {
            collecting = me;
            selector.select(collector, resumeAccepting());
        } catch (IOException e) {
            LOG.log(Level.ERROR, "event loop " + name + ": select failed", e);
        }
        wakeupPending.set(false);
        if (!dedicating.isEmpty()) {
            // Their keys were cancelled before this select, which has deregistered them.
            for (LoopConnection c : dedicating) {
                c.dedicate();
            }
            dedicating.clear();
        }
        if (acceptReady && owner == me) {
            accept();
        }
        // Served outside select(): should one of these calls block, another thread can select meanwhile.
        int n = readyCount;
        LoopConnection[] ready = me.ready;
        for (int i = 0; i < n && owner == me; i++) {
            LoopConnection c = ready[i];
            ready[i] = null;
            onReady(c);
        }
        for (int i = 0; i < n; i++) {
            ready[i] = null;
        }
        Runnable task;
        while (owner == me && (task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (OutOfMemoryError e) {
                server.outOfMemory(e, name);
            } catch (RuntimeException | Error e) {
                LOG.log(Level.ERROR, "event loop " + name + ": a task failed", e);
            }
        }
    }

    private void collect(SelectionKey key) {
        LoopThread me = collecting;
        Object att = key.attachment();
        if (att == null) {
            acceptReady = true;
            return;
        }
        if (readyCount == me.ready.length) {
            me.ready = java.util.Arrays.copyOf(me.ready, readyCount * 2);
        }
        me.ready[readyCount++] = (LoopConnection) att;
    }

    private void closeAll() {
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
    }

    private void onReady(LoopConnection c) {
        SelectionKey key = c.key();
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

    /** Serves {@code ch}, a connection a dedicated thread gave back (owner only). */
    void adopt(SocketChannel ch) {
        try {
            LoopConnection c = new LoopConnection(ch, this, server);
            c.register(ch.register(selector, SelectionKey.OP_READ, c));
            server.adopted(c);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "could not take a connection back from its thread: {0}", e.toString());
            try {
                ch.close();
            } catch (IOException ignored) {
                // gone anyway
            }
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

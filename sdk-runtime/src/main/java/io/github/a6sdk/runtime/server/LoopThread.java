package io.github.a6sdk.runtime.server;

import io.github.a6sdk.runtime.protocol.FlatReader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A thread that serves an event loop, and what serving one needs on that thread: the exchange (reply
 * encoder and buffers) and the reader of ExtraInfo answers. A loop's first thread serves it from the
 * start; when the thread that serves a loop is caught in a call that blocks, another one takes the
 * loop over ({@link EventLoop#takeOverIfStuck}) and the caught one, once its call is over, hands
 * the connection back to the loop and waits to take a loop over in turn, or ends after a minute with
 * nothing to do.
 */
final class LoopThread extends Thread {
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(60);

    final Exchange exchange = new Exchange();
    final FlatReader infoReader = new FlatReader();
    /** The connections the last select found ready, served one by one by this thread. */
    LoopConnection[] ready = new LoopConnection[64];
    private final Server server;
    /** Connections whose call this thread finished after the loop was taken over: the loop's again once it unwound. */
    private final List<LoopConnection> handBacks = new ArrayList<>(1);
    private volatile EventLoop next;

    LoopThread(Server server, EventLoop first, String name) {
        super(name);
        setDaemon(true);
        this.server = server;
        this.next = first;
    }

    /** The running thread as a loop thread, or {@code null} when it is another kind. */
    static LoopThread current() {
        return Thread.currentThread() instanceof LoopThread t ? t : null;
    }

    /** Gives this thread (waiting, or not started yet) {@code loop} to serve. */
    void serve(EventLoop loop) {
        next = loop;
        if (getState() == State.NEW) {
            start();
        } else {
            LockSupport.unpark(this);
        }
    }

    /** {@code c}'s call was caught blocking and is over: the loop gets it back once this thread has unwound. */
    void handBack(LoopConnection c) {
        handBacks.add(c);
    }

    /** After unwinding from the loop it no longer serves: the connections go back to it. */
    void flushHandBacks(EventLoop loop) {
        for (LoopConnection c : handBacks) {
            loop.execute(c::backFromWorker);
        }
        handBacks.clear();
    }

    EventLoop takeNext() {
        EventLoop loop = next;
        next = null;
        return loop;
    }

    boolean hasNext() {
        return next != null;
    }

    @Override
    public void run() {
        try {
            while (true) {
                EventLoop loop = takeNext();
                if (loop == null) {
                    if (!server.parkSpare(this, IDLE_NANOS)) {
                        return; // a minute idle, or the server stopped
                    }
                    continue;
                }
                setName(loop.name());
                loop.serve(this);
                setName("a6-spare");
            }
        } finally {
            exchange.close();
        }
    }
}

package io.github.a6sdk.runtime.server;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Input buffers of one event loop: an idle connection holds none, a connection with bytes to read
 * takes one and gives it back once every byte was used. Used by the loop's thread only.
 */
final class BufferPool {
    private static final int MAX_POOLED = 64;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();

    ByteBuffer take() {
        ByteBuffer b = free.pollFirst();
        return b != null ? b : FrameInput.allocate(FrameInput.INITIAL_CAPACITY);
    }

    void give(ByteBuffer b) {
        if (b.capacity() == FrameInput.INITIAL_CAPACITY && free.size() < MAX_POOLED) {
            b.clear();
            free.addFirst(b);
        }
    }
}

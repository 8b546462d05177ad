package io.github.a6sdk.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RepeatedLogTest {
    @Test
    void theFirstFiveOfAnIntervalAreLoggedTheRestCountedUntilTheNextInterval() {
        RepeatedLog log = new RepeatedLog.Kinds().badFrames;
        long t0 = System.nanoTime() + RepeatedLog.INTERVAL_NANOS; // past the first window
        for (int i = 0; i < RepeatedLog.BURST; i++) {
            assertTrue(log.allow(t0 + i), "line " + i);
        }
        for (int i = 0; i < 995; i++) {
            assertFalse(log.allow(t0 + 100 + i));
        }
        assertEquals(995, log.leftOut());
        log.flush(t0 + RepeatedLog.INTERVAL_NANOS / 2);
        assertEquals(995, log.leftOut(), "no summary before the interval is over");
        log.flush(t0 + RepeatedLog.INTERVAL_NANOS);
        assertEquals(0, log.leftOut(), "summarised");
        assertTrue(log.allow(t0 + RepeatedLog.INTERVAL_NANOS + 1), "a new interval logs again");
    }
}

package io.github.a6sdk.runtime.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pieces on their own: address parsing, phases from keys, escaping, striped sums, buckets. */
class MetricsPartsTest {

    @Test
    void addresses() {
        InetSocketAddress a = MetricsEndpoint.parse("127.0.0.1:9464");
        assertEquals("127.0.0.1", a.getAddress().getHostAddress());
        assertEquals(9464, a.getPort());
        assertEquals(9464, MetricsEndpoint.parse("[::1]:9464").getPort());
        assertTrue(MetricsEndpoint.parse(":9464").getAddress().isAnyLocalAddress());
        for (String bad : new String[] {"9464", "localhost", "127.0.0.1:", "127.0.0.1:x", "::1:9464", "h:70000"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetricsEndpoint.parse(bad));
            assertTrue(e.getMessage().startsWith("A6_METRICS_ADDRESS"), e.getMessage());
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
    }

    @Test
    void phasesFromPrepareConfKeys() {
        assertEquals(Registry.PRE_REQ, MeteredCatalog.phaseOf("route#1#ext-plugin-pre-req#1700000000"));
        assertEquals(Registry.POST_REQ, MeteredCatalog.phaseOf("service#9#ext-plugin-post-req#2"));
        assertEquals(Registry.POST_RESP, MeteredCatalog.phaseOf("route#1#ext-plugin-post-resp#3"));
        assertEquals(-1, MeteredCatalog.phaseOf("route#1#ext-plugin-pre-req-not#3"));
        assertEquals(-1, MeteredCatalog.phaseOf(""));
        assertEquals(-1, MeteredCatalog.phaseOf(null));
    }

    @Test
    void escaping() {
        assertEquals("{a=\"x\\\\y\\\"z\\nw\",b=\"\"}", TextFormat.labels("a", "x\\y\"z\nw", "b", ""));
        assertEquals("", TextFormat.labels());
        String text = new TextFormat().family("f", "gauge", "line\\one\n\"two\"").toString();
        assertEquals("# HELP f line\\\\one\\n\"two\"\n# TYPE f gauge\n", text);
        assertEquals("+Inf", TextFormat.number(Double.POSITIVE_INFINITY));
        assertEquals("3", TextFormat.number(3.0));
        assertEquals("2.5E-4", TextFormat.number(0.00025));
    }

    @Test
    void stripesArePowersOfTwo() {
        assertEquals(2, StripedCells.stripes(1));
        assertEquals(4, StripedCells.stripes(2));
        assertEquals(8, StripedCells.stripes(3));
        assertEquals(64, StripedCells.stripes(256));
    }

    @Test
    void concurrentAddsAreAllCounted() throws Exception {
        StripedCells cells = new StripedCells(3);
        Histogram h = new Histogram();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            Thread th = new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    cells.add(1, 1);
                    cells.add(2, 3);
                    h.observe(i % 2 == 0 ? 20_000 : 2_000_000_000L);
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        assertEquals(0, cells.sum(0));
        assertEquals(160_000, cells.sum(1));
        assertEquals(480_000, cells.sum(2));
        long[] b = h.buckets();
        assertEquals(80_000, b[1], "20 µs falls in le=0.000025");
        assertEquals(80_000, b[16], "2 s falls in le=2.5");
        assertEquals(160_000, java.util.Arrays.stream(b).sum());
        assertEquals(80_000L * 20_000 + 80_000L * 2_000_000_000L, h.sumNanos());
    }

    @Test
    void histogramTextIsCumulativeAndEndsInInfEqualToCount() {
        Histogram h = new Histogram();
        h.observe(10_000);          // le=0.00001 (bounds are inclusive)
        h.observe(10_001);          // le=0.000025
        h.observe(61_000_000_000L); // +Inf only
        String text = new TextFormat().histogram("x_seconds", TextFormat.pairs("plugin", "p"), h.buckets(), h.sumNanos())
                .toString();
        assertTrue(text.startsWith("x_seconds_bucket{plugin=\"p\",le=\"0.00001\"} 1\nx_seconds_bucket{plugin=\"p\",le=\"0.000025\"} 2\n"),
                text);
        assertTrue(text.contains("x_seconds_bucket{plugin=\"p\",le=\"60\"} 2\nx_seconds_bucket{plugin=\"p\",le=\"+Inf\"} 3\n"), text);
        assertTrue(text.endsWith("x_seconds_sum{plugin=\"p\"} 61.000020001\nx_seconds_count{plugin=\"p\"} 3\n"), text);
        assertArrayEquals(new long[] {1, 1}, new long[] {h.buckets()[0], h.buckets()[1]});
    }
}

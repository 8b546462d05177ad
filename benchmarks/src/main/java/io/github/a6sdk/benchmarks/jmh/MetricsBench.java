package io.github.a6sdk.benchmarks.jmh;

import io.github.a6sdk.api.RequestFilter;
import io.github.a6sdk.api.spi.PluginDescriptor;
import io.github.a6sdk.runtime.PluginCatalog;
import io.github.a6sdk.runtime.call.RequestView;
import io.github.a6sdk.runtime.call.StopResponse;
import io.github.a6sdk.runtime.metrics.Metrics;
import io.github.a6sdk.runtime.protocol.Rpc;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What A6_METRICS_ADDRESS adds to one call of a one-plugin chain (the {@code noop} plugin): the
 * plugin's filter as the chain calls it, with metrics off (the plugin's own filter) and on (the
 * timed filter of a metered catalog, two nanoTime reads, a counter and a histogram, plus the call's
 * histogram that Connection records). At 1 thread and at 64 threads sharing one Metrics, as 64
 * connections do. {@code naive_*} is the obvious alternative for scale: the same clock reads and
 * the same five atomic adds, on shared AtomicLongs instead of striped cells.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MetricsBench {
    private RequestFilter<Object> plain;
    private RequestFilter<Object> timed;
    private Object config;
    private Metrics metrics;
    private final AtomicLong[] shared = {new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong(),
        new AtomicLong()};

    /** Each thread's call: its own views, as each connection has. */
    @State(Scope.Thread)
    public static class Call {
        final RequestView request = new RequestView(null, null);
        final StopResponse response = new StopResponse();
        final long start = System.nanoTime();
    }

    @Setup
    @SuppressWarnings("unchecked")
    public void setup() throws Exception {
        PluginCatalog catalog = PluginCatalog.load(MetricsBench.class.getClassLoader());
        metrics = Metrics.create(catalog, () -> 0, () -> 0, "jdk", "platform");
        PluginDescriptor<Object> d = (PluginDescriptor<Object>) catalog.find("noop");
        plain = d.requestFilter();
        timed = ((PluginDescriptor<Object>) metrics.catalogFor("route#1#ext-plugin-pre-req#1").find("noop")).requestFilter();
        config = d.parseConfig("");
    }

    private void off(Call c) throws Exception {
        plain.filter(config, c.request, c.response);
    }

    private void on(Call c) throws Exception {
        timed.filter(config, c.request, c.response);
        metrics.callEnded(Rpc.HTTP_REQ_CALL, c.start);
    }

    @Benchmark
    @Threads(1)
    public void off_1t(Call c) throws Exception {
        off(c);
    }

    @Benchmark
    @Threads(1)
    public void on_1t(Call c) throws Exception {
        on(c);
    }

    @Benchmark
    @Threads(64)
    public void off_64t(Call c) throws Exception {
        off(c);
    }

    @Benchmark
    @Threads(64)
    public void on_64t(Call c) throws Exception {
        on(c);
    }

    @Benchmark
    @Threads(1)
    public void naive_1t(Call c) throws Exception {
        naive(c);
    }

    @Benchmark
    @Threads(64)
    public void naive_64t(Call c) throws Exception {
        naive(c);
    }

    /** Counter, bucket and sum of the plugin, bucket and sum of the call: five adds on shared lines. */
    private void naive(Call c) throws Exception {
        long start = System.nanoTime();
        plain.filter(config, c.request, c.response);
        long plugin = System.nanoTime() - start;
        shared[0].getAndIncrement();
        shared[1].getAndIncrement();
        shared[2].getAndAdd(plugin);
        shared[3].getAndIncrement();
        shared[4].getAndAdd(System.nanoTime() - c.start);
    }
}

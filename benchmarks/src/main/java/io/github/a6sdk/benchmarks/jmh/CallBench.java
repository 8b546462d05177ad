package io.github.a6sdk.benchmarks.jmh;

import io.github.a6sdk.benchmarks.load.LoadGen;
import io.github.a6sdk.benchmarks.load.Wire;
import io.github.a6sdk.runtime.Chain;
import io.github.a6sdk.runtime.ConfCache;
import io.github.a6sdk.runtime.PluginCatalog;
import io.github.a6sdk.runtime.PluginFailure;
import io.github.a6sdk.runtime.call.ExtraInfo;
import io.github.a6sdk.runtime.call.RequestView;
import io.github.a6sdk.runtime.call.StopResponse;
import io.github.a6sdk.runtime.call.UpstreamView;
import io.github.a6sdk.runtime.protocol.Encoder;
import io.github.a6sdk.runtime.protocol.FlatReader;
import io.github.a6sdk.runtime.protocol.FrameChannel;
import io.github.a6sdk.runtime.protocol.FrameTooLargeException;
import io.github.a6sdk.runtime.protocol.WireRequest;
import io.github.a6sdk.runtime.protocol.WireResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A whole call in memory, the same steps as the runtime's Connection: read the frame, decode,
 * look up the token, run the chain, encode the reply, frame and write it. ExtraInfo (vars) is
 * answered in memory. Run with {@code -prof gc} for B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CallBench {

    /** noop = chain of 1, chain5 = 5 noop plugins; say, rewrite, vars, respmod as in the comparison. */
    @Param({"noop", "chain5", "say", "rewrite", "vars", "respmod"})
    public String scenario;

    /** Request headers in the HTTPReqCall. */
    @Param({"10"})
    public int headers;

    private MemoryChannel channel;
    private FrameChannel io;
    private final FlatReader reader = new FlatReader();
    private final Encoder encoder = new Encoder();
    private ConfCache cache;
    private boolean responsePhase;
    private final ExtraInfo extra = new ExtraInfo() {
        private final byte[] addr = "127.0.0.1".getBytes(StandardCharsets.UTF_8);
        private final byte[] body = new byte[64];

        @Override
        public byte[] var(String name) {
            return "remote_addr".equals(name) ? addr : null;
        }

        @Override
        public byte[] requestBody() {
            return body;
        }

        @Override
        public byte[] responseBody() {
            return null;
        }
    };

    static List<Chain.Entry> conf(String scenario) {
        List<Chain.Entry> c = new ArrayList<>();
        switch (scenario) {
            case "noop": c.add(new Chain.Entry("noop", "")); break;
            case "chain5": for (int i = 0; i < 5; i++) { c.add(new Chain.Entry("noop", "")); } break;
            case "chain20": for (int i = 0; i < 20; i++) { c.add(new Chain.Entry("noop", "")); } break;
            case "say": c.add(new Chain.Entry("say", "{\"body\":\"hello\"}")); break;
            case "rewrite": c.add(new Chain.Entry("rewrite", "{\"path\":\"/x\",\"header_name\":\"X-A\",\"header_value\":\"1\"}")); break;
            case "vars": c.add(new Chain.Entry("vars", "")); break;
            case "respmod": c.add(new Chain.Entry("respmod", "{\"header_name\":\"X-B\",\"header_value\":\"2\"}")); break;
            default: throw new IllegalArgumentException(scenario);
        }
        return c;
    }

    @Setup(Level.Trial)
    public void setup() throws Exception {
        PluginCatalog catalog = PluginCatalog.load(CallBench.class.getClassLoader());
        cache = new ConfCache(1024, 7200);
        long token = cache.put(Chain.prepare(catalog, conf(scenario)));
        responsePhase = scenario.equals("respmod");
        if (responsePhase) {
            channel = new MemoryChannel(MemoryChannel.frameOf(4, Wire.respCall(token, 200, LoadGen.upstreamHeaders())));
        } else {
            channel = new MemoryChannel(MemoryChannel.frameOf(2, Wire.reqCall(token, new byte[] {127, 0, 0, 1}, 0,
                    "/hello/world", List.of(new String[] {"a", "1"}, new String[] {"b", "two"}),
                    LoadGen.requestHeaders(headers))));
        }
        io = new FrameChannel(channel);
        if (call() <= 0) {
            throw new IllegalStateException("no reply");
        }
    }

    @Benchmark
    public long call() throws IOException, PluginFailure, FrameTooLargeException {
        io.readFrame();
        try {
            if (responsePhase) {
                WireResponse resp = new WireResponse(io.payload(reader));
                Chain chain = cache.get(resp.confToken());
                UpstreamView view = new UpstreamView(resp, extra);
                chain.runResponse(view);
                encoder.respCall(resp.id(), view);
                io.append(4, encoder.builder());
            } else {
                WireRequest req = new WireRequest(io.payload(reader));
                long id = req.id();
                Chain chain = cache.get(req.confToken());
                RequestView request = new RequestView(req, extra);
                StopResponse response = new StopResponse();
                chain.runRequest(request, response);
                if (response.isStopped()) {
                    encoder.stop(id, response);
                } else if (request.isRewritten()) {
                    encoder.rewrite(id, request);
                } else {
                    encoder.pass(id);
                }
                io.append(2, encoder.builder());
            }
            io.flush();
        } finally {
            io.endCall();
        }
        return channel.written;
    }
}

package io.github.a6sdk.benchmarks.jmh;

import io.github.a6sdk.benchmarks.load.LoadGen;
import io.github.a6sdk.benchmarks.load.Wire;
import io.github.a6sdk.runtime.Chain;
import io.github.a6sdk.runtime.call.EntrySource;
import io.github.a6sdk.runtime.call.ExtraInfo;
import io.github.a6sdk.runtime.call.RequestView;
import io.github.a6sdk.runtime.call.StopResponse;
import io.github.a6sdk.runtime.call.UpstreamView;
import io.github.a6sdk.runtime.protocol.Encoder;
import io.github.a6sdk.runtime.protocol.FlatReader;
import io.github.a6sdk.runtime.protocol.FrameChannel;
import io.github.a6sdk.runtime.protocol.FrameTooLargeException;
import io.github.a6sdk.runtime.protocol.WirePrepareConf;
import io.github.a6sdk.runtime.protocol.WireRequest;
import io.github.a6sdk.runtime.protocol.WireResponse;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Frame decode and encode for each RPC type with the runtime's FrameChannel, FlatReader and
 * Encoder: decode = read the frame from an in-memory channel and read every field; encode = build
 * the reply, frame it and write it to an in-memory channel.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CodecBench {
    private FrameChannel prepareIn;
    private FrameChannel reqIn;
    private FrameChannel respIn;
    private FrameChannel infoIn;
    private final FlatReader reader = new FlatReader();

    private final MemoryChannel sink = new MemoryChannel(null);
    private final FrameChannel out = new FrameChannel(sink);
    private final Encoder encoder = new Encoder();
    private final StopResponse stop = new StopResponse();
    private RequestView rewritten;
    private UpstreamView upstream;

    private static final ExtraInfo NO_EXTRA = new ExtraInfo() {
        @Override
        public byte[] var(String name) {
            return null;
        }

        @Override
        public byte[] requestBody() {
            return null;
        }

        @Override
        public byte[] responseBody() {
            return null;
        }
    };

    static FrameChannel in(int type, java.nio.ByteBuffer payload) {
        return new FrameChannel(new MemoryChannel(MemoryChannel.frameOf(type, payload)));
    }

    @Setup(Level.Trial)
    public void setup() throws IOException {
        prepareIn = in(1, Wire.prepareConfReq("route#1#ext-plugin-pre-req#42",
                List.of(new String[] {"say", "{\"body\":\"hello\"}"}, new String[] {"noop", ""})));
        java.nio.ByteBuffer req = Wire.reqCall(7, new byte[] {127, 0, 0, 1}, 0, "/hello/world",
                List.of(new String[] {"a", "1"}, new String[] {"b", "two"}), LoadGen.requestHeaders(10));
        reqIn = in(2, req);
        java.nio.ByteBuffer resp = Wire.respCall(7, 200, LoadGen.upstreamHeaders());
        respIn = in(4, resp);
        infoIn = in(3, Wire.extraInfoAnswer("127.0.0.1".getBytes(java.nio.charset.StandardCharsets.UTF_8)));

        stop.setStatus(200);
        stop.setHeader("X-Resp-A6-Runner", "Java");
        stop.setBody("hello");

        FrameChannel held = in(2, req);
        held.readFrame();
        rewritten = new RequestView(new WireRequest(held.payload(new FlatReader())), NO_EXTRA);
        rewritten.setPath("/x");
        rewritten.headers().set("X-A", "1");

        FrameChannel heldResp = in(4, resp);
        heldResp.readFrame();
        upstream = new UpstreamView(new WireResponse(heldResp.payload(new FlatReader())), NO_EXTRA);
        upstream.headers().set("X-B", "2");
        upstream.setStatus(299);
    }

    // ---------------------------------------------------------------- decode

    @Benchmark
    public void decodePrepareConf(Blackhole bh) throws IOException {
        prepareIn.readFrame();
        FlatReader r = prepareIn.payload(reader);
        List<Chain.Entry> entries = WirePrepareConf.entries(r);
        bh.consume(entries);
        bh.consume(WirePrepareConf.key(r));
        prepareIn.endCall();
    }

    @Benchmark
    public void decodeHttpReqCall(Blackhole bh) throws IOException {
        reqIn.readFrame();
        WireRequest req = new WireRequest(reqIn.payload(reader));
        bh.consume(req.id());
        bh.consume(req.confToken());
        bh.consume(req.method());
        bh.consume(req.path());
        bh.consume(req.sourceIp());
        entries(bh, req.headers());
        entries(bh, req.args());
        reqIn.endCall();
    }

    @Benchmark
    public void decodeHttpRespCall(Blackhole bh) throws IOException {
        respIn.readFrame();
        WireResponse resp = new WireResponse(respIn.payload(reader));
        bh.consume(resp.id());
        bh.consume(resp.confToken());
        bh.consume(resp.status());
        entries(bh, resp.headers());
        respIn.endCall();
    }

    @Benchmark
    public byte[] decodeExtraInfoResp() throws IOException {
        infoIn.readFrame();
        FlatReader r = infoIn.payload(reader);
        byte[] b = r.bytes(r.root(), 0);
        infoIn.endCall();
        return b;
    }

    private static void entries(Blackhole bh, EntrySource e) {
        for (int i = 0, n = e.count(); i < n; i++) {
            bh.consume(e.name(i));
            bh.consume(e.value(i));
        }
    }

    // ---------------------------------------------------------------- encode

    private long send(int type) throws IOException, FrameTooLargeException {
        out.append(type, encoder.builder());
        out.flush();
        out.endCall();
        return sink.written;
    }

    @Benchmark
    public long encodePrepareConfResp() throws IOException, FrameTooLargeException {
        encoder.prepareConf(12345);
        return send(1);
    }

    @Benchmark
    public long encodeHttpReqCallPass() throws IOException, FrameTooLargeException {
        encoder.pass(4194305);
        return send(2);
    }

    @Benchmark
    public long encodeHttpReqCallStop() throws IOException, FrameTooLargeException {
        encoder.stop(4194305, stop);
        return send(2);
    }

    @Benchmark
    public long encodeHttpReqCallRewrite() throws IOException, FrameTooLargeException {
        encoder.rewrite(4194305, rewritten);
        return send(2);
    }

    @Benchmark
    public long encodeHttpRespCall() throws IOException, FrameTooLargeException {
        encoder.respCall(4194305, upstream);
        return send(4);
    }

    @Benchmark
    public long encodeExtraInfoVar() throws IOException, FrameTooLargeException {
        encoder.extraInfoVar("remote_addr");
        return send(3);
    }

    @Benchmark
    public long encodeExtraInfoReqBody() throws IOException, FrameTooLargeException {
        encoder.extraInfoBody(false);
        return send(3);
    }

    @Benchmark
    public long encodeError() throws IOException, FrameTooLargeException {
        encoder.error(2);
        return send(0);
    }
}

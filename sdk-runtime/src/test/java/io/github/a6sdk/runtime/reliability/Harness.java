package io.github.a6sdk.runtime.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.google.flatbuffers.FlatBufferBuilder;
import io.github.a6sdk.runtime.PluginCatalog;
import io.github.a6sdk.runtime.Runner;
import io.github.a6sdk.runtime.RunnerConfig;
import io.github.a6sdk.runtime.client.ApisixClient;
import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.client.Reply;
import io.github.a6sdk.runtime.fbs.A6.TextEntry;
import io.github.a6sdk.runtime.protocol.FlatReader;
import io.github.a6sdk.runtime.protocol.Rpc;
import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Starts runners on temp sockets and talks to them, politely or not. */
final class Harness {
    private Harness() {}

    static Runner start(Path sock, PluginCatalog catalog, Map<String, String> env) throws IOException {
        Map<String, String> all = new HashMap<>(env);
        all.put("APISIX_LISTEN_ADDRESS", "unix:" + sock);
        return new Runner(RunnerConfig.fromEnvironment(all), catalog, io.github.a6sdk.runtime.TestTransports.fromProperty())
                .start();
    }

    /** A catalog with "echo" (Stop 200, body = config) plus the given plugins. */
    static PluginCatalog withEcho(TestPlugin... more) {
        TestPlugin[] all = new TestPlugin[more.length + 1];
        all[0] = echo();
        System.arraycopy(more, 0, all, 1, more.length);
        return TestPlugin.catalog(all);
    }

    static TestPlugin echo() {
        return TestPlugin.request("echo", (config, request, response) -> {
            response.setStatus(200);
            response.setBody(config.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        });
    }

    static long prepare(Path sock, String... nameValue) throws IOException {
        List<Field> conf = new ArrayList<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            conf.add(Field.of(nameValue[i], nameValue[i + 1]));
        }
        try (ApisixClient c = ApisixClient.connect(sock)) {
            return assertInstanceOf(Reply.Token.class, c.prepareConf("route#1#ext-plugin-pre-req#1", conf)).token();
        }
    }

    /** A new connection is served correctly: PrepareConf of echo, then a call answered with its Stop. */
    static void assertServes(Path sock) throws IOException {
        long token = prepare(sock, "echo", "still-alive");
        try (ApisixClient c = ApisixClient.connect(sock)) {
            Reply r = c.call(token, new CallRequest().id(99).path("/after"), new ExtraInfoAnswers());
            Reply.Stop stop = assertInstanceOf(Reply.Stop.class, r);
            assertEquals(200, stop.status());
            assertEquals("still-alive", stop.bodyAsString());
        }
    }

    // ---- building raw payloads ----

    static byte[] finished(FlatBufferBuilder b) {
        return b.sizedByteArray();
    }

    static int entries(FlatBufferBuilder b, List<Field> fields) {
        int[] offs = new int[fields.size()];
        for (int i = 0; i < offs.length; i++) {
            Field f = fields.get(i);
            int n = f.name() == null ? 0 : b.createString(f.name());
            int v = f.value() == null ? 0 : b.createString(f.value());
            offs[i] = TextEntry.createTextEntry(b, n, v);
        }
        b.startVector(4, offs.length, 4);
        for (int i = offs.length - 1; i >= 0; i--) {
            b.addOffset(offs[i]);
        }
        return b.endVector();
    }

    static byte[] prepareConfPayload(String key, List<Field> conf) {
        FlatBufferBuilder b = new FlatBufferBuilder(1024);
        int c = conf == null ? 0 : entries(b, conf);
        int k = key == null ? 0 : b.createString(key);
        b.finish(io.github.a6sdk.runtime.fbs.A6.PrepareConf.Req.createReq(b, c, k));
        return finished(b);
    }

    static byte[] reqCallPayload(long id, long token, String path, List<Field> args, List<Field> headers) {
        FlatBufferBuilder b = new FlatBufferBuilder(1024);
        int ip = b.createByteVector(new byte[] {127, 0, 0, 1});
        int p = path == null ? 0 : b.createString(path);
        int a = args.isEmpty() ? 0 : entries(b, args);
        int h = headers.isEmpty() ? 0 : entries(b, headers);
        b.finish(io.github.a6sdk.runtime.fbs.A6.HTTPReqCall.Req.createReq(b, id, ip, 2, p, a, h, token));
        return finished(b);
    }

    static byte[] respCallPayload(long id, long token, int status, List<Field> headers) {
        FlatBufferBuilder b = new FlatBufferBuilder(1024);
        int h = headers.isEmpty() ? 0 : entries(b, headers);
        b.finish(io.github.a6sdk.runtime.fbs.A6.HTTPRespCall.Req.createReq(b, id, status, h, token));
        return finished(b);
    }

    static byte[] extraInfoAnswerPayload(byte[] result) {
        FlatBufferBuilder b = new FlatBufferBuilder(1024);
        int r = result == null ? 0 : b.createByteVector(result);
        b.finish(io.github.a6sdk.runtime.fbs.A6.ExtraInfo.Resp.createResp(b, r));
        return finished(b);
    }

    static byte[] frame(int type, byte[] payload) {
        byte[] f = new byte[4 + payload.length];
        f[0] = (byte) type;
        f[1] = (byte) (payload.length >>> 16);
        f[2] = (byte) (payload.length >>> 8);
        f[3] = (byte) payload.length;
        System.arraycopy(payload, 0, f, 4, payload.length);
        return f;
    }

    /** A frame read back by {@link Raw}. */
    record Frame(int type, byte[] payload) {
        int errorCode() {
            assertEquals(Rpc.ERROR, type, "expected an error frame, got type " + type);
            FlatReader r = new FlatReader().reset(ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN), 0, payload.length);
            return r.u8(r.root(), 0);
        }
    }

    /** A raw connection with read timeouts: writes any bytes, reads frames or end-of-stream. */
    static final class Raw implements Closeable {
        final SocketChannel ch;
        private final Selector selector;
        private ByteBuffer in = ByteBuffer.allocate(1 << 16);

        Raw(Path sock) throws IOException {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(sock));
            ch.configureBlocking(false);
            selector = Selector.open();
            ch.register(selector, SelectionKey.OP_READ);
        }

        void write(byte[] bytes) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (b.hasRemaining()) {
                if (ch.write(b) == 0) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("runner does not read");
                    }
                    Thread.onSpinWait();
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                }
            }
        }

        void send(int type, byte[] payload) throws IOException {
            write(frame(type, payload));
        }

        /** The next frame; {@code null} when the runner closed the connection; throws on timeout. */
        Frame read(long timeoutMillis) throws IOException {
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            while (true) {
                if (in.position() >= 4) {
                    int len = (in.get(1) & 0xFF) << 16 | (in.get(2) & 0xFF) << 8 | (in.get(3) & 0xFF);
                    if (in.position() >= 4 + len) {
                        byte[] payload = new byte[len];
                        in.flip();
                        int type = in.get() & 0xFF;
                        in.position(4);
                        in.get(payload);
                        in.compact();
                        return new Frame(type, payload);
                    }
                    if (in.capacity() < 4 + len) {
                        ByteBuffer bigger = ByteBuffer.allocate(4 + len);
                        in.flip();
                        bigger.put(in);
                        in = bigger;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("no reply within " + timeoutMillis + " ms");
                }
                selector.select(Math.max(1, left / 1_000_000L));
                selector.selectedKeys().clear();
                int n;
                try {
                    n = ch.read(in);
                } catch (IOException e) {
                    return null; // reset by the runner: closed
                }
                if (n < 0) {
                    if (in.position() > 0) {
                        throw new IOException("runner closed inside a frame (" + in.position() + " bytes)");
                    }
                    return null;
                }
            }
        }

        /** Whether the runner closed this connection within the time (reading and dropping frames). */
        boolean closedWithin(long timeoutMillis) throws IOException {
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            while (System.nanoTime() < deadline) {
                try {
                    if (read(Math.max(1, (deadline - System.nanoTime()) / 1_000_000L)) == null) {
                        return true;
                    }
                } catch (IOException e) {
                    if (e.getMessage() != null && e.getMessage().startsWith("no reply")) {
                        return false;
                    }
                    if (e.getMessage() != null && e.getMessage().startsWith("runner closed inside a frame")) {
                        return true; // cut off in the middle of a reply it could not finish writing
                    }
                    throw e;
                }
            }
            return false;
        }

        @Override
        public void close() throws IOException {
            selector.close();
            ch.close();
        }
    }

    /** Collects the runtime's log records (java.util.logging, the System.Logger default). */
    static final class LogCapture extends Handler implements AutoCloseable {
        private final Logger logger = Logger.getLogger("io.github.a6sdk.runtime");
        private final List<LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();

        LogCapture() {
            logger.addHandler(this);
        }

        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        List<String> messages() {
            List<String> out = new ArrayList<>();
            java.util.logging.SimpleFormatter f = new java.util.logging.SimpleFormatter();
            for (LogRecord r : records) {
                out.add(r.getLevel() + " " + f.formatMessage(r));
            }
            return out;
        }

        boolean contains(String fragment) {
            for (String m : messages()) {
                if (m.contains(fragment)) {
                    return true;
                }
            }
            return false;
        }

        boolean await(String fragment, long millis) throws InterruptedException {
            long deadline = System.currentTimeMillis() + millis;
            while (System.currentTimeMillis() < deadline) {
                if (contains(fragment)) {
                    return true;
                }
                Thread.sleep(10);
            }
            return contains(fragment);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }
}

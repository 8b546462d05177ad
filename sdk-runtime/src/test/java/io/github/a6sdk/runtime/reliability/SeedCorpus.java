package io.github.a6sdk.runtime.reliability;

import io.github.a6sdk.runtime.call.EntrySource;
import io.github.a6sdk.runtime.call.ExtraInfo;
import io.github.a6sdk.runtime.call.RequestView;
import io.github.a6sdk.runtime.call.StopResponse;
import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.protocol.Encoder;
import io.github.a6sdk.runtime.protocol.Rpc;
import io.github.a6sdk.runtime.protocol.WireRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The fuzz seeds: valid messages of every RPC type, built with the same builders as the client and
 * the runner. {@code main} writes them into Jazzer's input directories (FUZZING.md); the tests read
 * them back from the class path.
 */
public final class SeedCorpus {
    static final String RESOURCE_DIR = "io/github/a6sdk/runtime/reliability/DecoderFuzzTestInputs/";
    /** Jazzer's per-method input directories, by fuzz test method. */
    static final String[] TARGETS = {"prepareConf", "httpReqCall", "httpRespCall", "extraInfo", "errorAndUnknown", "frames"};

    private SeedCorpus() {}

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : "src/test/resources").resolve(RESOURCE_DIR);
        for (Map.Entry<String, Map<String, byte[]>> target : seeds().entrySet()) {
            Path dir = root.resolve(target.getKey());
            Files.createDirectories(dir);
            for (Map.Entry<String, byte[]> seed : target.getValue().entrySet()) {
                Files.write(dir.resolve(seed.getKey()), seed.getValue());
            }
        }
        System.out.println("wrote seeds under " + root);
    }

    static Map<String, Map<String, byte[]>> seeds() {
        Map<String, Map<String, byte[]>> all = new LinkedHashMap<>();
        Map<String, byte[]> prepare = new LinkedHashMap<>();
        prepare.put("seed-two-plugins", Harness.prepareConfPayload("route#1#ext-plugin-pre-req#1",
                List.of(Field.of("echo", "{\"body\":\"hi\"}"), Field.of("auth", "{}"))));
        prepare.put("seed-no-conf", Harness.prepareConfPayload("route#2#ext-plugin-post-req#3", null));
        prepare.put("seed-absent-value", Harness.prepareConfPayload(null, List.of(new Field("echo", null))));
        all.put("prepareConf", prepare);

        Map<String, byte[]> req = new LinkedHashMap<>();
        req.put("seed-get", Harness.reqCallPayload(7, 1, "/get", List.of(Field.of("a", "1"), new Field("flag", null)),
                List.of(Field.of("host", "example.com"), Field.of("x-a", "b"), Field.of("x-a", "c"))));
        req.put("seed-bare", Harness.reqCallPayload(0, 0, null, List.of(), List.of()));
        req.put("seed-empty-values", Harness.reqCallPayload(1L << 31, 0xFFFF_FFFFL, "", List.of(Field.of("y", "")),
                List.of(Field.of("", ""))));
        all.put("httpReqCall", req);

        Map<String, byte[]> resp = new LinkedHashMap<>();
        resp.put("seed-ok", Harness.respCallPayload(9, 3, 200,
                List.of(Field.of("Content-Type", "text/plain"), Field.of("Set-Cookie", "a=1"))));
        resp.put("seed-bare", Harness.respCallPayload(0, 0, 0, List.of()));
        all.put("httpRespCall", resp);

        Map<String, byte[]> info = new LinkedHashMap<>();
        info.put("seed-answer", Harness.extraInfoAnswerPayload("value".getBytes(StandardCharsets.UTF_8)));
        info.put("seed-answer-absent", Harness.extraInfoAnswerPayload(null));
        info.put("seed-answer-empty", Harness.extraInfoAnswerPayload(new byte[0]));
        Encoder e = new Encoder();
        e.extraInfoVar("remote_addr");
        info.put("seed-question-var", bytes(e));
        e.extraInfoBody(true);
        info.put("seed-question-body", bytes(e));
        all.put("extraInfo", info);

        Map<String, byte[]> err = new LinkedHashMap<>();
        for (int code = 0; code <= 2; code++) {
            e.error(code);
            err.put("seed-error-" + code, bytes(e));
        }
        e.prepareConf(42);
        err.put("seed-prepare-reply", bytes(e));
        all.put("errorAndUnknown", err);

        // Whole streams: frames back to back, as APISIX and the runner write them.
        Map<String, byte[]> frames = new LinkedHashMap<>();
        frames.put("seed-session", concat(
                Harness.frame(Rpc.PREPARE_CONF, prepare.get("seed-two-plugins")),
                Harness.frame(Rpc.HTTP_REQ_CALL, req.get("seed-get")),
                Harness.frame(Rpc.EXTRA_INFO, info.get("seed-answer")),
                Harness.frame(Rpc.HTTP_RESP_CALL, resp.get("seed-ok"))));
        StopResponse stop = new StopResponse();
        stop.setStatus(403);
        stop.headers().add("x-reason", "denied");
        stop.setBody("no".getBytes(StandardCharsets.UTF_8));
        e.stop(7, stop);
        byte[] stopPayload = bytes(e);
        RequestView rewrite = new RequestView(new WireRequest(
                new io.github.a6sdk.runtime.protocol.FlatReader().reset(
                        ByteBuffer.wrap(req.get("seed-get")).order(java.nio.ByteOrder.LITTLE_ENDIAN), 0,
                        req.get("seed-get").length)), NONE);
        rewrite.setPath("/new");
        rewrite.headers().set("x-user", "u1");
        rewrite.headers().remove("x-a");
        rewrite.args().add("b", "2");
        e.rewrite(7, rewrite);
        frames.put("seed-replies", concat(Harness.frame(Rpc.HTTP_REQ_CALL, stopPayload),
                Harness.frame(Rpc.HTTP_REQ_CALL, bytes(e)), Harness.frame(Rpc.ERROR, err.get("seed-error-1"))));
        frames.put("seed-huge-length", new byte[] {2, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        frames.put("seed-zero-length", new byte[] {2, 0, 0, 0, 1, 0, 0, 0});
        all.put("frames", frames);
        return all;
    }

    private static final ExtraInfo NONE = new ExtraInfo() {
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

    static byte[] bytes(Encoder e) {
        ByteBuffer b = e.builder().dataBuffer();
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Every input of one target committed under test resources (seeds and regression inputs). */
    static List<byte[]> committed(String target) throws IOException {
        java.net.URL url = SeedCorpus.class.getClassLoader().getResource(RESOURCE_DIR + target);
        if (url == null) {
            throw new IOException("no committed corpus for " + target + " (run SeedCorpus, see FUZZING.md)");
        }
        List<byte[]> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of(java.net.URI.create(url.toString())))) {
            for (Path p : (Iterable<Path>) files.sorted()::iterator) {
                try (InputStream in = Files.newInputStream(p)) {
                    out.add(in.readAllBytes());
                }
            }
        }
        return out;
    }

    static EntrySource none() {
        return EntrySource.EMPTY;
    }
}

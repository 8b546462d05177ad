package io.github.a6sdk.runtime.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.a6sdk.api.Fields;
import io.github.a6sdk.runtime.call.EntrySource;
import io.github.a6sdk.runtime.call.FieldList;
import io.github.a6sdk.runtime.call.RequestData;
import io.github.a6sdk.runtime.call.RequestView;
import io.github.a6sdk.runtime.call.ResponseData;
import io.github.a6sdk.runtime.call.UpstreamView;
import io.github.a6sdk.runtime.protocol.Encoder;
import io.github.a6sdk.runtime.protocol.FlatReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random plugin edits, encoded by the runtime, then applied the way APISIX applies a reply
 * (docs/protocol.md 5.2 and 7, re-stated here as small simulators): the client must end up with exactly
 * what the plugin left in its view.
 */
class ApisixSemanticsTest {
    private static final String[] NAMES = {"a", "b", "c", "X-Up", "x-up", "Content-Length", "Set-Cookie"};

    private final Random random = new Random(515);
    private final Encoder encoder = new Encoder();

    private String[] randomEntries(boolean nullValues) {
        int n = random.nextInt(6);
        String[] pairs = new String[2 * n];
        for (int i = 0; i < n; i++) {
            pairs[2 * i] = NAMES[random.nextInt(NAMES.length)];
            pairs[2 * i + 1] = nullValues && random.nextInt(5) == 0 ? null : "v" + random.nextInt(4);
        }
        return pairs;
    }

    /** Applies 1 to 5 random set/add/remove calls. */
    private void randomEdits(Fields f) {
        int n = 1 + random.nextInt(5);
        for (int i = 0; i < n; i++) {
            String name = NAMES[random.nextInt(NAMES.length)];
            switch (random.nextInt(3)) {
                case 0:
                    f.set(name, "s" + random.nextInt(3));
                    break;
                case 1:
                    f.add(name, "n" + random.nextInt(3));
                    break;
                default:
                    f.remove(name);
            }
        }
    }

    private FlatReader wire() {
        byte[] payload = encoder.builder().sizedByteArray();
        return new FlatReader().reset(ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN), 0, payload.length);
    }

    private static List<String[]> entries(FlatReader r, int table, int slot) {
        List<String[]> out = new ArrayList<>();
        int vec = r.vector(table, slot, 4);
        for (int i = 0; i < r.vectorLength(vec); i++) {
            int e = r.tableAt(vec, i);
            out.add(new String[] {r.string(e, 0), r.string(e, 1)});
        }
        return out;
    }

    private static String key(String name, boolean ignoreCase) {
        return ignoreCase ? name.toLowerCase(Locale.ROOT) : name;
    }

    /** name -> values, as a client would read the fields (header names folded to lower case). */
    private static Map<String, List<String>> multimap(Fields f, boolean ignoreCase, boolean dropFraming) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        f.forEach((n, v) -> {
            if (dropFraming && isFraming(n)) {
                return;
            }
            out.computeIfAbsent(key(n, ignoreCase), k -> new ArrayList<>()).add(v == null ? "" : v);
        });
        return out;
    }

    private static boolean isFraming(String name) {
        return name.equalsIgnoreCase("content-length") || name.equalsIgnoreCase("transfer-encoding")
                || name.equalsIgnoreCase("connection");
    }

    private static RequestData request(String[] headers, String[] args) {
        return new RequestData() {
            @Override public long id() { return 1; }
            @Override public int method() { return 0; }
            @Override public String path() { return "/"; }
            @Override public byte[] sourceIp() { return null; }
            @Override public EntrySource headers() { return EntrySource.of(headers); }
            @Override public EntrySource args() { return EntrySource.of(args); }
        };
    }

    @Test
    void rewrittenArgsMergeIntoWhatThePluginLeft() {
        for (int iter = 0; iter < 2000; iter++) {
            String[] original = randomEntries(false);
            RequestView view = new RequestView(request(new String[0], original), OfficialToOursTest.NO_EXTRA_INFO);
            randomEdits(view.args());
            encoder.rewrite(1, view);
            FlatReader r = wire();
            int rw = r.table(r.root(), 2);

            // APISIX (init.lua, Rewrite args): no value deletes; the first value of a name in this
            // reply replaces the arg, later ones are appended.
            Map<String, List<String>> args = multimap(FieldList.args(EntrySource.of(original)), false, false);
            Map<String, Boolean> changed = new LinkedHashMap<>();
            for (String[] e : entries(r, rw, 2)) {
                if (e[1] == null) {
                    args.remove(e[0]);
                } else if (changed.containsKey(e[0])) {
                    args.get(e[0]).add(e[1]);
                } else {
                    args.put(e[0], new ArrayList<>(List.of(e[1])));
                    changed.put(e[0], true);
                }
            }
            assertEquals(sorted(multimap(view.args(), false, false)), sorted(args), "iteration " + iter);
        }
    }

    @Test
    void rewrittenRequestHeadersEndAsThePluginLeftThem() {
        for (int iter = 0; iter < 2000; iter++) {
            String[] original = randomEntries(false);
            RequestView view = new RequestView(request(original, new String[0]), OfficialToOursTest.NO_EXTRA_INFO);
            randomEdits(view.headers());
            encoder.rewrite(1, view);
            FlatReader r = wire();
            int rw = r.table(r.root(), 2);

            // APISIX: each entry sets the header (a later one overrides), no value deletes it.
            Map<String, String> headers = new LinkedHashMap<>();
            FieldList.headers(EntrySource.of(original)).forEach((n, v) -> headers.merge(key(n, true), v, (a, b) -> a + ", " + b));
            for (String[] e : entries(r, rw, 1)) {
                if (e[1] == null) {
                    headers.remove(key(e[0], true));
                } else {
                    headers.put(key(e[0], true), e[1]);
                }
            }
            Map<String, String> expected = new LinkedHashMap<>();
            view.headers().forEach((n, v) -> expected.merge(key(n, true), v, (a, b) -> a + ", " + b));
            assertEquals(new java.util.TreeMap<>(expected), new java.util.TreeMap<>(headers), "iteration " + iter);
        }
    }

    @Test
    void responseHeadersEndAsThePluginLeftThem() {
        for (int iter = 0; iter < 2000; iter++) {
            String[] upstream = randomEntries(false);
            UpstreamView view = new UpstreamView(new ResponseData() {
                @Override public long id() { return 1; }
                @Override public int status() { return 200; }
                @Override public EntrySource headers() { return EntrySource.of(upstream); }
            }, OfficialToOursTest.NO_EXTRA_INFO);
            randomEdits(view.headers());
            encoder.respCall(1, view);
            FlatReader r = wire();
            List<String[]> sent = entries(r, r.root(), 2);

            Map<String, List<String>> client = new LinkedHashMap<>();
            if (sent.isEmpty()) {
                // APISIX copies the upstream headers, minus the names it filters (framing among them).
                client = multimap(FieldList.headers(EntrySource.of(upstream)), true, true);
            } else {
                // APISIX copies nothing; the first entry of a name sets it (no value clears), later ones add.
                Map<String, Boolean> seen = new LinkedHashMap<>();
                for (String[] e : sent) {
                    String k = key(e[0], true);
                    if (!seen.containsKey(k)) {
                        seen.put(k, true);
                        if (e[1] == null) {
                            client.remove(k);
                        } else {
                            client.put(k, new ArrayList<>(List.of(e[1])));
                        }
                    } else {
                        client.computeIfAbsent(k, x -> new ArrayList<>()).add(e[1]);
                    }
                }
            }
            assertEquals(sorted(multimap(view.headers(), true, true)), sorted(client), "iteration " + iter
                    + ": upstream " + java.util.Arrays.toString(upstream) + ", plugin left " + view.headers());
        }
    }

    private static Map<String, List<String>> sorted(Map<String, List<String>> m) {
        return new java.util.TreeMap<>(m);
    }
}

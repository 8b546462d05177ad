package io.github.a6sdk.runtime.protocol;

import com.google.flatbuffers.FlatBufferBuilder;
import io.github.a6sdk.runtime.call.FieldList;
import io.github.a6sdk.runtime.call.RequestView;
import io.github.a6sdk.runtime.call.StopResponse;
import io.github.a6sdk.runtime.call.UpstreamView;
import io.github.a6sdk.runtime.fbs.A6.Err.Resp;
import io.github.a6sdk.runtime.fbs.A6.ExtraInfo.Req;
import io.github.a6sdk.runtime.fbs.A6.ExtraInfo.Var;
import io.github.a6sdk.runtime.fbs.A6.HTTPReqCall.Rewrite;
import io.github.a6sdk.runtime.fbs.A6.HTTPReqCall.Stop;
import io.github.a6sdk.runtime.fbs.A6.TextEntry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Builds every message the runner sends, into one reused {@link FlatBufferBuilder}. Each method
 * leaves a finished buffer in {@link #builder()}; not thread-safe (one per connection).
 *
 * <p>An entry that arrived from APISIX and that no plugin wrote is sent back with the bytes it
 * arrived with ({@link FieldList#rawNameAt}), so header values that are not valid UTF-8 survive
 * a reply that has to repeat them (the full header set of an HTTPRespCall, say).
 */
public final class Encoder {
    private final FlatBufferBuilder b = new FlatBufferBuilder(1024);
    private int[] offsets = new int[16];

    public FlatBufferBuilder builder() {
        return b;
    }

    public void error(int code) {
        b.clear();
        b.finish(Resp.createResp(b, code));
    }

    public void prepareConf(long token) {
        b.clear();
        b.finish(io.github.a6sdk.runtime.fbs.A6.PrepareConf.Resp.createResp(b, token));
    }

    public void extraInfoVar(String name) {
        b.clear();
        int var = Var.createVar(b, b.createString(name));
        b.finish(Req.createReq(b, (byte) Rpc.INFO_VAR, var));
    }

    public void extraInfoBody(boolean response) {
        b.clear();
        int info;
        if (response) {
            io.github.a6sdk.runtime.fbs.A6.ExtraInfo.RespBody.startRespBody(b);
            info = io.github.a6sdk.runtime.fbs.A6.ExtraInfo.RespBody.endRespBody(b);
        } else {
            io.github.a6sdk.runtime.fbs.A6.ExtraInfo.ReqBody.startReqBody(b);
            info = io.github.a6sdk.runtime.fbs.A6.ExtraInfo.ReqBody.endReqBody(b);
        }
        b.finish(Req.createReq(b, (byte) (response ? Rpc.INFO_RESP_BODY : Rpc.INFO_REQ_BODY), info));
    }

    /** HTTPReqCall.Resp with no action: continue unchanged. */
    public void pass(long id) {
        b.clear();
        b.finish(io.github.a6sdk.runtime.fbs.A6.HTTPReqCall.Resp.createResp(b, id, (byte) Rpc.ACTION_NONE, 0));
    }

    public void stop(long id, StopResponse response) {
        b.clear();
        int headers = allEntries(response.headerList());
        int body = response.body() == null ? 0 : b.createByteVector(response.body());
        int stop = Stop.createStop(b, response.status(), headers, body);
        b.finish(io.github.a6sdk.runtime.fbs.A6.HTTPReqCall.Resp.createResp(b, id, (byte) Rpc.ACTION_STOP, stop));
    }

    public void rewrite(long id, RequestView request) {
        b.clear();
        String newPath = request.rewrittenPath();
        int path = newPath == null ? 0 : b.createString(newPath);
        int headers = requestHeaders(request.changedHeaders());
        int args = args(request.changedArgs());
        int respHeaders = changedEntries(request.changedResponseHeaders());
        byte[] newBody = request.rewrittenBody();
        int body = newBody == null ? 0 : b.createByteVector(newBody);
        int rewrite = Rewrite.createRewrite(b, path, headers, args, respHeaders, body);
        b.finish(io.github.a6sdk.runtime.fbs.A6.HTTPReqCall.Resp.createResp(b, id, (byte) Rpc.ACTION_REWRITE, rewrite));
    }

    public void respCall(long id, UpstreamView response) {
        b.clear();
        FieldList changed = response.changedHeaders();
        int headers = changed == null ? 0 : fullResponseHeaders(changed);
        byte[] newBody = response.changedBody();
        int body = newBody == null || newBody.length == 0 ? 0 : b.createByteVector(newBody);
        b.finish(io.github.a6sdk.runtime.fbs.A6.HTTPRespCall.Resp.createResp(
                b, id, response.changedStatus(), headers, body));
    }

    /** Every entry in order (Stop headers: APISIX sets the first value of a name and adds the rest). */
    private int allEntries(FieldList fields) {
        int n = fields.size();
        if (n == 0) {
            return 0;
        }
        int[] offs = offsets(n);
        for (int i = 0; i < n; i++) {
            offs[i] = entryAt(fields, i, false);
        }
        return vector(offs, n);
    }

    /**
     * The complete upstream header set, as APISIX drops every upstream header once the reply names
     * one (docs/protocol.md section 7). Framing headers are left for nginx to work out again, since the
     * body may have changed.
     */
    private int fullResponseHeaders(FieldList fields) {
        int n = fields.size();
        List<String> changed = fields.changedNames();
        int[] offs = offsets(n + changed.size());
        int k = 0;
        for (int i = 0; i < n; i++) {
            String name = fields.nameAt(i);
            if (isFraming(name)) {
                continue;
            }
            offs[k++] = entryAt(fields, i, false);
        }
        // A header the plugin removed gets an entry without value, which clears it. This also keeps
        // the vector non-empty when the plugin removed every header: an empty vector would make
        // APISIX copy all the upstream headers back, the removed ones included.
        for (String name : changed) {
            if (!isFraming(name) && !fields.contains(name)) {
                offs[k++] = entry(name, null);
            }
        }
        return k == 0 ? 0 : vector(offs, k);
    }

    private static boolean isFraming(String name) {
        return name.equalsIgnoreCase("content-length") || name.equalsIgnoreCase("transfer-encoding")
                || name.equalsIgnoreCase("connection");
    }

    /** Rewrite headers: one entry per changed name; APISIX cannot set several values, so they are joined. */
    private int requestHeaders(FieldList fields) {
        if (fields == null) {
            return 0;
        }
        List<String> names = fields.changedNames();
        int[] offs = offsets(names.size());
        int k = 0;
        for (String name : names) {
            collected.collect(fields, name);
            int count = collected.count;
            if (count == 0) {
                offs[k++] = entry(name, null);
            } else if (count == 1) {
                offs[k++] = TextEntry.createTextEntry(b, b.createString(name), collected.value(0, true));
            } else {
                offs[k++] = TextEntry.createTextEntry(b, b.createString(name), b.createString(ByteBuffer.wrap(collected.joined())));
            }
        }
        return vector(offs, k);
    }

    /** Rewrite args: per changed name, its values in order (the first replaces, the rest add), or a delete. */
    private int args(FieldList fields) {
        return changedEntries(fields);
    }

    private int changedEntries(FieldList fields) {
        if (fields == null) {
            return 0;
        }
        List<String> names = fields.changedNames();
        int[] offs = offsets(names.size());
        int k = 0;
        for (String name : names) {
            collected.collect(fields, name);
            if (collected.count == 0) {
                offs[k++] = entry(name, null);
                continue;
            }
            offs = offsets(k + collected.count + names.size());
            for (int j = 0; j < collected.count; j++) {
                ByteBuffer rawName = collected.rawNames[j];
                int n = rawName != null ? b.createString(rawName) : b.createString(name);
                offs[k++] = TextEntry.createTextEntry(b, n, collected.value(j, true));
            }
        }
        return vector(offs, k);
    }

    /** The current values of one name, with their wire bytes where no plugin wrote them. Reused. */
    private final Collected collected = new Collected();

    private final class Collected implements FieldList.ValueSink {
        String[] values = new String[4];
        ByteBuffer[] rawNames = new ByteBuffer[4];
        ByteBuffer[] rawValues = new ByteBuffer[4];
        int count;

        void collect(FieldList fields, String name) {
            java.util.Arrays.fill(values, 0, count, null);
            java.util.Arrays.fill(rawNames, 0, count, null);
            java.util.Arrays.fill(rawValues, 0, count, null);
            count = 0;
            fields.valuesOf(name, this);
        }

        @Override
        public void accept(String value, ByteBuffer rawName, ByteBuffer rawValue) {
            if (count == values.length) {
                values = java.util.Arrays.copyOf(values, count * 2);
                rawNames = java.util.Arrays.copyOf(rawNames, count * 2);
                rawValues = java.util.Arrays.copyOf(rawValues, count * 2);
            }
            values[count] = value;
            rawNames[count] = rawName;
            rawValues[count++] = rawValue;
        }

        /** Value {@code j} as a string offset: its wire bytes when untouched; absent becomes "" if asked. */
        int value(int j, boolean emptyForAbsent) {
            if (values[j] == null) {
                return emptyForAbsent ? b.createString("") : 0;
            }
            ByteBuffer raw = rawValues[j];
            return raw != null ? b.createString(raw) : b.createString(values[j]);
        }

        /** The present values joined with ", ", their bytes kept as they came. */
        byte[] joined() {
            ByteArrayOutputStream out = new ByteArrayOutputStream(64);
            for (int j = 0; j < count; j++) {
                if (values[j] == null) {
                    continue;
                }
                if (out.size() > 0) {
                    out.write(',');
                    out.write(' ');
                }
                ByteBuffer raw = rawValues[j];
                if (raw != null) {
                    ByteBuffer r = raw.duplicate();
                    while (r.hasRemaining()) {
                        out.write(r.get());
                    }
                } else {
                    byte[] v = values[j].getBytes(StandardCharsets.UTF_8);
                    out.write(v, 0, v.length);
                }
            }
            return out.toByteArray();
        }
    }

    /**
     * Entry {@code i} of {@code fields}, with the bytes it arrived with when no plugin wrote it. An
     * absent value stays absent unless {@code emptyForAbsent} (a Rewrite, where absent means delete).
     */
    private int entryAt(FieldList fields, int i, boolean emptyForAbsent) {
        ByteBuffer rawName = fields.rawNameAt(i);
        int n = rawName != null ? b.createString(rawName) : b.createString(fields.nameAt(i));
        return TextEntry.createTextEntry(b, n, value(fields, i, emptyForAbsent));
    }

    private int value(FieldList fields, int i, boolean emptyForAbsent) {
        String value = fields.valueAt(i);
        if (value == null) {
            return emptyForAbsent ? b.createString("") : 0;
        }
        ByteBuffer raw = fields.rawValueAt(i);
        return raw != null ? b.createString(raw) : b.createString(value);
    }

    private int entry(String name, String value) {
        int n = b.createString(name);
        int v = value == null ? 0 : b.createString(value);
        return TextEntry.createTextEntry(b, n, v);
    }

    private int vector(int[] offs, int n) {
        b.startVector(4, n, 4);
        for (int i = n - 1; i >= 0; i--) {
            b.addOffset(offs[i]);
        }
        return b.endVector();
    }

    /** The scratch array of offsets, grown (keeping what it holds) to at least {@code n}. */
    private int[] offsets(int n) {
        if (offsets.length < n) {
            offsets = java.util.Arrays.copyOf(offsets, Math.max(n, offsets.length * 2));
        }
        return offsets;
    }
}

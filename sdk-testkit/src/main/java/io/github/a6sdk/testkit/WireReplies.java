package io.github.a6sdk.testkit;

import io.github.a6sdk.runtime.call.RequestView;
import io.github.a6sdk.runtime.call.StopResponse;
import io.github.a6sdk.runtime.call.UpstreamView;
import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.client.Reply;
import io.github.a6sdk.runtime.protocol.Encoder;
import io.github.a6sdk.runtime.protocol.FlatReader;
import io.github.a6sdk.runtime.protocol.Rpc;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the views a chain ran on into the reply the runner would send, by encoding them with the
 * runtime's own {@link Encoder} and decoding the buffer: what the test sees is what goes on the wire.
 */
final class WireReplies {
    private WireReplies() {}

    static Reply request(long id, RequestView request, StopResponse response) {
        Encoder e = new Encoder();
        if (response.isStopped()) {
            e.stop(id, response);
        } else if (request.isRewritten()) {
            e.rewrite(id, request);
        } else {
            e.pass(id);
        }
        FlatReader r = reader(e);
        int t = r.root();
        int action = r.u8(t, 1);
        int a = r.table(t, 2);
        if (action == Rpc.ACTION_STOP && a != 0) {
            return new Reply.Stop(r.u32(t, 0), r.u16(a, 0), fields(r, a, 1), r.bytes(a, 2));
        }
        if (action == Rpc.ACTION_REWRITE && a != 0) {
            return new Reply.Rewrite(r.u32(t, 0), r.string(a, 0), fields(r, a, 1), fields(r, a, 2), fields(r, a, 3),
                    r.bytes(a, 4));
        }
        return new Reply.Pass(r.u32(t, 0));
    }

    static Reply.RespCall response(long id, UpstreamView response) {
        Encoder e = new Encoder();
        e.respCall(id, response);
        FlatReader r = reader(e);
        int t = r.root();
        return new Reply.RespCall(r.u32(t, 0), r.u16(t, 1), fields(r, t, 2), r.bytes(t, 3));
    }

    private static FlatReader reader(Encoder e) {
        ByteBuffer bb = e.builder().dataBuffer();
        return new FlatReader().reset(bb, bb.position(), bb.remaining());
    }

    private static List<Field> fields(FlatReader r, int table, int slot) {
        int vec = r.vector(table, slot, 4);
        int n = r.vectorLength(vec);
        List<Field> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int entry = r.tableAt(vec, i);
            out.add(new Field(r.string(entry, 0), r.string(entry, 1)));
        }
        return out;
    }
}

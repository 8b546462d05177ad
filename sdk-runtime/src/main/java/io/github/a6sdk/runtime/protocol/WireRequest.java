package io.github.a6sdk.runtime.protocol;

import io.github.a6sdk.runtime.call.EntrySource;
import io.github.a6sdk.runtime.call.RequestData;

/** {@code A6.HTTPReqCall.Req}, read lazily from the frame (docs/protocol.md section 2.6). */
public final class WireRequest implements RequestData {
    private final FlatReader r;
    private final int table;

    public WireRequest(FlatReader reader) {
        this.r = reader;
        this.table = reader.root();
    }

    public long confToken() {
        return r.u32(table, 6);
    }

    @Override
    public long id() {
        return r.u32(table, 0);
    }

    @Override
    public int method() {
        return r.u8(table, 2);
    }

    @Override
    public String path() {
        return r.string(table, 3);
    }

    @Override
    public byte[] sourceIp() {
        return r.bytes(table, 1);
    }

    @Override
    public EntrySource args() {
        return WireEntries.of(r, table, 4);
    }

    @Override
    public EntrySource headers() {
        return WireEntries.of(r, table, 5);
    }
}

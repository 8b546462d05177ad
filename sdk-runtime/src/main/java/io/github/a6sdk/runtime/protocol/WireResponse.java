package io.github.a6sdk.runtime.protocol;

import io.github.a6sdk.runtime.call.EntrySource;
import io.github.a6sdk.runtime.call.ResponseData;

/** {@code A6.HTTPRespCall.Req}, read lazily from the frame (docs/protocol.md section 2.8). */
public final class WireResponse implements ResponseData {
    private final FlatReader r;
    private final int table;

    public WireResponse(FlatReader reader) {
        this.r = reader;
        this.table = reader.root();
    }

    public long confToken() {
        return r.u32(table, 3);
    }

    @Override
    public long id() {
        return r.u32(table, 0);
    }

    @Override
    public int status() {
        return r.u16(table, 1);
    }

    @Override
    public EntrySource headers() {
        return WireEntries.of(r, table, 2);
    }
}

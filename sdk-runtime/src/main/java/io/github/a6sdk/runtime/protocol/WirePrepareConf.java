package io.github.a6sdk.runtime.protocol;

import io.github.a6sdk.runtime.Chain;
import java.util.ArrayList;
import java.util.List;

/** {@code A6.PrepareConf.Req} (docs/protocol.md section 2.5), decoded whole: it is read once per route. */
public final class WirePrepareConf {
    private WirePrepareConf() {}

    /** The conf entries in execution order (empty when the vector is absent). */
    public static List<Chain.Entry> entries(FlatReader r) {
        int table = r.root();
        int vector = r.vector(table, 0, 4);
        int n = r.vectorLength(vector);
        List<Chain.Entry> out = new ArrayList<>(Math.min(n, 64));
        for (int i = 0; i < n; i++) {
            int entry = r.tableAt(vector, i);
            out.add(new Chain.Entry(r.string(entry, 0), r.string(entry, 1)));
        }
        return out;
    }

    /** The idempotency key, or {@code null}. */
    public static String key(FlatReader r) {
        return r.string(r.root(), 1);
    }
}

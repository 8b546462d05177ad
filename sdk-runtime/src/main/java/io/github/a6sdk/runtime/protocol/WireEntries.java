package io.github.a6sdk.runtime.protocol;

import io.github.a6sdk.runtime.call.EntrySource;
import java.nio.ByteBuffer;

/** A vector of {@code A6.TextEntry}, decoded entry by entry when asked. */
final class WireEntries implements EntrySource {
    private final FlatReader reader;
    private final int vector;
    private final int count;

    WireEntries(FlatReader reader, int vector) {
        this.reader = reader;
        this.vector = vector;
        this.count = reader.vectorLength(vector);
    }

    static EntrySource of(FlatReader reader, int table, int slot) {
        int vector = reader.vector(table, slot, 4);
        return vector < 0 || reader.vectorLength(vector) == 0 ? EntrySource.EMPTY : new WireEntries(reader, vector);
    }

    @Override
    public int count() {
        return count;
    }

    @Override
    public String name(int i) {
        String name = reader.string(reader.tableAt(vector, i), 0);
        return name == null ? "" : name;
    }

    @Override
    public String value(int i) {
        return reader.string(reader.tableAt(vector, i), 1);
    }

    /** Compares the name's bytes in the frame with an ASCII {@code name}, without decoding it. */
    @Override
    public boolean nameIs(int i, String name, boolean ignoreCase) {
        for (int k = 0; k < name.length(); k++) {
            if (name.charAt(k) >= 0x80) {
                return EntrySource.super.nameIs(i, name, ignoreCase);
            }
        }
        int table = reader.tableAt(vector, i);
        int start = reader.stringStart(table, 0);
        int len = start < 0 ? 0 : reader.vectorLength(start);
        if (len != name.length()) {
            return false;
        }
        ByteBuffer bb = reader.buffer();
        for (int k = 0; k < len; k++) {
            char c = name.charAt(k);
            int b = bb.get(start + k) & 0xFF;
            if (b != c && !(ignoreCase && lower(b) == lower(c))) {
                return false;
            }
        }
        return true;
    }

    private static int lower(int c) {
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }

    @Override
    public ByteBuffer rawName(int i) {
        return raw(reader.tableAt(vector, i), 0);
    }

    @Override
    public ByteBuffer rawValue(int i) {
        return raw(reader.tableAt(vector, i), 1);
    }

    /** The string's bytes in the frame (bounds-checked by the reader), without decoding or copying them. */
    private ByteBuffer raw(int table, int slot) {
        int start = reader.stringStart(table, slot);
        if (start < 0) {
            return null;
        }
        ByteBuffer bytes = reader.buffer().duplicate();
        bytes.limit(start + reader.vectorLength(start)).position(start);
        return bytes;
    }
}

package io.github.a6sdk.runtime.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A bounds-checked FlatBuffers reader over one payload. Every offset is checked against the payload
 * before it is followed and every length against the bytes that are really there, so a malformed
 * or hostile buffer gives a {@link DecodeException}, never another exception, a hang, or an
 * allocation larger than the payload. Strings are decoded leniently (invalid UTF-8 becomes U+FFFD)
 * because APISIX puts whatever bytes nginx has into them.
 *
 * <p>Positions are absolute indexes into the buffer. A table position is what {@link #root()} or
 * {@link #table(int, int)} return; fields are addressed by slot number (docs/protocol.md section 2.1).
 */
public final class FlatReader {
    /**
     * Bytes of strings and byte vectors one payload may decode to, beyond 4x its own size. Offsets
     * may share one string among any number of entries; without a budget a 16 MiB payload of
     * 4-byte offsets to one 8 MiB string would decode to terabytes.
     */
    private static final long DECODE_ALLOWANCE = 16L << 20;

    private ByteBuffer bb;
    private int start;
    private int end;
    private long budget;

    /** Points this reader at {@code length} bytes of {@code buffer} from {@code offset}. */
    public FlatReader reset(ByteBuffer buffer, int offset, int length) {
        if (buffer.order() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalArgumentException("buffer must be little-endian");
        }
        this.bb = buffer;
        this.start = offset;
        this.end = offset + length;
        this.budget = 4L * length + DECODE_ALLOWANCE;
        return this;
    }

    public int start() {
        return start;
    }

    public int length() {
        return end - start;
    }

    /** The root table. */
    public int root() {
        check(start, 4, "root offset");
        return checkedTable(start + uoffset(start), "root table");
    }

    /** The table referenced by the field in {@code slot} of {@code table}, or 0 when absent. */
    public int table(int table, int slot) {
        int field = field(table, slot);
        return field == 0 ? 0 : checkedTable(field + uoffset(field), "table");
    }

    /** Whether {@code slot} of {@code table} is present. */
    public boolean has(int table, int slot) {
        return field(table, slot) != 0;
    }

    public int u8(int table, int slot) {
        int field = field(table, slot);
        if (field == 0) {
            return 0;
        }
        check(field, 1, "ubyte field");
        return bb.get(field) & 0xFF;
    }

    public int u16(int table, int slot) {
        int field = field(table, slot);
        if (field == 0) {
            return 0;
        }
        check(field, 2, "ushort field");
        return bb.getShort(field) & 0xFFFF;
    }

    public long u32(int table, int slot) {
        int field = field(table, slot);
        if (field == 0) {
            return 0;
        }
        check(field, 4, "uint field");
        return bb.getInt(field) & 0xFFFF_FFFFL;
    }

    /** The position of the first element of the vector in {@code slot}, or -1 when absent. */
    public int vector(int table, int slot, int elementSize) {
        int field = field(table, slot);
        if (field == 0) {
            return -1;
        }
        int vec = field + uoffset(field);
        check(vec, 4, "vector length");
        long n = bb.getInt(vec) & 0xFFFF_FFFFL;
        if (n * elementSize > end - vec - 4) {
            throw new DecodeException("vector of " + n + " elements runs past the payload at " + (vec - start));
        }
        return vec + 4;
    }

    /** The element count of a vector whose first element is at {@code vector} (from {@link #vector}). */
    public int vectorLength(int vector) {
        return vector < 0 ? 0 : bb.getInt(vector - 4);
    }

    /** The table that element {@code i} of a vector of tables points to. */
    public int tableAt(int vector, int i) {
        int slot = vector + 4 * i;
        return checkedTable(slot + uoffset(slot), "vector element");
    }

    /** The bytes of the byte vector in {@code slot}, or {@code null} when absent. */
    public byte[] bytes(int table, int slot) {
        int vec = vector(table, slot, 1);
        if (vec < 0) {
            return null;
        }
        byte[] out = new byte[charge(vectorLength(vec))];
        bb.get(vec, out);
        return out;
    }

    /** The string in {@code slot}, or {@code null} when absent. */
    public String string(int table, int slot) {
        int vec = vector(table, slot, 1);
        return vec < 0 ? null : decode(vec, vectorLength(vec));
    }

    /** Start of the string's bytes in {@code slot}, or -1 when absent; its length via {@link #vectorLength}. */
    public int stringStart(int table, int slot) {
        return vector(table, slot, 1);
    }

    public ByteBuffer buffer() {
        return bb;
    }

    private String decode(int pos, int len) {
        if (len == 0) {
            return "";
        }
        byte[] bytes = new byte[charge(len)];
        bb.get(pos, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Counts {@code len} decoded bytes against this payload's budget. */
    private int charge(int len) {
        budget -= len;
        if (budget < 0) {
            throw new DecodeException("payload of " + (end - start) + " bytes decodes to more than "
                    + (4L * (end - start) + DECODE_ALLOWANCE) + " bytes of strings (offsets shared by many entries?)");
        }
        return len;
    }

    private int field(int table, int slot) {
        int vtable = table - bb.getInt(table);
        int vo = 4 + 2 * slot;
        int vtLen = bb.getShort(vtable) & 0xFFFF;
        if (vo >= vtLen) {
            return 0;
        }
        int o = bb.getShort(vtable + vo) & 0xFFFF;
        return o == 0 ? 0 : table + o;
    }

    private int uoffset(int pos) {
        check(pos, 4, "offset");
        long o = bb.getInt(pos) & 0xFFFF_FFFFL;
        if (o > end - pos) {
            throw new DecodeException("offset " + o + " at " + (pos - start) + " points past the payload");
        }
        return (int) o;
    }

    private int checkedTable(int table, String what) {
        check(table, 4, what);
        long vtable = (long) table - bb.getInt(table);
        if (vtable < start || vtable + 4 > end) {
            throw new DecodeException(what + " at " + (table - start) + " has its vtable outside the payload");
        }
        int vt = (int) vtable;
        int vtLen = bb.getShort(vt) & 0xFFFF;
        int tableLen = bb.getShort(vt + 2) & 0xFFFF;
        if (vtLen < 4 || (vtLen & 1) != 0 || vt + vtLen > end || table + tableLen > end) {
            throw new DecodeException(what + " at " + (table - start) + " has a malformed vtable");
        }
        // Every field offset must stay inside the table's inline part.
        for (int p = vt + 4; p < vt + vtLen; p += 2) {
            int o = bb.getShort(p) & 0xFFFF;
            if (o != 0 && (o < 4 || o >= Math.max(tableLen, 4))) {
                throw new DecodeException(what + " at " + (table - start) + " has a field outside the table");
            }
        }
        return table;
    }

    private void check(int pos, int size, String what) {
        if (pos < start || pos > end - size) {
            throw new DecodeException(what + " at " + (pos - start) + " runs past the payload of " + (end - start) + " bytes");
        }
    }
}

package io.github.a6sdk.runtime.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FieldListTest {

    private static List<String> entries(FieldList f) {
        List<String> out = new ArrayList<>();
        f.forEach((n, v) -> out.add(n + "=" + v));
        return out;
    }

    @Test
    void multiValueReadsKeepOrder() {
        FieldList h = FieldList.headers(EntrySource.of("accept", "a", "x-m", "1", "cookie", "c", "x-m", "2"));
        assertEquals("1", h.get("x-m"));
        assertEquals(List.of("1", "2"), h.getAll("x-m"));
        assertEquals(List.of(), h.getAll("nope"));
        assertNull(h.get("nope"));
        assertEquals(4, h.size());
        assertEquals(List.of("accept", "x-m", "cookie"), List.copyOf(h.names()));
        assertFalse(h.isChanged());
        assertEquals(List.of(), h.changedNames());
        assertThrows(UnsupportedOperationException.class, () -> h.getAll("x-m").add("3"));
    }

    @Test
    void headersMatchIgnoringCase() {
        FieldList h = FieldList.headers(EntrySource.of("Content-Type", "text/plain", "x-a", "1"));
        assertEquals("text/plain", h.get("content-type"));
        assertEquals("text/plain", h.get("CONTENT-TYPE"));
        assertTrue(h.contains("X-A"));
        h.set("CONTENT-type", "application/json");
        assertEquals(List.of("CONTENT-type=application/json", "x-a=1"), entries(h), "set replaces in place");
        h.add("X-A", "2");
        assertEquals(List.of("1", "2"), h.getAll("x-a"));
        assertEquals(List.of("CONTENT-type", "x-a"), List.copyOf(h.names()), "names differing in case are one name");
        h.remove("X-a");
        assertFalse(h.contains("x-a"));
        assertEquals(List.of("CONTENT-type", "X-A"), h.changedNames(), "one changed name per name, whatever its case");
        assertEquals(1, h.size());
    }

    @Test
    void argsMatchExactly() {
        FieldList a = FieldList.args(EntrySource.of("Key", "1", "key", "2", "flag", null));
        assertEquals("1", a.get("Key"));
        assertEquals("2", a.get("key"));
        assertNull(a.get("KEY"));
        assertTrue(a.contains("flag"));
        assertNull(a.get("flag"), "a bare ?flag has no value");
        a.set("key", "3");
        assertEquals(List.of("Key=1", "key=3", "flag=null"), entries(a));
        a.remove("Key");
        assertEquals(List.of("key=3", "flag=null"), entries(a));
        assertEquals(List.of("key", "Key"), a.changedNames());
    }

    @Test
    void setCollapsesEveryValueIntoTheFirstPosition() {
        FieldList h = FieldList.headers(EntrySource.of("a", "1", "b", "x", "a", "2", "c", "y", "a", "3"));
        h.set("A", "new");
        assertEquals(List.of("A=new", "b=x", "c=y"), entries(h));
        assertEquals(3, h.size());
        h.set("d", "appended");
        assertEquals(List.of("A=new", "b=x", "c=y", "d=appended"), entries(h));
        assertEquals(List.of("A", "d"), h.changedNames());
    }

    @Test
    void addGrowsBeyondTheDecodedEntries() {
        FieldList h = FieldList.headers(EntrySource.EMPTY);
        for (int i = 0; i < 50; i++) {
            h.add("x-n", Integer.toString(i));
        }
        assertEquals(50, h.size());
        assertEquals("0", h.get("x-n"));
        assertEquals("49", h.getAll("x-n").get(49));
        assertEquals("x-n", h.nameAt(49));
        assertEquals("49", h.valueAt(49));
        assertEquals(List.of("x-n"), h.changedNames());
    }

    @Test
    void removingAnAbsentNameStillCountsAsAChange() {
        // A Rewrite must delete a header even if the plugin never saw it (APISIX may have it).
        FieldList h = FieldList.headers(EntrySource.of("a", "1"));
        h.remove("x-not-there");
        assertTrue(h.isChanged());
        assertEquals(List.of("x-not-there"), h.changedNames());
        assertEquals(List.of("a=1"), entries(h));
    }

    @Test
    void setThenRemoveThenAddTracksTheName() {
        FieldList h = FieldList.headers(EntrySource.of("a", "1", "b", "2"));
        h.remove("a");
        h.add("a", "again");
        assertEquals(List.of("b=2", "a=again"), entries(h));
        assertEquals(List.of("a"), h.changedNames());
    }

    @Test
    void namesAreChecked() {
        FieldList h = FieldList.headers(EntrySource.EMPTY);
        assertThrows(IllegalArgumentException.class, () -> h.set(null, "v"));
        assertThrows(IllegalArgumentException.class, () -> h.add("", "v"));
        assertFalse(h.isChanged());
    }

    @Test
    void aLookupOrAChangeDecodesOnlyWhatItNeeds() {
        int[] values = {0};
        EntrySource counting = new EntrySource() {
            private final String[] names = {"a", "b", "c"};

            @Override
            public int count() {
                return 3;
            }

            @Override
            public String name(int i) {
                return names[i];
            }

            @Override
            public String value(int i) {
                values[0]++;
                return String.valueOf(i + 1);
            }
        };
        FieldList h = FieldList.headers(counting);
        assertEquals(0, values[0], "nothing is decoded until asked");
        assertEquals("2", h.get("B"));
        assertEquals(1, values[0], "a lookup decodes only the matching value");
        h.set("c", "new");
        h.add("a", "more");
        assertEquals(List.of("1", "more"), h.getAll("a"));
        assertEquals("new", h.get("c"));
        assertEquals(2, values[0], "a change decodes nothing; reading it back decodes only its name's values");
        assertEquals(List.of("c", "a"), h.changedNames());
        assertEquals(4, h.size(), "the first whole-list read decodes every entry once and replays the changes");
        assertEquals(5, values[0]);
        assertEquals("{a=1, b=2, c=new, a=more}", h.toString());
        h.get("b");
        assertEquals(5, values[0], "decoded once");
    }

    @Test
    void toStringShowsEntries() {
        FieldList a = FieldList.args(EntrySource.of("x", "1", "y", null));
        assertEquals("{x=1, y=null}", a.toString());
    }

    /** A source that keeps raw bytes, like the wire's. */
    static EntrySource withRaw(String... pairs) {
        EntrySource plain = EntrySource.of(pairs);
        return new EntrySource() {
            @Override public int count() { return plain.count(); }
            @Override public String name(int i) { return plain.name(i); }
            @Override public String value(int i) { return plain.value(i); }

            @Override
            public java.nio.ByteBuffer rawName(int i) {
                return java.nio.ByteBuffer.wrap(("raw-" + plain.name(i)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }

            @Override
            public java.nio.ByteBuffer rawValue(int i) {
                String v = plain.value(i);
                return v == null ? null : java.nio.ByteBuffer.wrap(("raw-" + v).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        };
    }

    private static String text(java.nio.ByteBuffer b) {
        return b == null ? null : java.nio.charset.StandardCharsets.UTF_8.decode(b).toString();
    }

    @Test
    void rawBytesFollowUntouchedEntriesOnly() {
        FieldList h = FieldList.headers(withRaw("a", "1", "b", "2", "c", "3", "d", null));
        assertEquals("raw-a", text(h.rawNameAt(0)));
        assertEquals("raw-1", text(h.rawValueAt(0)));
        assertNull(h.rawValueAt(3), "an absent value has no bytes");
        h.remove("a");
        assertEquals("raw-b", text(h.rawNameAt(0)), "entries that moved keep their own bytes");
        h.set("c", "new");
        assertNull(h.rawNameAt(1), "a written entry has no raw bytes");
        assertNull(h.rawValueAt(1));
        assertEquals("new", h.valueAt(1));
        h.add("e", "5");
        assertNull(h.rawNameAt(3));
        assertEquals("raw-d", text(h.rawNameAt(2)));
        assertEquals("2", h.get("B"), "header names match ignoring case");
        assertNull(FieldList.args(withRaw("B", "1")).get("b"), "arg names match exactly");
    }

    @Test
    void aPlainSourceHasNoRawBytes() {
        FieldList h = FieldList.headers(EntrySource.of("a", "1"));
        assertNull(h.rawNameAt(0));
        assertNull(h.rawValueAt(0));
    }
}

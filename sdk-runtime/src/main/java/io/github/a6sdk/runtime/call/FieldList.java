package io.github.a6sdk.runtime.call;

import io.github.a6sdk.api.Fields;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The runtime's {@link Fields}: decoded from its source on first use, and remembering which names a
 * plugin changed so that only those go into a Rewrite. Not thread-safe: one call, one thread.
 */
public final class FieldList implements Fields {
    private static final String[] NONE = new String[0];

    private static final int[] NO_ORIGINS = new int[0];

    private final boolean ignoreCase;
    private EntrySource source;
    /** Where the decoded entries came from, for their raw bytes. */
    private EntrySource loadedFrom;
    private String[] names = NONE;
    private String[] values = NONE;
    /** Per entry: its index in {@link #loadedFrom} while untouched, or -1 once a plugin wrote it. */
    private int[] origins = NO_ORIGINS;
    private int size;
    private List<String> changed;

    // Changes made before the entries were decoded: replayed by load(), so that setting one header
    // of a request does not decode every header (a Rewrite needs only the changed names).
    private static final byte SET = 0;
    private static final byte ADD = 1;
    private static final byte REMOVE = 2;
    private byte[] opKinds;
    private String[] opNames;
    private String[] opValues;
    private int opCount;

    private FieldList(boolean ignoreCase, EntrySource source) {
        this.ignoreCase = ignoreCase;
        this.source = source == EntrySource.EMPTY ? null : source;
    }

    /** Header semantics: names match ignoring case. */
    public static FieldList headers(EntrySource source) {
        return new FieldList(true, source);
    }

    /** Query-arg semantics: names match exactly. */
    public static FieldList args(EntrySource source) {
        return new FieldList(false, source);
    }

    private void load() {
        EntrySource src = source;
        if (src == null) {
            return;
        }
        source = null;
        loadedFrom = src;
        int n = src.count();
        if (n > 0) {
            names = new String[n];
            values = new String[n];
            origins = new int[n];
            for (int i = 0; i < n; i++) {
                names[i] = src.name(i);
                values[i] = src.value(i);
                origins[i] = i;
            }
            size = n;
        }
        for (int k = 0; k < opCount; k++) {
            switch (opKinds[k]) {
                case SET: applySet(opNames[k], opValues[k]); break;
                case ADD: applyAdd(opNames[k], opValues[k]); break;
                default: applyRemove(opNames[k]); break;
            }
        }
        opKinds = null;
        opNames = null;
        opValues = null;
        opCount = 0;
    }

    /** Receives the current values of one name; see {@link #valuesOf}. */
    public interface ValueSink {
        /**
         * @param value the value, or {@code null} when absent
         * @param rawName the name's bytes as APISIX sent them, or {@code null} when a plugin wrote the entry
         * @param rawValue the value's bytes as APISIX sent them, or {@code null} (written by a plugin, or absent)
         */
        void accept(String value, ByteBuffer rawName, ByteBuffer rawValue);
    }

    /**
     * Calls {@code sink} for every current value of {@code name}, in order, and returns how many
     * there were. Before the list is decoded, this reads only the entries named {@code name} (names
     * are compared on the wire bytes), so a Rewrite of one header does not decode the others.
     */
    public int valuesOf(String name, ValueSink sink) {
        if (source == null) {
            int count = 0;
            for (int i = 0; i < size; i++) {
                if (matches(names[i], name)) {
                    int o = origins[i];
                    sink.accept(values[i], o < 0 ? null : loadedFrom.rawName(o), o < 0 ? null : loadedFrom.rawValue(o));
                    count++;
                }
            }
            return count;
        }
        int from = 0;
        boolean fromSource = true;
        for (int k = opCount - 1; k >= 0; k--) {
            if (opKinds[k] != ADD && matches(opNames[k], name)) {
                from = k;
                fromSource = false;
                break;
            }
        }
        // A SET keeps the position of the first old value; values are reported in list order.
        int count = 0;
        if (fromSource) {
            for (int i = 0, n = source.count(); i < n; i++) {
                if (source.nameIs(i, name, ignoreCase)) {
                    sink.accept(source.value(i), source.rawName(i), source.rawValue(i));
                    count++;
                }
            }
        }
        for (int k = from; k < opCount; k++) {
            if (opKinds[k] != REMOVE && matches(opNames[k], name)) {
                sink.accept(opValues[k], null, null);
                count++;
            }
        }
        return count;
    }

    /** The values of {@code name} without decoding the other entries (entries not yet loaded). */
    private List<String> pendingValues(String name) {
        List<String> out = new ArrayList<>(2);
        valuesOf(name, (value, rawName, rawValue) -> out.add(value));
        return out;
    }

    private void record(byte kind, String name, String value) {
        if (opKinds == null) {
            opKinds = new byte[4];
            opNames = new String[4];
            opValues = new String[4];
        } else if (opCount == opKinds.length) {
            opKinds = Arrays.copyOf(opKinds, opCount * 2);
            opNames = Arrays.copyOf(opNames, opCount * 2);
            opValues = Arrays.copyOf(opValues, opCount * 2);
        }
        opKinds[opCount] = kind;
        opNames[opCount] = name;
        opValues[opCount++] = value;
    }

    private boolean matches(String a, String b) {
        return ignoreCase ? a.equalsIgnoreCase(b) : a.equals(b);
    }

    @Override
    public String get(String name) {
        if (source != null) {
            List<String> values = pendingValues(name);
            return values.isEmpty() ? null : values.get(0);
        }
        for (int i = 0; i < size; i++) {
            if (matches(names[i], name)) {
                return values[i];
            }
        }
        return null;
    }

    @Override
    public List<String> getAll(String name) {
        if (source != null) {
            return Collections.unmodifiableList(pendingValues(name));
        }
        List<String> out = null;
        for (int i = 0; i < size; i++) {
            if (matches(names[i], name)) {
                if (out == null) {
                    out = new ArrayList<>(2);
                }
                out.add(values[i]);
            }
        }
        return out == null ? List.of() : Collections.unmodifiableList(out);
    }

    @Override
    public boolean contains(String name) {
        if (source != null) {
            return !pendingValues(name).isEmpty();
        }
        for (int i = 0; i < size; i++) {
            if (matches(names[i], name)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Set<String> names() {
        load();
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < size; i++) {
            if (!containsName(out, names[i])) {
                out.add(names[i]);
            }
        }
        return Collections.unmodifiableSet(out);
    }

    private boolean containsName(Iterable<String> set, String name) {
        for (String s : set) {
            if (matches(s, name)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int size() {
        load();
        return size;
    }

    @Override
    public void forEach(BiConsumer<String, String> action) {
        load();
        for (int i = 0; i < size; i++) {
            action.accept(names[i], values[i]);
        }
    }

    /** Entry {@code i}'s name, in current order. */
    public String nameAt(int i) {
        load();
        return names[i];
    }

    /** Entry {@code i}'s value, in current order. */
    public String valueAt(int i) {
        load();
        return values[i];
    }

    /**
     * The bytes of entry {@code i}'s name as APISIX sent them, or {@code null} when a plugin wrote
     * the entry or the source keeps no bytes. Sending these back keeps bytes that are not valid
     * UTF-8 intact, where the decoded string has U+FFFD in their place.
     */
    public ByteBuffer rawNameAt(int i) {
        load();
        return origins[i] < 0 ? null : loadedFrom.rawName(origins[i]);
    }

    /** Like {@link #rawNameAt}, for the value ({@code null} also when the value is absent). */
    public ByteBuffer rawValueAt(int i) {
        load();
        return origins[i] < 0 ? null : loadedFrom.rawValue(origins[i]);
    }

    @Override
    public void set(String name, String value) {
        checkName(name);
        if (source != null) {
            record(SET, name, value);
        } else {
            applySet(name, value);
        }
        markChanged(name);
    }

    @Override
    public void add(String name, String value) {
        checkName(name);
        if (source != null) {
            record(ADD, name, value);
        } else {
            applyAdd(name, value);
        }
        markChanged(name);
    }

    @Override
    public void remove(String name) {
        if (source != null) {
            record(REMOVE, name, null);
        } else {
            applyRemove(name);
        }
        markChanged(name);
    }

    private void applySet(String name, String value) {
        int w = 0;
        boolean placed = false;
        for (int i = 0; i < size; i++) {
            if (matches(names[i], name)) {
                if (!placed) {
                    names[w] = name;
                    origins[w] = -1;
                    values[w++] = value;
                    placed = true;
                }
            } else {
                names[w] = names[i];
                origins[w] = origins[i];
                values[w++] = values[i];
            }
        }
        Arrays.fill(names, w, size, null);
        Arrays.fill(values, w, size, null);
        size = w;
        if (!placed) {
            append(name, value);
        }
    }

    private void applyAdd(String name, String value) {
        append(name, value);
    }

    private void applyRemove(String name) {
        int w = 0;
        for (int i = 0; i < size; i++) {
            if (!matches(names[i], name)) {
                names[w] = names[i];
                origins[w] = origins[i];
                values[w++] = values[i];
            }
        }
        Arrays.fill(names, w, size, null);
        Arrays.fill(values, w, size, null);
        size = w;
    }

    private static void checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("field name must not be null or empty");
        }
    }

    private void append(String name, String value) {
        if (size == names.length) {
            int cap = Math.max(4, size * 2);
            names = Arrays.copyOf(names, cap);
            values = Arrays.copyOf(values, cap);
            origins = Arrays.copyOf(origins, cap);
        }
        names[size] = name;
        origins[size] = -1;
        values[size++] = value;
    }

    private void markChanged(String name) {
        if (changed == null) {
            changed = new ArrayList<>(2);
        } else if (containsName(changed, name)) {
            return;
        }
        changed.add(name);
    }

    /** Whether a plugin changed anything. */
    public boolean isChanged() {
        return changed != null;
    }

    /** The names a plugin set, added or removed, in order of first change. */
    public List<String> changedNames() {
        return changed == null ? List.of() : Collections.unmodifiableList(changed);
    }

    @Override
    public String toString() {
        load();
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < size; i++) {
            sb.append(i == 0 ? "" : ", ").append(names[i]).append('=').append(values[i]);
        }
        return sb.append('}').toString();
    }
}

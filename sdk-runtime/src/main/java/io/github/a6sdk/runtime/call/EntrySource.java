package io.github.a6sdk.runtime.call;

import java.nio.ByteBuffer;

/** Name/value entries as they arrived (a decoded-on-demand wire vector, or plain values in tests). */
public interface EntrySource {
    EntrySource EMPTY = new EntrySource() {
        @Override
        public int count() {
            return 0;
        }

        @Override
        public String name(int i) {
            throw new IndexOutOfBoundsException(i);
        }

        @Override
        public String value(int i) {
            throw new IndexOutOfBoundsException(i);
        }
    };

    int count();

    String name(int i);

    /** Whether entry {@code i} is named {@code name}; sources over raw bytes compare without decoding. */
    default boolean nameIs(int i, String name, boolean ignoreCase) {
        String n = name(i);
        return ignoreCase ? n.equalsIgnoreCase(name) : n.equals(name);
    }

    /** The value of entry {@code i}, or {@code null} when it has none. */
    String value(int i);

    /**
     * The bytes of entry {@code i}'s name exactly as they arrived, or {@code null} when the source
     * does not keep them. Lets a reply send an untouched entry back byte for byte, even when it is
     * not valid UTF-8 (APISIX passes on whatever bytes nginx has). A fresh buffer on each call.
     */
    default ByteBuffer rawName(int i) {
        return null;
    }

    /** Like {@link #rawName}, for the value; {@code null} also when the value is absent. */
    default ByteBuffer rawValue(int i) {
        return null;
    }

    /** Entries from alternating names and values: {@code of("a", "1", "b", null)}. */
    static EntrySource of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must come in pairs");
        }
        String[] copy = namesAndValues.clone();
        return new EntrySource() {
            @Override
            public int count() {
                return copy.length / 2;
            }

            @Override
            public String name(int i) {
                return copy[2 * i];
            }

            @Override
            public String value(int i) {
                return copy[2 * i + 1];
            }
        };
    }
}

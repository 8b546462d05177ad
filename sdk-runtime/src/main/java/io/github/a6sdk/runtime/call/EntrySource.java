package io.github.a6sdk.runtime.call;

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

    /** The value of entry {@code i}, or {@code null} when it has none. */
    String value(int i);

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

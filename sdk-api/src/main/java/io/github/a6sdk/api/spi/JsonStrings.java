package io.github.a6sdk.api.spi;

/**
 * JSON string quoting without a JSON library, for the SDK's own code: the views' JSON helpers
 * ({@link io.github.a6sdk.api.HttpResponse#sendJsonError}) and the schemas {@code sdk-processor}
 * writes. Not meant for plugin authors.
 */
public final class JsonStrings {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonStrings() {}

    /**
     * {@code s} as a JSON string literal, quotes included: {@code "}, {@code \}, control characters
     * and U+2028/U+2029 escaped.
     *
     * @param s the text, or {@code null}
     * @return the literal; {@code null} for {@code null}
     */
    public static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                default:
                    // control characters, and U+2028/U+2029 that break JavaScript that embeds the JSON
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 15])
                                .append(HEX[(c >> 4) & 15]).append(HEX[c & 15]);
                    } else {
                        out.append(c);
                    }
            }
        }
        return out.append('"').toString();
    }
}

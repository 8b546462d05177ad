package io.github.a6sdk.runtime.metrics;

/**
 * Writes the Prometheus text exposition format, version 0.0.4: a {@code # HELP} and a
 * {@code # TYPE} line per family, then one line per sample, {@code name{label="value",...} value}.
 * Label values and help texts are escaped as the format requires (backslash, double quote in
 * values, newline).
 */
final class TextFormat {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StringBuilder out = new StringBuilder(8192);

    /** Starts a family; {@code type} is counter, gauge, histogram, summary or untyped. */
    TextFormat family(String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ');
        escape(out, help, false);
        out.append("\n# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    TextFormat sample(String name, String labels, long value) {
        out.append(name).append(labels).append(' ').append(value).append('\n');
        return this;
    }

    TextFormat sample(String name, String labels, double value) {
        out.append(name).append(labels).append(' ').append(number(value)).append('\n');
        return this;
    }

    /**
     * A histogram's samples: cumulative {@code _bucket} lines ending in {@code le="+Inf"}, then
     * {@code _sum} (seconds) and {@code _count} (equal to the +Inf bucket).
     *
     * @param labels the series' own labels as {@code k="v",} pairs ready to prefix {@code le}, or ""
     */
    TextFormat histogram(String name, String labels, long[] buckets, long sumNanos) {
        long cumulative = 0;
        for (int i = 0; i < buckets.length; i++) {
            cumulative += buckets[i];
            String le = i < Histogram.BOUNDS.length ? Histogram.BOUNDS[i] : "+Inf";
            out.append(name).append("_bucket{").append(labels).append("le=\"").append(le).append("\"} ")
                    .append(cumulative).append('\n');
        }
        String own = labels.isEmpty() ? "" : "{" + labels.substring(0, labels.length() - 1) + "}";
        sample(name + "_sum", own, sumNanos / 1e9);
        return sample(name + "_count", own, cumulative);
    }

    /** {@code {k1="v1",k2="v2"}} from alternating names and values; "" for none. */
    static String labels(String... namesAndValues) {
        if (namesAndValues.length == 0) {
            return "";
        }
        String p = pairs(namesAndValues);
        return "{" + p.substring(0, p.length() - 1) + "}";
    }

    /** {@code k1="v1",k2="v2",} (with the trailing comma), for a histogram's series. */
    static String pairs(String... namesAndValues) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            sb.append(namesAndValues[i]).append("=\"");
            escape(sb, namesAndValues[i + 1], true);
            sb.append("\",");
        }
        return namesAndValues.length == 0 ? "" : sb.toString();
    }

    /** Backslash and newline escaped (help text); double quotes too in a label value. */
    private static void escape(StringBuilder sb, String text, boolean quotes) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                sb.append("\\\\");
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '"' && quotes) {
                sb.append("\\\"");
            } else {
                sb.append(c);
            }
        }
    }

    /** A float as Prometheus (Go's ParseFloat) reads it. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    @Override
    public String toString() {
        return out.toString();
    }
}

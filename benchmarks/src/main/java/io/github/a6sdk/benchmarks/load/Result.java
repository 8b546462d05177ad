package io.github.a6sdk.benchmarks.load;

import org.HdrHistogram.Histogram;

/** The outcome of one measured cell. Latencies in microseconds. */
record Result(String scenario, int connections, long calls, double seconds, Histogram latencyNanos,
        long cpuNanos, long errors, String firstError, long clientCpuNanos) {

    double callsPerSecond() {
        return seconds <= 0 ? 0 : calls / seconds;
    }

    double p(double percentile) {
        return latencyNanos.getTotalCount() == 0 ? Double.NaN : latencyNanos.getValueAtPercentile(percentile) / 1000.0;
    }

    /** Server CPU per call in µs, or NaN when the pid was not known. */
    double cpuMicrosPerCall() {
        return cpuNanos < 0 || calls == 0 ? Double.NaN : cpuNanos / 1000.0 / calls;
    }

    /** The load generator's own CPU per call in µs: when it nears the server's, the client is the bound. */
    double clientCpuMicrosPerCall() {
        return clientCpuNanos < 0 || calls == 0 ? Double.NaN : clientCpuNanos / 1000.0 / calls;
    }

    @Override
    public String toString() {
        return String.format("%s c=%d: %.0f calls/s, p50 %.1f µs, p99 %.1f µs, p99.9 %.1f µs, cpu %.2f µs/call (client %.2f), %d calls,"
                + " %d errors%s", scenario, connections, callsPerSecond(), p(50), p(99), p(99.9), cpuMicrosPerCall(),
                clientCpuMicrosPerCall(), calls, errors, firstError == null ? "" : " (first: " + firstError + ")");
    }
}

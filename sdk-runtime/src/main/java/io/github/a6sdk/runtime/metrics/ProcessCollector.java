package io.github.a6sdk.runtime.metrics;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The standard process and JVM families, with the names the Prometheus Java client uses, so that
 * existing dashboards and alerts work: CPU seconds, resident and virtual memory, start time, file
 * descriptors, heap and non-heap memory, GC time per collector, thread counts. Read at scrape time
 * only, from the platform MXBeans and, on Linux, {@code /proc/self/status}.
 */
final class ProcessCollector {
    static final String CPU = "process_cpu_seconds_total";
    static final String RSS = "process_resident_memory_bytes";
    static final String VIRTUAL = "process_virtual_memory_bytes";
    static final String START = "process_start_time_seconds";
    static final String OPEN_FDS = "process_open_fds";
    static final String MAX_FDS = "process_max_fds";
    static final String MEMORY_USED = "jvm_memory_used_bytes";
    static final String MEMORY_COMMITTED = "jvm_memory_committed_bytes";
    static final String MEMORY_MAX = "jvm_memory_max_bytes";
    static final String GC = "jvm_gc_collection_seconds";
    static final String THREADS = "jvm_threads_current";
    static final String THREADS_DAEMON = "jvm_threads_daemon";
    static final String THREADS_PEAK = "jvm_threads_peak";

    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessCollector() {}

    static void write(TextFormat out) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            long cpu = ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
            if (cpu >= 0) {
                out.family(CPU, "counter", "Total user and system CPU time spent in seconds.").sample(CPU, "", cpu / 1e9);
            }
        }
        long[] memory = procStatus();
        if (memory[0] >= 0) {
            out.family(RSS, "gauge", "Resident memory size in bytes.").sample(RSS, "", memory[0]);
        }
        if (memory[1] >= 0) {
            out.family(VIRTUAL, "gauge", "Virtual memory size in bytes.").sample(VIRTUAL, "", memory[1]);
        }
        out.family(START, "gauge", "Start time of the process since unix epoch in seconds.")
                .sample(START, "", ManagementFactory.getRuntimeMXBean().getStartTime() / 1e3);
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean) {
            com.sun.management.UnixOperatingSystemMXBean unix = (com.sun.management.UnixOperatingSystemMXBean) os;
            out.family(OPEN_FDS, "gauge", "Number of open file descriptors.").sample(OPEN_FDS, "", unix.getOpenFileDescriptorCount());
            out.family(MAX_FDS, "gauge", "Maximum number of open file descriptors.").sample(MAX_FDS, "", unix.getMaxFileDescriptorCount());
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        MemoryUsage nonHeap = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage();
        String h = TextFormat.labels("area", "heap");
        String n = TextFormat.labels("area", "nonheap");
        out.family(MEMORY_USED, "gauge", "Used bytes of a given JVM memory area.")
                .sample(MEMORY_USED, h, heap.getUsed()).sample(MEMORY_USED, n, nonHeap.getUsed());
        out.family(MEMORY_COMMITTED, "gauge", "Committed bytes of a given JVM memory area.")
                .sample(MEMORY_COMMITTED, h, heap.getCommitted()).sample(MEMORY_COMMITTED, n, nonHeap.getCommitted());
        out.family(MEMORY_MAX, "gauge", "Max bytes of a given JVM memory area (-1 when undefined).")
                .sample(MEMORY_MAX, h, heap.getMax()).sample(MEMORY_MAX, n, nonHeap.getMax());
        out.family(GC, "summary", "Time spent in a given JVM garbage collector in seconds.");
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            String labels = TextFormat.labels("gc", gc.getName());
            out.sample(GC + "_count", labels, Math.max(0, gc.getCollectionCount()));
            out.sample(GC + "_sum", labels, Math.max(0, gc.getCollectionTime()) / 1e3);
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        out.family(THREADS, "gauge", "Current thread count of a JVM.").sample(THREADS, "", threads.getThreadCount());
        out.family(THREADS_DAEMON, "gauge", "Daemon thread count of a JVM.").sample(THREADS_DAEMON, "", threads.getDaemonThreadCount());
        out.family(THREADS_PEAK, "gauge", "Peak thread count of a JVM.").sample(THREADS_PEAK, "", threads.getPeakThreadCount());
    }

    /** VmRSS and VmSize in bytes from /proc/self/status; -1 each where it cannot be read (not Linux). */
    private static long[] procStatus() {
        long[] out = {-1, -1};
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    out[0] = kilobytes(line);
                } else if (line.startsWith("VmSize:")) {
                    out[1] = kilobytes(line);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc not mounted: leave the families out
        }
        return out;
    }

    private static long kilobytes(String line) {
        String v = line.substring(line.indexOf(':') + 1).trim();
        int space = v.indexOf(' ');
        return Long.parseLong(space < 0 ? v : v.substring(0, space)) * 1024;
    }
}

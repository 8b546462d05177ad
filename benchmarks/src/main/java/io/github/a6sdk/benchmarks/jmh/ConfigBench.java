package io.github.a6sdk.benchmarks.jmh;

import com.google.gson.Gson;
import io.github.a6sdk.api.ConfigException;
import io.github.a6sdk.benchmarks.plugins.Rewrite;
import io.github.a6sdk.benchmarks.plugins.Rewrite_Descriptor;
import io.github.a6sdk.benchmarks.plugins.Say;
import io.github.a6sdk.benchmarks.plugins.Say_Descriptor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The generated config parser against {@code Gson.fromJson} for the same record. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ConfigBench {
    static final String SAY = "{\"body\":\"hello\"}";
    static final String REWRITE = "{\"path\":\"/x\",\"header_name\":\"X-A\",\"header_value\":\"1\"}";

    private final Say_Descriptor say = new Say_Descriptor();
    private final Rewrite_Descriptor rewrite = new Rewrite_Descriptor();
    private final Gson gson = new Gson();

    @Benchmark
    public Say.Config sayGenerated() throws ConfigException {
        return say.parseConfig(SAY);
    }

    @Benchmark
    public Say.Config sayGson() {
        return gson.fromJson(SAY, Say.Config.class);
    }

    @Benchmark
    public Rewrite.Config rewriteGenerated() throws ConfigException {
        return rewrite.parseConfig(REWRITE);
    }

    @Benchmark
    public Rewrite.Config rewriteGson() {
        return gson.fromJson(REWRITE, Rewrite.Config.class);
    }
}

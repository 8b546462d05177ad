package io.github.a6sdk.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static io.github.a6sdk.processor.TestSupport.source;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.testing.compile.Compilation;
import io.github.a6sdk.api.ConfigException;
import io.github.a6sdk.api.spi.PluginDescriptor;
import io.github.a6sdk.api.spi.PluginRegistry;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code @RouteState} components: not read from JSON, created by the record, left out of the schema. */
class RouteStateTest {

    static final JavaFileObject RATE = source("test.Rate", """
            package test;

            import io.github.a6sdk.api.*;

            @ApisixPlugin(name = "rate")
            public final class Rate implements RequestFilter<Rate.Config> {
                public record Config(int limit, @RouteState Window window) {
                    public Config {
                        window = new Window(limit);
                    }
                }

                /** A plain mutable class: not a supported config type, and never scanned as one. */
                public static final class Window {
                    private final int limit;
                    private int used;

                    public Window(int limit) {
                        this.limit = limit;
                    }

                    public int limit() {
                        return limit;
                    }

                    public boolean tryAcquire() {
                        return ++used <= limit;
                    }
                }

                @Override
                public void filter(Config config, HttpRequest request, HttpResponse response) {}
            }
            """);

    /** Route state of many shapes: primitive, generic, array, raw, a record with unsupported parts, nested. */
    static final JavaFileObject SHAPES = source("test.Shapes", """
            package test;

            import io.github.a6sdk.api.*;
            import java.util.List;
            import java.util.concurrent.ConcurrentHashMap;
            import java.util.concurrent.atomic.AtomicLong;

            @ApisixPlugin(name = "shapes")
            public final class Shapes implements RequestFilter<Shapes.Config> {
                /** Not a valid config record (Object, Thread): fine, because it is never parsed. */
                public record Stats(Object owner, Thread thread) {}

                public record Limit(String key, @RouteState AtomicLong used) {
                    public Limit {
                        used = new AtomicLong();
                    }
                }

                /** Only route state: the JSON object must be empty. */
                public record Empty(@RouteState boolean seen) {
                    public Empty {
                        seen = true;
                    }
                }

                @SuppressWarnings("rawtypes")
                public record Config(
                        @RouteState long createdAt,
                        String name,
                        @RouteState ConcurrentHashMap<String, List<? extends Number>> counters,
                        @RouteState int[][] buckets,
                        @RouteState List raw,
                        @RouteState Stats stats,
                        @RouteState char mark,
                        List<Limit> limits,
                        Empty empty) {
                    public Config {
                        createdAt = 42L;
                        counters = new ConcurrentHashMap<>();
                        buckets = new int[2][3];
                        raw = List.of();
                        stats = new Stats(null, null);
                        mark = 'x';
                    }
                }

                @Override
                public void filter(Config config, HttpRequest request, HttpResponse response) {}
            }
            """);

    private static Compilation compilation;
    private static PluginDescriptor<?> rate;
    private static PluginDescriptor<?> shapes;

    @BeforeAll
    static void compile() {
        compilation = TestSupport.compile(RATE, SHAPES);
        assertThat(compilation).succeededWithoutWarnings();
        PluginRegistry registry = TestSupport.registry(compilation, "test.ApisixPlugins_Registry");
        rate = registry.find("rate");
        shapes = registry.find("shapes");
    }

    private static Object invoke(Object target, String accessor) throws Exception {
        return target.getClass().getMethod(accessor).invoke(target);
    }

    @Test
    void generatedParserNeverReadsTheComponent() {
        String source = TestSupport.text(compilation.generatedSourceFile("test.Rate_Descriptor").orElseThrow());
        assertThat(source).contains("Rate.Window window = null;");
        assertThat(source).contains("case \"limit\":");
        assertThat(source).doesNotContain("case \"window\":");
        assertThat(source).doesNotContain("hasWindow");
        assertThat(source).contains("return new Rate.Config(limit, window);");
    }

    @Test
    void compactConstructorCreatesTheState() throws Exception {
        Object config = rate.parseConfig("{\"limit\":5}");
        Object window = invoke(config, "window");
        assertThat(window).isNotNull();
        assertEquals(5, invoke(window, "limit"));
        assertEquals(true, invoke(window, "tryAcquire"));
        // Each parse (each route config) gets its own state.
        assertNotSame(window, invoke(rate.parseConfig("{\"limit\":5}"), "window"));
    }

    @Test
    void jsonFieldWithTheStateNameIsUnknown() {
        ConfigException e = assertThrows(ConfigException.class, () -> rate.parseConfig("{\"limit\":5,\"window\":{}}"));
        assertEquals("$.window", e.path());
        assertEquals("plugin \"rate\": bad config at $.window: unknown field \"window\"; expected one of: limit",
                e.getMessage());
        e = assertThrows(ConfigException.class, () -> rate.parseConfig("{\"window\":null,\"limit\":5}"));
        assertEquals("$.window", e.path());
        // Still a required primitive: the state does not make the record optional.
        e = assertThrows(ConfigException.class, () -> rate.parseConfig("{}"));
        assertEquals("$.limit", e.path());
    }

    @Test
    void schemaOmitsTheState() {
        JsonObject schema = JsonParser.parseString(rate.configSchema()).getAsJsonObject();
        assertEquals(JsonParser.parseString("{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
                + "\"title\":\"rate\",\"type\":\"object\",\"properties\":{\"limit\":{\"type\":\"integer\","
                + "\"format\":\"int32\",\"minimum\":-2147483648,\"maximum\":2147483647}},\"required\":[\"limit\"],"
                + "\"additionalProperties\":false}"), schema);
    }

    @Test
    void anyTypeIsAllowed() throws Exception {
        Object config = shapes.parseConfig("{\"name\":\"n\",\"limits\":[{\"key\":\"a\"}],\"empty\":{}}");
        assertEquals(42L, invoke(config, "createdAt"));
        assertEquals("n", invoke(config, "name"));
        assertThat(invoke(config, "counters").toString()).isEqualTo("{}");
        assertEquals(2, ((int[][]) invoke(config, "buckets")).length);
        assertEquals(List.of(), invoke(config, "raw"));
        assertEquals('x', invoke(config, "mark"));
        assertThat(invoke(config, "stats").toString()).isEqualTo("Stats[owner=null, thread=null]");
        Object limit = ((List<?>) invoke(config, "limits")).get(0);
        assertEquals("Limit[key=a, used=0]", limit.toString());
        assertEquals("Empty[seen=true]", invoke(config, "empty").toString());
    }

    @Test
    void nestedRecordStateIsUnknownToo() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> shapes.parseConfig("{\"limits\":[{\"key\":\"a\",\"used\":1}]}"));
        assertEquals("$.limits[0].used", e.path());
        assertThat(e).hasMessageThat().endsWith("unknown field \"used\"; expected one of: key");
        e = assertThrows(ConfigException.class, () -> shapes.parseConfig("{\"empty\":{\"seen\":true}}"));
        assertEquals("$.empty.seen", e.path());
        assertThat(e).hasMessageThat().endsWith("unknown field \"seen\"; this object has no fields");
        e = assertThrows(ConfigException.class, () -> shapes.parseConfig("{\"createdAt\":1}"));
        assertThat(e).hasMessageThat().endsWith("expected one of: name, limits, empty");
    }

    @Test
    void schemaOfManyShapes() {
        JsonObject schema = JsonParser.parseString(shapes.configSchema()).getAsJsonObject();
        assertEquals(List.of("name", "limits", "empty"), new ArrayList<>(schema.getAsJsonObject("properties").keySet()));
        assertNull(schema.get("required"));
        JsonObject limit = schema.getAsJsonObject("properties").getAsJsonObject("limits").getAsJsonObject("items");
        assertEquals(List.of("key"), new ArrayList<>(limit.getAsJsonObject("properties").keySet()));
        JsonObject empty = schema.getAsJsonObject("properties").getAsJsonObject("empty");
        assertEquals(0, empty.getAsJsonObject("properties").size());
        assertNull(empty.get("required"));
    }

    @Test
    void rawStateTypeGetsALocalSuppression() {
        String source = TestSupport.text(compilation.generatedSourceFile("test.Shapes_Descriptor").orElseThrow());
        assertThat(source).contains("@SuppressWarnings(\"rawtypes\") List raw = null;");
        assertThat(source).contains("long createdAt = 0;");
        assertThat(source).contains("char mark = 0;");
    }

    @Test
    void annotationOnlyOnTheExplicitConstructorParameter() throws Exception {
        Compilation compilation = TestSupport.compile(source("test.Param", """
                package test;

                import io.github.a6sdk.api.*;

                @ApisixPlugin(name = "param")
                public final class Param implements RequestFilter<Param.Config> {
                    public record Config(int limit, StringBuilder log) {
                        public Config(int limit, @RouteState StringBuilder log) {
                            this.limit = limit;
                            this.log = new StringBuilder("limit=" + limit);
                        }
                    }

                    @Override
                    public void filter(Config config, HttpRequest request, HttpResponse response) {}
                }
                """));
        assertThat(compilation).succeededWithoutWarnings();
        PluginDescriptor<?> param = TestSupport.registry(compilation, "test.ApisixPlugins_Registry").find("param");
        assertEquals("Config[limit=3, log=limit=3]", param.parseConfig("{\"limit\":3}").toString());
        assertThrows(ConfigException.class, () -> param.parseConfig("{\"limit\":3,\"log\":\"x\"}"));
    }

    /** A config record from a library (a class file), not from source: the annotation is still found. */
    @Test
    void configRecordFromAClassFile(@TempDir Path dir) throws IOException {
        Compilation library = javac().withClasspath(TestSupport.classpath()).compile(source("lib.Limits", """
                package lib;

                import io.github.a6sdk.api.RouteState;
                import java.util.concurrent.atomic.AtomicLong;

                public record Limits(int limit, @RouteState AtomicLong used) {
                    public Limits {
                        used = new AtomicLong();
                    }
                }
                """));
        assertThat(library).succeededWithoutWarnings();
        Path classes = dir.resolve("classes");
        for (JavaFileObject file : library.generatedFiles()) {
            if (file.getKind() == JavaFileObject.Kind.CLASS) {
                Path target = classes.resolve("lib").resolve(Path.of(file.toUri().getPath()).getFileName().toString());
                Files.createDirectories(target.getParent());
                Files.write(target, TestSupport.bytes(file));
            }
        }
        List<File> classpath = new ArrayList<>(TestSupport.classpath());
        classpath.add(classes.toFile());
        Compilation compilation = javac()
                .withProcessors(new ApisixPluginProcessor())
                .withClasspath(classpath)
                .withOptions("-Xlint:all", "-Werror")
                .compile(source("test.Uses", """
                        package test;

                        import io.github.a6sdk.api.*;

                        @ApisixPlugin(name = "uses")
                        public final class Uses implements RequestFilter<lib.Limits> {
                            @Override
                            public void filter(lib.Limits config, HttpRequest request, HttpResponse response) {}
                        }
                        """));
        assertThat(compilation).succeededWithoutWarnings();
        String source = TestSupport.text(compilation.generatedSourceFile("test.Uses_Descriptor").orElseThrow());
        assertThat(source).contains("AtomicLong used = null;");
        assertThat(source).doesNotContain("case \"used\":");
        assertThat(source).contains("\\\"properties\\\":{\\\"limit\\\":");
        assertThat(source).doesNotContain("\\\"used\\\"");
    }
}

package io.github.a6sdk.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.github.a6sdk.processor.TestSupport.source;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonParser;
import com.google.testing.compile.Compilation;
import io.github.a6sdk.api.ConfigException;
import io.github.a6sdk.api.NoConfig;
import io.github.a6sdk.api.spi.PluginDescriptor;
import io.github.a6sdk.api.spi.PluginRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import javax.lang.model.SourceVersion;
import javax.tools.JavaFileObject;
import javax.tools.StandardLocation;
import org.junit.jupiter.api.Test;

/** Positive compile tests: generated sources, resources, registry placement and names. */
class ProcessorTest {

    static final JavaFileObject SAY = source("test.Say", """
            package test;

            import io.github.a6sdk.api.ApisixPlugin;
            import io.github.a6sdk.api.HttpRequest;
            import io.github.a6sdk.api.HttpResponse;
            import io.github.a6sdk.api.RequestFilter;

            @ApisixPlugin(name = "say")
            public final class Say implements RequestFilter<Say.Config> {
                public record Config(String body) {}

                @Override
                public void filter(Config config, HttpRequest request, HttpResponse response) {
                    response.setStatus(200);
                    response.setHeader("X-Resp-A6-Runner", "Java");
                    response.setBody(config.body());
                }
            }
            """);

    /**
     * Compares with {@code src/test/resources/expected/<name>}; set the environment variable
     * {@code GOLDEN_FILE_ROOT} to the module directory to rewrite the golden files instead.
     */
    private static void assertGolden(String name, String actual) throws IOException {
        String root = System.getenv("GOLDEN_FILE_ROOT");
        if (root != null) {
            Path file = Path.of(root, "src/test/resources/expected", name);
            Files.createDirectories(file.getParent());
            Files.writeString(file, actual);
            return;
        }
        try (InputStream in = ProcessorTest.class.getResourceAsStream("/expected/" + name)) {
            assertThat(in).isNotNull();
            assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), actual);
        }
    }

    @Test
    void sayCompilesWithoutWarnings() throws IOException {
        Compilation compilation = TestSupport.compile(SAY);
        assertThat(compilation).succeededWithoutWarnings();
        assertGolden("Say_Descriptor.java",
                TestSupport.text(compilation.generatedSourceFile("test.Say_Descriptor").orElseThrow()));
        assertGolden("ApisixPlugins_Registry.java",
                TestSupport.text(compilation.generatedSourceFile("test.ApisixPlugins_Registry").orElseThrow()));
    }

    @Test
    void servicesFileListsTheRegistry() {
        Compilation compilation = TestSupport.compile(SAY);
        assertThat(compilation).succeededWithoutWarnings();
        assertThat(compilation)
                .generatedFile(StandardLocation.CLASS_OUTPUT, "META-INF/services/io.github.a6sdk.api.spi.PluginRegistry")
                .contentsAsUtf8String()
                .isEqualTo("test.ApisixPlugins_Registry\n");
    }

    @Test
    void processorIsRegisteredAndAggregating() throws IOException {
        try (InputStream in = ApisixPluginProcessor.class.getResourceAsStream(
                "/META-INF/gradle/incremental.annotation.processors")) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim())
                    .isEqualTo("io.github.a6sdk.processor.ApisixPluginProcessor,aggregating");
        }
        try (InputStream in = ApisixPluginProcessor.class.getResourceAsStream(
                "/META-INF/services/javax.annotation.processing.Processor")) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim())
                    .isEqualTo("io.github.a6sdk.processor.ApisixPluginProcessor");
        }
        assertEquals(SourceVersion.latestSupported(), new ApisixPluginProcessor().getSupportedSourceVersion());
    }

    @Test
    void blockingIsTrueUnlessThePluginSaysOtherwise() {
        JavaFileObject fast = source("test.Fast", """
                package test;
                import io.github.a6sdk.api.*;
                @ApisixPlugin(name = "fast", blocking = false)
                public final class Fast implements RequestFilter<NoConfig> {
                    @Override public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}
                }
                """);
        Compilation compilation = TestSupport.compile(fast, noConfigPlugin("test", "Slow", "slow"));
        assertThat(compilation).succeededWithoutWarnings();
        io.github.a6sdk.api.spi.PluginRegistry registry = TestSupport.registry(compilation, "test.ApisixPlugins_Registry");
        assertEquals(false, registry.find("fast").blocking(), "blocking = false runs on the event loop");
        assertEquals(true, registry.find("slow").blocking(), "the default is blocking: a worker thread");
        assertThat(compilation).generatedSourceFile("test.Slow_Descriptor").contentsAsUtf8String()
                .doesNotContain("blocking()");
    }

    @Test
    void requestStateIsDeclaredOnTheAnnotationAndOffByDefault() {
        JavaFileObject timing = source("test.Timing", """
                package test;
                import io.github.a6sdk.api.*;
                @ApisixPlugin(name = "timing", requestState = true)
                public final class Timing implements RequestFilter<NoConfig>, ResponseFilter<NoConfig> {
                    static final StateKey<Long> STARTED = StateKey.of("started", Long.class);
                    @Override public void filter(NoConfig c, HttpRequest q, HttpResponse r) {
                        q.state().put(STARTED, 1L);
                    }
                    @Override public void filter(NoConfig c, UpstreamResponse r) {
                        r.state().get(STARTED).ifPresent(t -> r.headers().set("x-t", t.toString()));
                    }
                }
                """);
        Compilation compilation = TestSupport.compile(timing, noConfigPlugin("test", "Plain", "plain"));
        assertThat(compilation).succeededWithoutWarnings();
        PluginRegistry registry = TestSupport.registry(compilation, "test.ApisixPlugins_Registry");
        assertEquals(true, registry.find("timing").requestState(), "requestState = true reaches the descriptor");
        assertEquals(false, registry.find("plain").requestState(), "no request state unless declared");
        assertThat(compilation).generatedSourceFile("test.Plain_Descriptor").contentsAsUtf8String()
                .doesNotContain("requestState()");
    }

    private static JavaFileObject noConfigPlugin(String pkg, String className, String name) {
        return source(pkg + "." + className, "package " + pkg + ";\n"
                + "import io.github.a6sdk.api.*;\n"
                + "@ApisixPlugin(name = \"" + name + "\")\n"
                + "public final class " + className + " implements RequestFilter<NoConfig> {\n"
                + "  @Override public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
    }

    @Test
    void registryGoesToTheCommonPackage() {
        Compilation compilation = TestSupport.compile(
                noConfigPlugin("com.acme.auth", "Auth", "auth"),
                noConfigPlugin("com.acme.limits.rate", "RateLimit", "rate-limit"),
                noConfigPlugin("com.acme.limits", "Quota", "quota"));
        assertThat(compilation).succeededWithoutWarnings();
        assertThat(compilation).generatedSourceFile("com.acme.ApisixPlugins_Registry");
        assertThat(compilation)
                .generatedFile(StandardLocation.CLASS_OUTPUT, "META-INF/services/io.github.a6sdk.api.spi.PluginRegistry")
                .contentsAsUtf8String()
                .isEqualTo("com.acme.ApisixPlugins_Registry\n");

        PluginRegistry registry = TestSupport.registry(compilation, "com.acme.ApisixPlugins_Registry");
        List<String> names = registry.plugins().stream().map(PluginDescriptor::name).collect(Collectors.toList());
        assertEquals(List.of("auth", "quota", "rate-limit"), names);
        assertSame(registry.plugins().get(2), registry.find("rate-limit"));
        assertEquals("com.acme.limits.rate.RateLimit", registry.find("rate-limit").className());
        assertNull(registry.find("nope"));
    }

    @Test
    void registryPackageOption() {
        Compilation compilation = TestSupport.compiler("-Aapisix.registryPackage=x.y")
                .compile(noConfigPlugin("com.acme", "Auth", "auth"));
        assertThat(compilation).succeededWithoutWarnings();
        assertThat(compilation).generatedSourceFile("x.y.ApisixPlugins_Registry");
        assertThat(compilation)
                .generatedFile(StandardLocation.CLASS_OUTPUT, "META-INF/services/io.github.a6sdk.api.spi.PluginRegistry")
                .contentsAsUtf8String()
                .isEqualTo("x.y.ApisixPlugins_Registry\n");
        assertEquals("auth", TestSupport.registry(compilation, "x.y.ApisixPlugins_Registry").find("auth").name());
    }

    /**
     * Plain {@code -Xlint:all -Werror}, 'processing' lint included: javac flags every annotation that
     * no processor claims, so the processor claims the SDK's own annotations (and only those).
     */
    @Test
    void compilesWithoutAnyWarningUnderXlintAllWerror() {
        // The processor claims the SDK's own annotations, so even javac's "processing" lint is quiet.
        Compilation compilation = com.google.testing.compile.Compiler.javac()
                .withProcessors(new ApisixPluginProcessor())
                .withClasspath(TestSupport.classpath())
                .withOptions("-Xlint:all", "-Werror")
                .compile(SAY);
        assertThat(compilation).succeededWithoutWarnings();
    }

    @Test
    void noPluginsNoRegistry() {
        Compilation compilation = TestSupport.compile(source("test.Plain", "package test; public class Plain {}"));
        assertThat(compilation).succeededWithoutWarnings();
        assertThat(compilation.generatedSourceFiles()).isEmpty();
    }

    @Test
    void nestedPluginNames() throws Exception {
        JavaFileObject outer = source("test.Outer", """
                package test;

                import io.github.a6sdk.api.*;

                public final class Outer {
                    public static final class Middle {
                        @ApisixPlugin(name = "inner", vars = {"remote_addr", "host"}, requestBody = true,
                                responseBody = true)
                        public static final class Inner implements RequestFilter<String>, ResponseFilter<String> {
                            @Override
                            public void filter(String config, HttpRequest request, HttpResponse response) {}

                            @Override
                            public void filter(String config, UpstreamResponse response) {}
                        }
                    }
                }
                """);
        Compilation compilation = TestSupport.compile(outer);
        assertThat(compilation).succeededWithoutWarnings();
        assertThat(compilation).generatedSourceFile("test.Outer_Middle_Inner_Descriptor");
        assertThat(compilation).generatedSourceFile("test.Outer_Middle_Inner_Descriptor")
                .contentsAsUtf8String()
                .contains("// Generated by sdk-processor from Outer.Middle.Inner. Do not edit.");

        PluginDescriptor<?> inner = TestSupport.registry(compilation, "test.ApisixPlugins_Registry").find("inner");
        assertEquals("test.Outer.Middle.Inner", inner.className());
        assertEquals("java.lang.String", inner.configType());
        assertEquals(List.of("remote_addr", "host"), inner.prefetchVars());
        assertThat(inner.prefetchRequestBody()).isTrue();
        assertThat(inner.prefetchResponseBody()).isTrue();
        assertSame(inner.requestFilter(), inner.responseFilter());
        assertEquals(" {not json ", inner.parseConfig(" {not json "));
        assertEquals(JsonParser.parseString("{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
                + "\"title\":\"inner\",\"description\":\"The raw config text, passed to the plugin unparsed.\"}"),
                JsonParser.parseString(inner.configSchema()));
    }

    @Test
    void responseOnlyPluginThroughAbstractBase() throws Exception {
        JavaFileObject source = source("test.Tag", """
                package test;

                import io.github.a6sdk.api.*;

                abstract class Base<C> implements ResponseFilter<C> {
                    @Override
                    public void filter(C config, UpstreamResponse response) {}
                }

                @ApisixPlugin(name = "tag")
                public final class Tag extends Base<NoConfig> {}
                """);
        Compilation compilation = TestSupport.compile(source);
        assertThat(compilation).succeededWithoutWarnings();
        PluginDescriptor<?> tag = TestSupport.registry(compilation, "test.ApisixPlugins_Registry").find("tag");
        assertNull(tag.requestFilter());
        assertThat(tag.responseFilter()).isNotNull();
        assertEquals("io.github.a6sdk.api.NoConfig", tag.configType());
        assertEquals(new NoConfig(), tag.parseConfig(""));
        assertEquals(new NoConfig(), tag.parseConfig(" { } "));
        assertEquals(new NoConfig(), tag.parseConfig(null));
        ConfigException e = assertThrows(ConfigException.class, () -> tag.parseConfig("{\"a\":1}"));
        assertEquals("plugin \"tag\": bad config at $.a: unknown field \"a\"; this plugin takes no config",
                e.getMessage());
        assertThrows(ConfigException.class, () -> tag.parseConfig("[]"));
        assertThrows(ConfigException.class, () -> tag.parseConfig("{} x"));
        assertEquals(JsonParser.parseString("{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
                + "\"title\":\"tag\",\"description\":\"This plugin takes no config.\",\"type\":\"object\","
                + "\"additionalProperties\":false}"), JsonParser.parseString(tag.configSchema()));
    }

    @Test
    void componentNamesCannotClashWithGeneratedNames() throws Exception {
        JavaFileObject source = source("test.Clash", """
                package test;

                import io.github.a6sdk.api.*;
                import java.util.List;

                @ApisixPlugin(name = "clash")
                public final class Clash implements RequestFilter<Clash.Config> {
                    public record Config(String reader, String path, String field, String fieldPath, int NAME,
                            String ConfigReaders, String JsonToken, String e, boolean hasReader, List<String> list) {}

                    @Override
                    public void filter(Config config, HttpRequest request, HttpResponse response) {}
                }
                """);
        Compilation compilation = TestSupport.compile(source);
        assertThat(compilation).succeededWithoutWarnings();
        Object config = TestSupport.registry(compilation, "test.ApisixPlugins_Registry").find("clash")
                .parseConfig("{\"reader\":\"r\",\"path\":\"p\",\"field\":\"f\",\"fieldPath\":\"fp\",\"NAME\":1,"
                        + "\"ConfigReaders\":\"c\",\"JsonToken\":\"j\",\"e\":\"e\",\"hasReader\":true,\"list\":[\"x\"]}");
        assertEquals("Config[reader=r, path=p, field=f, fieldPath=fp, NAME=1, ConfigReaders=c, JsonToken=j, e=e,"
                + " hasReader=true, list=[x]]", config.toString());
    }

    @Test
    void twoPluginsMayShareAConfigRecord() {
        JavaFileObject config = source("test.Shared", """
                package test;

                public record Shared(String value) {}
                """);
        Compilation compilation = TestSupport.compile(config,
                source("test.A", """
                        package test;

                        import io.github.a6sdk.api.*;

                        @ApisixPlugin(name = "a")
                        public final class A implements RequestFilter<Shared> {
                            @Override
                            public void filter(Shared config, HttpRequest request, HttpResponse response) {}
                        }
                        """),
                source("test.B", """
                        package test;

                        import io.github.a6sdk.api.*;

                        @ApisixPlugin(name = "b")
                        public final class B implements RequestFilter<Shared>, ResponseFilter<Shared> {
                            @Override
                            public void filter(Shared config, HttpRequest request, HttpResponse response) {}

                            @Override
                            public void filter(Shared config, UpstreamResponse response) {}
                        }
                        """));
        assertThat(compilation).succeededWithoutWarnings();
        assertThat(compilation).generatedSourceFile("test.A_Descriptor");
        assertThat(compilation).generatedSourceFile("test.B_Descriptor");
    }
}

package io.github.a6sdk.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.github.a6sdk.processor.TestSupport.source;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.TypeElement;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** Plugins and config types that other processors generate in later rounds. */
class RoundsTest {

    /** A stand-in for another code generator: writes {@code source} as {@code className} in round {@code round}. */
    private static final class GeneratingProcessor extends AbstractProcessor {
        private final int round;
        private final String className;
        private final String source;
        private int current;

        GeneratingProcessor(int round, String className, String source) {
            this.round = round;
            this.className = className;
            this.source = source;
        }

        @Override
        public Set<String> getSupportedAnnotationTypes() {
            return Set.of("*");
        }

        @Override
        public SourceVersion getSupportedSourceVersion() {
            return SourceVersion.latestSupported();
        }

        @Override
        public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment roundEnv) {
            if (++current == round) {
                try (Writer writer = processingEnv.getFiler().createSourceFile(className).openWriter()) {
                    writer.write(source);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return false;
        }
    }

    private static final JavaFileObject PLUGIN = source("test.Uses", """
            package test;

            import io.github.a6sdk.api.*;

            @ApisixPlugin(name = "uses")
            public final class Uses implements RequestFilter<Uses.Config> {
                public record Config(Extra extra) {}

                @Override
                public void filter(Config config, HttpRequest request, HttpResponse response) {}
            }
            """);

    @Test
    void configTypeGeneratedInALaterRound() throws Exception {
        Compilation compilation = TestSupport.compiler()
                .withProcessors(new ApisixPluginProcessor(),
                        new GeneratingProcessor(1, "test.Extra", "package test; public record Extra(String v) {}"))
                .compile(PLUGIN);
        assertThat(compilation).succeededWithoutWarnings();
        assertEquals("Config[extra=Extra[v=x]]", TestSupport.registry(compilation, "test.ApisixPlugins_Registry")
                .find("uses").parseConfig("{\"extra\":{\"v\":\"x\"}}").toString());
    }

    @Test
    void routeStateTypeGeneratedInALaterRound() throws Exception {
        JavaFileObject plugin = source("test.Keeps", """
                package test;

                import io.github.a6sdk.api.*;

                @ApisixPlugin(name = "keeps")
                public final class Keeps implements RequestFilter<Keeps.Config> {
                    public record Config(String name, @RouteState State state) {
                        public Config {
                            state = new State(name);
                        }
                    }

                    @Override
                    public void filter(Config config, HttpRequest request, HttpResponse response) {}
                }
                """);
        Compilation compilation = TestSupport.compiler()
                .withProcessors(new ApisixPluginProcessor(),
                        new GeneratingProcessor(1, "test.State", "package test; public record State(String of) {}"))
                .compile(plugin);
        assertThat(compilation).succeededWithoutWarnings();
        assertEquals("Config[name=x, state=State[of=x]]", TestSupport.registry(compilation, "test.ApisixPlugins_Registry")
                .find("keeps").parseConfig("{\"name\":\"x\"}").toString());
    }

    @Test
    void missingConfigTypeIsReportedOnceByJavac() {
        Compilation compilation = TestSupport.compile(PLUGIN);
        assertThat(compilation).failed();
        assertThat(compilation).hadErrorCount(1);
        assertThat(compilation).hadErrorContaining("cannot find symbol").inFile(PLUGIN).onLineContaining("Extra extra");
    }

    @Test
    void pluginGeneratedAfterTheRegistryIsAnError() {
        String late = """
                package test;

                import io.github.a6sdk.api.*;

                @ApisixPlugin(name = "late")
                public final class Late implements RequestFilter<NoConfig> {
                    @Override
                    public void filter(NoConfig config, HttpRequest request, HttpResponse response) {}
                }
                """;
        Compilation compilation = TestSupport.compiler()
                .withProcessors(new ApisixPluginProcessor(), new GeneratingProcessor(2, "test.Late", late))
                .compile(ProcessorTest.SAY);
        assertThat(compilation).failed();
        assertThat(compilation).hadErrorContaining(
                String.format(Messages.LATE_PLUGIN, "test.Late", "test.ApisixPlugins_Registry"));
    }
}

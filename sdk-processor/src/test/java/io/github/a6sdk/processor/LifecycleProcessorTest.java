package io.github.a6sdk.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.github.a6sdk.processor.TestSupport.source;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import io.github.a6sdk.api.PluginContext;
import io.github.a6sdk.api.SettingException;
import io.github.a6sdk.api.spi.PluginDescriptor;
import java.io.IOException;
import java.util.Map;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** Start hooks and close: what the processor generates, run through the generated descriptor. */
class LifecycleProcessorTest {

    /** Reads a setting in start; close throws a checked exception that says what start read. */
    static final JavaFileObject POOL = source("test.Pool", """
            package test;

            import io.github.a6sdk.api.ApisixPlugin;
            import io.github.a6sdk.api.HttpRequest;
            import io.github.a6sdk.api.HttpResponse;
            import io.github.a6sdk.api.NoConfig;
            import io.github.a6sdk.api.PluginContext;
            import io.github.a6sdk.api.RequestFilter;
            import io.github.a6sdk.api.Startable;
            import java.io.IOException;

            @ApisixPlugin(name = "pool-x")
            public final class Pool implements RequestFilter<NoConfig>, Startable, AutoCloseable {
                private volatile String url;

                @Override
                public void start(PluginContext context) {
                    url = context.requiredSetting("url");
                }

                @Override
                public void filter(NoConfig config, HttpRequest request, HttpResponse response) {}

                @Override
                public void close() throws IOException {
                    throw new IOException("closing pool for " + url);
                }
            }
            """);

    @Test
    void startAndCloseAreGeneratedAsPlainCallsAndCompileWithoutWarnings() throws Exception {
        Compilation compilation = TestSupport.compile(POOL);
        assertThat(compilation).succeededWithoutWarnings();
        String descriptor = TestSupport.text(compilation.generatedSourceFile("test.Pool_Descriptor").orElseThrow());
        assertTrue(descriptor.contains("public void startPlugin(PluginContext context) throws Exception {\n"
                + "    plugin.start(context);\n"), descriptor);
        assertTrue(descriptor.contains("public void closePlugin() throws Exception {\n    plugin.close();\n"), descriptor);

        PluginDescriptor<?> pool = TestSupport.registry(compilation, "test.ApisixPlugins_Registry").find("pool-x");
        assertTrue(pool.hasStartHook());
        assertTrue(pool.isCloseable());
        pool.startPlugin(PluginContext.of("pool-x", Map.of("A6_PLUGIN_POOL_X_URL", "http://db:1"), "1.0"));
        IOException closed = assertThrows(IOException.class, pool::closePlugin);
        assertEquals("closing pool for http://db:1", closed.getMessage());
    }

    @Test
    void aStartHookThatThrowsReachesTheCaller() throws Exception {
        Compilation compilation = TestSupport.compile(POOL);
        PluginDescriptor<?> pool = TestSupport.registry(compilation, "test.ApisixPlugins_Registry").find("pool-x");
        SettingException e = assertThrows(SettingException.class,
                () -> pool.startPlugin(PluginContext.of("pool-x", Map.of("A6_PLUGIN_OTHER_URL", "x"), "1.0")));
        assertEquals("A6_PLUGIN_POOL_X_URL", e.variable());
    }

    @Test
    void lifecycleInheritedFromABaseClassCounts() throws Exception {
        JavaFileObject source = source("test.Child", """
                package test;

                import io.github.a6sdk.api.*;

                @ApisixPlugin(name = "child")
                public final class Child extends Base implements RequestFilter<NoConfig> {
                    @Override
                    public void filter(NoConfig config, HttpRequest request, HttpResponse response) {}
                }

                abstract class Base implements Startable, java.io.Closeable {
                    protected StringBuilder log = new StringBuilder();

                    @Override
                    public void start(PluginContext context) {
                        log.append("start ").append(context.pluginName());
                    }

                    @Override
                    public void close() throws java.io.IOException {
                        throw new java.io.IOException(log + ", close");
                    }
                }
                """);
        Compilation compilation = TestSupport.compile(source);
        assertThat(compilation).succeededWithoutWarnings();
        PluginDescriptor<?> child = TestSupport.registry(compilation, "test.ApisixPlugins_Registry").find("child");
        assertTrue(child.hasStartHook() && child.isCloseable());
        child.startPlugin(PluginContext.of("child", Map.of(), "1.0"));
        assertEquals("start child, close", assertThrows(IOException.class, child::closePlugin).getMessage());
    }

    @Test
    void aPluginWithoutLifecycleKeepsTheDefaults() throws Exception {
        Compilation compilation = TestSupport.compile(ProcessorTest.SAY);
        PluginDescriptor<?> say = TestSupport.registry(compilation, "test.ApisixPlugins_Registry").find("say");
        assertFalse(say.hasStartHook());
        assertFalse(say.isCloseable());
        say.startPlugin(PluginContext.of("say", Map.of(), "1.0")); // does nothing
        say.closePlugin();
        String descriptor = TestSupport.text(compilation.generatedSourceFile("test.Say_Descriptor").orElseThrow());
        assertFalse(descriptor.contains("startPlugin") || descriptor.contains("closePlugin"), descriptor);
    }
}

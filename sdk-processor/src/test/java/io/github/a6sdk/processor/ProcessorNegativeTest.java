package io.github.a6sdk.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static io.github.a6sdk.processor.TestSupport.source;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** One test per {@link Messages} constant: the error, its count, its file and its line. */
class ProcessorNegativeTest {

    private static final String HEADER = "package test;\n"
            + "import io.github.a6sdk.api.*;\n"
            + "import java.util.*;\n";

    /** No -Werror here, so that javac's own lint warnings (rawtypes...) do not add errors. */
    private static Compiler compiler(String... options) {
        return javac()
                .withProcessors(new ApisixPluginProcessor())
                .withClasspath(TestSupport.classpath())
                .withOptions((Object[]) options);
    }

    private static JavaFileObject plugin(String className, String body) {
        return source("test." + className, HEADER + body);
    }

    private static void assertSingleError(JavaFileObject source, String message, String line) {
        Compilation compilation = compiler().compile(source);
        assertThat(compilation).failed();
        assertThat(compilation).hadErrorCount(1);
        assertThat(compilation).hadErrorContaining(message).inFile(source).onLineContaining(line);
    }

    @Test
    void invalidName() {
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"Say Hello\")\n"
                + "public final class Say implements RequestFilter<NoConfig> {\n"
                + "  public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.NAME_INVALID, "Say Hello"), "@ApisixPlugin");
    }

    @Test
    void emptyName() {
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"\")\n"
                + "public final class Say implements RequestFilter<NoConfig> {\n"
                + "  public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.NAME_INVALID, ""), "@ApisixPlugin");
    }

    @Test
    void tooLongName() {
        String name = "a".repeat(129);
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"" + name + "\")\n"
                + "public final class Say implements RequestFilter<NoConfig> {\n"
                + "  public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.NAME_INVALID, name), "@ApisixPlugin");
    }

    @Test
    void duplicateName() {
        JavaFileObject first = plugin("First", "@ApisixPlugin(name = \"same\")\n"
                + "public final class First implements RequestFilter<NoConfig> {\n"
                + "  public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        JavaFileObject second = plugin("Second", "@ApisixPlugin(name = \"same\")\n"
                + "public final class Second implements RequestFilter<NoConfig> {\n"
                + "  public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        Compilation compilation = compiler().compile(first, second);
        assertThat(compilation).failed();
        assertThat(compilation).hadErrorCount(1);
        assertThat(compilation)
                .hadErrorContaining(String.format(Messages.NAME_DUPLICATE, "same", "test.First", "test.Second"))
                .inFile(second)
                .onLineContaining("class Second");
    }

    @Test
    void onInterface() {
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"say\")\n"
                + "public interface Say extends RequestFilter<NoConfig> {}\n");
        assertSingleError(source, String.format(Messages.NOT_A_CLASS, "an interface"), "@ApisixPlugin");
    }

    @Test
    void onEnum() {
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"say\")\n"
                + "public enum Say implements RequestFilter<NoConfig> {\n"
                + "  INSTANCE;\n"
                + "  public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.NOT_A_CLASS, "an enum"), "@ApisixPlugin");
    }

    @Test
    void onRecord() {
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"say\")\n"
                + "public record Say() implements RequestFilter<NoConfig> {\n"
                + "  public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.NOT_A_CLASS, "a record"), "@ApisixPlugin");
    }

    @Test
    void notPublic() {
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"say\")\n"
                + "final class Say implements RequestFilter<NoConfig> {\n"
                + "  public Say() {}\n"
                + "  public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.NOT_PUBLIC, "test.Say"), "class Say");
    }

    @Test
    void nestedInNonPublicClass() {
        JavaFileObject source = plugin("Outer", "class Outer {\n"
                + "  @ApisixPlugin(name = \"say\")\n"
                + "  public static final class Say implements RequestFilter<NoConfig> {\n"
                + "    public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}\n"
                + "  }\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.NOT_PUBLIC, "test.Outer.Say"), "class Say");
    }

    @Test
    void abstractClass() {
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"say\")\n"
                + "public abstract class Say implements RequestFilter<NoConfig> {\n"
                + "  public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.ABSTRACT, "test.Say"), "class Say");
    }

    @Test
    void innerClass() {
        JavaFileObject source = plugin("Outer", "public class Outer {\n"
                + "  @ApisixPlugin(name = \"say\")\n"
                + "  public final class Say implements RequestFilter<NoConfig> {\n"
                + "    public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}\n"
                + "  }\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.INNER_CLASS, "test.Outer.Say"), "class Say");
    }

    @Test
    void genericPlugin() {
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"say\")\n"
                + "public final class Say<T> implements RequestFilter<NoConfig> {\n"
                + "  public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.GENERIC_PLUGIN, "test.Say"), "class Say");
    }

    @Test
    void noPublicNoArgConstructor() {
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"say\")\n"
                + "public final class Say implements RequestFilter<NoConfig> {\n"
                + "  public Say(String greeting) {}\n"
                + "  public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.NO_CONSTRUCTOR, "test.Say"), "class Say");
    }

    @Test
    void theConstructorErrorPointsToStartHooksAndTheReadmeSectionThatExists() throws java.io.IOException {
        assertTrue(Messages.NO_CONSTRUCTOR.contains("implement io.github.a6sdk.api.Startable and build them in "
                + "start(PluginContext)"), Messages.NO_CONSTRUCTOR);
        assertTrue(Messages.NO_CONSTRUCTOR.endsWith("see " + Messages.RESOURCES_SECTION), Messages.NO_CONSTRUCTOR);
        String readme = java.nio.file.Files.readString(java.nio.file.Path.of("..", "README.md"));
        assertTrue(readme.contains("\n## Plugins that hold resources\n"), "README lacks the section the error names");
    }

    @Test
    void startWithoutStartable() {
        JavaFileObject source = plugin("Auth", "@ApisixPlugin(name = \"auth\")\n"
                + "public final class Auth implements RequestFilter<NoConfig> {\n"
                + "  public void start(PluginContext context) {}\n"
                + "  public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.START_WITHOUT_STARTABLE, "test.Auth"),
                "public void start(PluginContext");
    }

    @Test
    void inheritedStartWithoutStartableIsReportedOnTheClass() {
        JavaFileObject source = plugin("Auth", "@ApisixPlugin(name = \"auth\")\n"
                + "public final class Auth extends Base implements RequestFilter<NoConfig> {\n"
                + "  public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n"
                + "abstract class Base {\n"
                + "  void start(PluginContext context) throws Exception {}\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.START_WITHOUT_STARTABLE, "test.Auth"), "class Auth");
    }

    @Test
    void closeWithoutAutoCloseableIsAWarning() {
        JavaFileObject source = plugin("Pool", "@ApisixPlugin(name = \"pool\")\n"
                + "public final class Pool implements RequestFilter<NoConfig> {\n"
                + "  public void close() {}\n"
                + "  public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        Compilation compilation = compiler().compile(source);
        assertThat(compilation).succeeded();
        assertThat(compilation).hadWarningCount(1);
        assertThat(compilation).hadWarningContaining(String.format(Messages.CLOSE_WITHOUT_AUTOCLOSEABLE, "test.Pool"))
                .inFile(source)
                .onLineContaining("public void close()");
        assertTrue(compilation.generatedSourceFile("test.Pool_Descriptor").isPresent(), "a warning still generates");
    }

    @Test
    void constructorThrowingCheckedException() {
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"say\")\n"
                + "public final class Say implements RequestFilter<NoConfig> {\n"
                + "  public Say() throws java.io.IOException {}\n"
                + "  public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.NO_CONSTRUCTOR, "test.Say"), "class Say");
    }

    @Test
    void noFilter() {
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"say\")\n"
                + "public final class Say {}\n");
        assertSingleError(source, String.format(Messages.NO_FILTER, "test.Say"), "class Say");
    }

    @Test
    void rawFilter() {
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"say\")\n"
                + "@SuppressWarnings(\"rawtypes\")\n"
                + "public final class Say implements RequestFilter {\n"
                + "  public void filter(Object c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.RAW_FILTER, "test.Say", "RequestFilter"), "class Say");
    }

    @Test
    void rawFilterThroughBaseClass() {
        JavaFileObject source = plugin("Say", "@SuppressWarnings(\"rawtypes\")\n"
                + "abstract class Base<C> implements ResponseFilter<C> {}\n"
                + "@ApisixPlugin(name = \"say\")\n"
                + "@SuppressWarnings(\"rawtypes\")\n"
                + "public final class Say extends Base {\n"
                + "  public void filter(Object c, UpstreamResponse r) {}\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.RAW_FILTER, "test.Say", "ResponseFilter"), "class Say");
    }

    @Test
    void typeVariableFilterArgument() {
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"say\")\n"
                + "public final class Say<C> implements RequestFilter<C> {\n"
                + "  public void filter(C c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        Compilation compilation = compiler().compile(source);
        assertThat(compilation).failed();
        assertThat(compilation).hadErrorCount(2);
        assertThat(compilation).hadErrorContaining(String.format(Messages.GENERIC_PLUGIN, "test.Say"))
                .inFile(source).onLineContaining("class Say");
        assertThat(compilation)
                .hadErrorContaining(String.format(Messages.FILTER_TYPE_ARGUMENT, "test.Say",
                        "io.github.a6sdk.api.RequestFilter<C>", "C"))
                .inFile(source).onLineContaining("class Say");
    }

    @Test
    void configMismatch() {
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"say\")\n"
                + "public final class Say implements RequestFilter<NoConfig>, ResponseFilter<String> {\n"
                + "  public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}\n"
                + "  public void filter(String c, UpstreamResponse r) {}\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.CONFIG_MISMATCH, "test.Say",
                "io.github.a6sdk.api.NoConfig", "java.lang.String"), "class Say");
    }

    @Test
    void configNotRecord() {
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"say\")\n"
                + "public final class Say implements RequestFilter<Say.Config> {\n"
                + "  public static final class Config {}\n"
                + "  public void filter(Config c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.CONFIG_NOT_RECORD, "test.Say.Config", "test.Say"),
                "class Say");
    }

    @Test
    void genericConfigRecord() {
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"say\")\n"
                + "public final class Say implements RequestFilter<Say.Config<String>> {\n"
                + "  public record Config<T>(T value) {}\n"
                + "  public void filter(Config<String> c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.CONFIG_GENERIC, "test.Say.Config"), "record Config");
    }

    @Test
    void privateConfigRecord() {
        JavaFileObject source = plugin("Outer", "public final class Outer {\n"
                + "  private record Config(String body) {}\n"
                + "  @ApisixPlugin(name = \"say\")\n"
                + "  public static final class Say implements RequestFilter<Config> {\n"
                + "    public void filter(Config c, HttpRequest q, HttpResponse r) {}\n"
                + "  }\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.CONFIG_NOT_ACCESSIBLE, "test.Outer.Config", "test"),
                "record Config");
    }

    @Test
    void privateNestedRecord() {
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"say\")\n"
                + "public final class Say implements RequestFilter<Say.Config> {\n"
                + "  public record Config(Limit limit) {}\n"
                + "  private record Limit(int rate) {}\n"
                + "  public void filter(Config c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.CONFIG_NOT_ACCESSIBLE, "test.Say.Limit", "test"),
                "record Limit");
    }

    @Test
    void privateEnum() {
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"say\")\n"
                + "public final class Say implements RequestFilter<Say.Config> {\n"
                + "  public record Config(Mode mode) {}\n"
                + "  private enum Mode { A, B }\n"
                + "  public void filter(Config c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.CONFIG_NOT_ACCESSIBLE, "test.Say.Mode", "test"),
                "Config(Mode mode)");
    }

    @Test
    void unsupportedComponentType() {
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"say\")\n"
                + "public final class Say implements RequestFilter<Say.Config> {\n"
                + "  public record Config(String body,\n"
                + "      Set<String> tags) {}\n"
                + "  public void filter(Config c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.UNSUPPORTED_COMPONENT, "tags", "test.Say.Config",
                "java.util.Set<java.lang.String>"), "Set<String> tags");
    }

    @Test
    void unsupportedNestedTypes() {
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"say\")\n"
                + "public final class Say implements RequestFilter<Say.Config> {\n"
                + "  public record Config(\n"
                + "      byte[] bytes,\n"
                + "      List<int[]> arrays,\n"
                + "      Map<Integer, String> intKeys,\n"
                + "      List<? extends Number> wildcard,\n"
                + "      Object object,\n"
                + "      short small,\n"
                + "      Optional<String> optional) {}\n"
                + "  public void filter(Config c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        Compilation compilation = compiler().compile(source);
        assertThat(compilation).failed();
        assertThat(compilation).hadErrorCount(7);
        String[][] expected = {
            {"bytes", "byte[]"},
            {"arrays", "java.util.List<int[]>"},
            {"intKeys", "java.util.Map<java.lang.Integer,java.lang.String>"},
            {"wildcard", "java.util.List<? extends java.lang.Number>"},
            {"object", "java.lang.Object"},
            {"small", "short"},
            {"optional", "java.util.Optional<java.lang.String>"},
        };
        for (String[] component : expected) {
            assertThat(compilation)
                    .hadErrorContaining(String.format(Messages.UNSUPPORTED_COMPONENT, component[0],
                            "test.Say.Config", component[1]))
                    .inFile(source)
                    .onLineContaining(component[0]);
        }
    }

    @Test
    void recursiveConfig() {
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"say\")\n"
                + "public final class Say implements RequestFilter<Say.Node> {\n"
                + "  public record Node(String value, List<Node> children) {}\n"
                + "  public void filter(Node c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.CONFIG_CYCLE, "children", "test.Say.Node", "Node -> Node"),
                "List<Node> children");
    }

    @Test
    void routeStateWithoutConstructor() {
        JavaFileObject source = plugin("Rate", "@ApisixPlugin(name = \"rate\")\n"
                + "public final class Rate implements RequestFilter<Rate.Config> {\n"
                + "  public record Config(int limit,\n"
                + "      @RouteState StringBuilder window) {}\n"
                + "  public void filter(Config c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.ROUTE_STATE_NO_CONSTRUCTOR, "window", "test.Rate.Config",
                "Config", "window"), "StringBuilder window");
    }

    @Test
    void routeStateOnAccessorOnly() {
        JavaFileObject source = plugin("Rate", "@ApisixPlugin(name = \"rate\")\n"
                + "public final class Rate implements RequestFilter<Rate.Config> {\n"
                + "  public record Config(int limit, StringBuilder window) {\n"
                + "    @RouteState public StringBuilder window() { return window; }\n"
                + "  }\n"
                + "  public void filter(Config c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.ROUTE_STATE_ON_ACCESSOR, "window", "test.Rate.Config",
                "window"), "public StringBuilder window()");
    }

    @Test
    void routeStateTypeNotAccessible() {
        JavaFileObject source = plugin("Rate", "@ApisixPlugin(name = \"rate\")\n"
                + "public final class Rate implements RequestFilter<Rate.Config> {\n"
                + "  private static final class Window {}\n"
                + "  public record Config(int limit,\n"
                + "      @RouteState Window window,\n"
                + "      @RouteState List<Map<String, Window[]>> windows) {\n"
                + "    public Config { window = null; windows = null; }\n"
                + "  }\n"
                + "  public void filter(Config c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        Compilation compilation = compiler().compile(source);
        assertThat(compilation).failed();
        assertThat(compilation).hadErrorCount(2);
        String message = String.format(Messages.CONFIG_NOT_ACCESSIBLE, "test.Rate.Window", "test");
        assertThat(compilation).hadErrorContaining(message).inFile(source).onLineContaining("Window window");
        assertThat(compilation).hadErrorContaining(message).inFile(source).onLineContaining("Window[]>> windows");
    }

    @Test
    void registryWouldBeInTheUnnamedPackage() {
        JavaFileObject first = source("a.First", "package a;\n"
                + "import io.github.a6sdk.api.*;\n"
                + "@ApisixPlugin(name = \"first\")\n"
                + "public final class First implements RequestFilter<NoConfig> {\n"
                + "  public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        JavaFileObject second = source("b.Second", "package b;\n"
                + "import io.github.a6sdk.api.*;\n"
                + "@ApisixPlugin(name = \"second\")\n"
                + "public final class Second implements RequestFilter<NoConfig> {\n"
                + "  public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        Compilation compilation = compiler().compile(first, second);
        assertThat(compilation).failed();
        assertThat(compilation).hadErrorCount(2);
        String message = String.format(Messages.REGISTRY_UNNAMED_PACKAGE, "a.First, b.Second");
        assertThat(compilation).hadErrorContaining(message).inFile(first).onLineContaining("class First");
        assertThat(compilation).hadErrorContaining(message).inFile(second).onLineContaining("class Second");
        assertThat(compilation).hadErrorContaining("-Aapisix.registryPackage=");

        // The option fixes it.
        Compilation fixed = compiler("-Aapisix.registryPackage=ab").compile(first, second);
        assertThat(fixed).succeeded();
        assertThat(fixed).generatedSourceFile("ab.ApisixPlugins_Registry");
    }

    @Test
    void pluginInTheUnnamedPackage() {
        JavaFileObject source = source("Say", "import io.github.a6sdk.api.*;\n"
                + "@ApisixPlugin(name = \"say\")\n"
                + "public final class Say implements RequestFilter<NoConfig> {\n"
                + "  public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.REGISTRY_UNNAMED_PACKAGE, "Say"), "class Say");
    }

    @Test
    void invalidVar() {
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"say\", vars = {\"remote_addr\", \"$host\"})\n"
                + "public final class Say implements RequestFilter<NoConfig> {\n"
                + "  public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.VAR_INVALID, "$host"), "@ApisixPlugin");
    }

    @Test
    void emptyVar() {
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"say\", vars = \"\")\n"
                + "public final class Say implements RequestFilter<NoConfig> {\n"
                + "  public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.VAR_INVALID, ""), "@ApisixPlugin");
    }

    @Test
    void duplicateVar() {
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"say\", vars = {\"host\", \"host\"})\n"
                + "public final class Say implements RequestFilter<NoConfig> {\n"
                + "  public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.VAR_DUPLICATE, "host"), "@ApisixPlugin");
    }

    @Test
    void responseBodyWithoutResponseFilter() {
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"say\", responseBody = true)\n"
                + "public final class Say implements RequestFilter<NoConfig> {\n"
                + "  public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        assertSingleError(source, String.format(Messages.RESPONSE_BODY_WITHOUT_FILTER, "test.Say"), "@ApisixPlugin");
    }

    @Test
    void invalidRegistryPackageOption() {
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"say\")\n"
                + "public final class Say implements RequestFilter<NoConfig> {\n"
                + "  public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        Compilation compilation = compiler("-Aapisix.registryPackage=com.1bad").compile(source);
        assertThat(compilation).failed();
        assertThat(compilation).hadErrorCount(1);
        assertThat(compilation).hadErrorContaining(String.format(Messages.REGISTRY_PACKAGE_INVALID, "com.1bad"));
        assertThat(compilation).hadErrorContaining("usage: -Aapisix.registryPackage=");
    }

    @Test
    void processorCrashBecomesAnError() {
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"say\")\n"
                + "public final class Say implements RequestFilter<NoConfig> {\n"
                + "  public void filter(NoConfig c, HttpRequest q, HttpResponse r) {}\n"
                + "}\n");
        Compilation compilation = javac()
                .withProcessors(new ApisixPluginProcessor(type -> {
                    throw new IllegalStateException("boom");
                }))
                .withClasspath(TestSupport.classpath())
                .compile(source);
        assertThat(compilation).failed();
        assertThat(compilation).hadErrorCount(1);
        assertThat(compilation)
                .hadErrorContaining(String.format(Messages.PROCESSOR_CRASH, "test.Say", ""))
                .inFile(source)
                .onLineContaining("class Say");
        assertThat(compilation).hadErrorContaining("java.lang.IllegalStateException: boom");
        assertThat(compilation).hadErrorContaining("at io.github.a6sdk.processor.");
    }

    @Test
    void everyFaultOfAClassIsReported() {
        JavaFileObject source = plugin("Say", "@ApisixPlugin(name = \"Bad Name\", vars = {\"a-b\", \"ok\", \"ok\"},"
                + " responseBody = true)\n"
                + "abstract class Say implements RequestFilter<Say.Config> {\n"
                + "  Say(int x) {}\n"
                + "  public record Config(Set<String> tags, Object other) {}\n"
                + "}\n");
        Compilation compilation = compiler().compile(source);
        assertThat(compilation).failed();
        assertThat(compilation).hadErrorCount(9);
        assertThat(compilation).hadErrorContaining(String.format(Messages.NAME_INVALID, "Bad Name"));
        assertThat(compilation).hadErrorContaining(String.format(Messages.VAR_INVALID, "a-b"));
        assertThat(compilation).hadErrorContaining(String.format(Messages.VAR_DUPLICATE, "ok"));
        assertThat(compilation).hadErrorContaining(String.format(Messages.NOT_PUBLIC, "test.Say"));
        assertThat(compilation).hadErrorContaining(String.format(Messages.ABSTRACT, "test.Say"));
        assertThat(compilation).hadErrorContaining(String.format(Messages.NO_CONSTRUCTOR, "test.Say"));
        assertThat(compilation).hadErrorContaining(String.format(Messages.RESPONSE_BODY_WITHOUT_FILTER, "test.Say"));
        assertThat(compilation).hadErrorContaining(String.format(Messages.UNSUPPORTED_COMPONENT, "tags",
                "test.Say.Config", "java.util.Set<java.lang.String>"));
        assertThat(compilation).hadErrorContaining(String.format(Messages.UNSUPPORTED_COMPONENT, "other",
                "test.Say.Config", "java.lang.Object"));
    }
}

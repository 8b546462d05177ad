package io.github.a6sdk.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.github.a6sdk.processor.TestSupport.compiler;
import static io.github.a6sdk.processor.TestSupport.source;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.testing.compile.Compilation;
import io.github.a6sdk.api.ConfigException;
import io.github.a6sdk.api.spi.PluginDescriptor;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Where a config error is reported when the record's own validation rejects a value
 * ({@code InvalidConfigException}, a message that starts with a component's name,
 * {@code Objects.requireNonNull}), and what {@code @Required} does to the parser and the schema.
 */
class ConfigPathTest {

    static final String ROUTER = """
            package test;

            import io.github.a6sdk.api.*;
            import java.util.List;
            import java.util.Map;
            import java.util.Objects;

            @ApisixPlugin(name = "router")
            public final class Router implements RequestFilter<Router.Config> {
                public enum Mode { PREFIX, EXACT }

                public record Tenant(@Required String prefix, int weight) {
                    public Tenant {
                        if (!prefix.startsWith("/")) {
                            throw new InvalidConfigException("prefix", "the prefix must start with '/'");
                        }
                        if (weight < 0) {
                            throw new IllegalArgumentException("weight must not be negative, got " + weight);
                        }
                    }
                }

                public record Config(@Required String header, Map<String, String> prefixes, List<Tenant> tenants,
                        Mode mode, String note, String other) {
                    public Config {
                        Objects.requireNonNull(mode, "mode");
                        if (prefixes != null) {
                            prefixes.forEach((tenant, prefix) -> {
                                if (!prefix.startsWith("/")) {
                                    throw new InvalidConfigException("prefixes." + tenant, "the prefix must start with '/'");
                                }
                            });
                        }
                        if ("blank".equals(note)) {
                            throw new IllegalStateException("the note must say something");
                        }
                        if ("x".equals(note)) {
                            throw new IllegalArgumentException("otherwise invalid");
                        }
                    }
                }

                @Override
                public void filter(Config config, HttpRequest request, HttpResponse response) {}
            }
            """;

    private static PluginDescriptor<?> router;

    @BeforeAll
    static void compile() {
        Compilation compilation = TestSupport.compile(source("test.Router", ROUTER));
        assertThat(compilation).succeededWithoutWarnings();
        router = TestSupport.registry(compilation, "test.ApisixPlugins_Registry").find("router");
    }

    private static ConfigException fails(String json) {
        return assertThrows(ConfigException.class, () -> router.parseConfig(json));
    }

    private static void assertAt(String json, String path, String reason) {
        ConfigException e = fails(json);
        assertEquals(path, e.path(), e.getMessage());
        assertEquals("plugin \"router\": bad config at " + path + ": " + reason, e.getMessage());
    }

    @Test
    void anInvalidConfigExceptionNamesItsComponentAndAPathInsideIt() {
        assertAt("{\"header\":\"h\",\"mode\":\"EXACT\",\"prefixes\":{\"green\":\"/g\",\"blue\":\"b\"}}",
                "$.prefixes.blue", "the prefix must start with '/'");
    }

    @Test
    void aNestedRecordsComponentIsFoundUnderTheNestedRecordsPath() {
        assertAt("{\"header\":\"h\",\"mode\":\"EXACT\",\"tenants\":[{\"prefix\":\"/a\",\"weight\":1},{\"prefix\":\"b\",\"weight\":1}]}",
                "$.tenants[1].prefix", "the prefix must start with '/'");
        assertAt("{\"header\":\"h\",\"mode\":\"EXACT\",\"tenants\":[{\"prefix\":\"/a\",\"weight\":-2}]}",
                "$.tenants[0].weight", "weight must not be negative, got -2");
    }

    @Test
    void requireNonNullWithTheComponentsNameNamesIt() {
        assertAt("{\"header\":\"h\"}", "$.mode", "mode must not be null");
    }

    @Test
    void otherMessagesStayAtTheRecord() {
        assertAt("{\"header\":\"h\",\"mode\":\"EXACT\",\"note\":\"blank\"}", "$", "the note must say something");
        // "otherwise" starts with the component name "other", but goes on with a letter: not that component
        assertAt("{\"header\":\"h\",\"mode\":\"EXACT\",\"note\":\"x\"}", "$", "otherwise invalid");
    }

    @Test
    void aRequiredComponentMustBeGivenAndNotNull() throws Exception {
        assertAt("{\"mode\":\"EXACT\"}", "$.header", "missing required field \"header\" of type java.lang.String");
        assertAt("{\"header\":null,\"mode\":\"EXACT\"}", "$.header", "required field \"header\" must not be null");
        assertAt("{\"header\":\"h\",\"mode\":\"EXACT\",\"tenants\":[{\"weight\":1}]}", "$.tenants[0].prefix",
                "missing required field \"prefix\" of type java.lang.String");
        assertEquals("Config[header=h, prefixes=null, tenants=null, mode=EXACT, note=null, other=null]",
                router.parseConfig("{\"header\":\"h\",\"mode\":\"EXACT\"}").toString());
    }

    @Test
    void theSchemaListsRequiredComponentsWithoutNullAndTheEnumValues() {
        JsonObject schema = JsonParser.parseString(router.configSchema()).getAsJsonObject();
        assertEquals(JsonParser.parseString("[\"header\"]"), schema.get("required"));
        JsonObject properties = schema.getAsJsonObject("properties");
        assertEquals(JsonParser.parseString("{\"type\":\"string\"}"), properties.get("header"));
        assertEquals(JsonParser.parseString("{\"type\":[\"string\",\"null\"]}"), properties.get("note"));
        assertEquals(JsonParser.parseString("{\"enum\":[\"PREFIX\",\"EXACT\",null]}"), properties.get("mode"));
        JsonObject tenant = properties.getAsJsonObject("tenants").getAsJsonObject("items");
        assertEquals(JsonParser.parseString("[\"prefix\",\"weight\"]"), tenant.get("required"));
        assertEquals(JsonParser.parseString("{\"type\":\"string\"}"), tenant.getAsJsonObject("properties").get("prefix"));
    }

    @Test
    void requiredOnARouteStateComponentIsAnError() {
        JavaFileObject bad = source("test.Bad", """
                package test;

                import io.github.a6sdk.api.*;
                import java.util.concurrent.atomic.AtomicLong;

                @ApisixPlugin(name = "bad")
                public final class Bad implements RequestFilter<Bad.Config> {
                    public record Config(int limit, @Required @RouteState AtomicLong used) {
                        public Config {
                            used = new AtomicLong();
                        }
                    }

                    @Override
                    public void filter(Config config, HttpRequest request, HttpResponse response) {}
                }
                """);
        Compilation compilation = compiler().compile(bad);
        assertThat(compilation).failed();
        assertThat(compilation).hadErrorCount(1);
        assertThat(compilation).hadErrorContaining(String.format(Messages.REQUIRED_ROUTE_STATE, "used", "test.Bad.Config"))
                .inFile(bad).onLineContaining("@Required @RouteState");
    }
}

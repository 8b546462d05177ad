package io.github.a6sdk.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.github.a6sdk.processor.TestSupport.source;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.testing.compile.Compilation;
import io.github.a6sdk.api.ConfigException;
import io.github.a6sdk.api.spi.PluginDescriptor;
import io.github.a6sdk.api.spi.PluginRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs the generated parsers: every supported type, every error path, and the JSON Schema. */
class GeneratedParserTest {

    static final String ALL = """
            package test;

            import io.github.a6sdk.api.*;
            import java.util.List;
            import java.util.Map;

            @ApisixPlugin(name = "all")
            public final class All implements RequestFilter<All.Config> {
                public enum Mode { FAST, SAFE }

                public record Limit(String key, int rate) {
                    public Limit {
                        if (rate < 0) {
                            throw new IllegalArgumentException("rate must not be negative: " + rate);
                        }
                    }
                }

                public record Config(
                        String text,
                        boolean flag,
                        int count,
                        long big,
                        double ratio,
                        Boolean flagBox,
                        Integer countBox,
                        Long bigBox,
                        Double ratioBox,
                        Mode mode,
                        List<String> tags,
                        List<Limit> limits,
                        Map<String, String> headers,
                        Map<String, List<Integer>> groups,
                        List<Map<String, Mode>> nested,
                        Limit main) {}

                @Override
                public void filter(Config config, HttpRequest request, HttpResponse response) {}
            }
            """;

    static final String MINIMAL = "{\"flag\":false,\"count\":0,\"big\":0,\"ratio\":0}";

    private static Compilation compilation;
    private static PluginDescriptor<?> all;
    private static PluginDescriptor<?> say;

    @BeforeAll
    static void compile() {
        compilation = TestSupport.compile(source("test.All", ALL), ProcessorTest.SAY);
        assertThat(compilation).succeededWithoutWarnings();
        PluginRegistry registry = TestSupport.registry(compilation, "test.ApisixPlugins_Registry");
        all = registry.find("all");
        say = registry.find("say");
    }

    private static Object parse(String json) throws ConfigException {
        return all.parseConfig(json);
    }

    private static ConfigException fails(String json) {
        return assertThrows(ConfigException.class, () -> parse(json));
    }

    private static String with(String fields) {
        return MINIMAL.substring(0, MINIMAL.length() - 1) + "," + fields + "}";
    }

    @Test
    void everyType() throws Exception {
        Object config = parse("""
                {
                  "main": {"rate": 7, "key": "m"},
                  "text": "hi \\u00e9",
                  "flag": true,
                  "count": -2147483648,
                  "big": 9223372036854775807,
                  "ratio": 1.5e3,
                  "flagBox": false,
                  "countBox": 2147483647,
                  "bigBox": -1,
                  "ratioBox": 2,
                  "mode": "SAFE",
                  "tags": ["a", null, "c"],
                  "limits": [{"key": "x", "rate": 1}, {"key": "y", "rate": 2.0}],
                  "headers": {"z": "1", "a": "2", "m": null},
                  "groups": {"g": [1, 2, null], "h": []},
                  "nested": [{"k": "FAST"}, {}, null]
                }
                """);
        assertEquals("Config[text=hi \u00e9, flag=true, count=-2147483648, big=9223372036854775807, ratio=1500.0,"
                + " flagBox=false, countBox=2147483647, bigBox=-1, ratioBox=2.0, mode=SAFE, tags=[a, null, c],"
                + " limits=[Limit[key=x, rate=1], Limit[key=y, rate=2]], headers={z=1, a=2, m=null},"
                + " groups={g=[1, 2, null], h=[]}, nested=[{k=FAST}, {}, null], main=Limit[key=m, rate=7]]",
                config.toString());
    }

    @Test
    void missingAndNullObjectFieldsAreNull() throws Exception {
        assertEquals("Config[text=null, flag=false, count=0, big=0, ratio=0.0, flagBox=null, countBox=null,"
                + " bigBox=null, ratioBox=null, mode=null, tags=null, limits=null, headers=null, groups=null,"
                + " nested=null, main=null]", parse(MINIMAL).toString());
        assertEquals(parse(MINIMAL).toString(), parse(with("\"text\":null,\"flagBox\":null,\"countBox\":null,"
                + "\"bigBox\":null,\"ratioBox\":null,\"mode\":null,\"tags\":null,\"limits\":null,\"headers\":null,"
                + "\"groups\":null,\"nested\":null,\"main\":null")).toString());
    }

    @Test
    void collectionsAreUnmodifiableAndKeepOrder() throws Exception {
        Object config = parse(with("\"tags\":[\"b\",\"a\"],\"headers\":{\"z\":\"1\",\"a\":\"2\"}"));
        String text = config.toString();
        assertThat(text).contains("tags=[b, a]");
        assertThat(text).contains("headers={z=1, a=2}");
        // The list and map are the record's components; read them back through the record's accessors.
        List<?> tags = (List<?>) invoke(config, "tags");
        Map<?, ?> headers = (Map<?, ?>) invoke(config, "headers");
        assertThrows(UnsupportedOperationException.class, () -> tags.clear());
        assertThrows(UnsupportedOperationException.class, () -> headers.clear());
    }

    private static Object invoke(Object target, String accessor) throws Exception {
        return target.getClass().getMethod(accessor).invoke(target);
    }

    @Test
    void blankReadsAsEmptyObject() throws Exception {
        assertEquals("Config[body=null]", say.parseConfig("").toString());
        assertEquals("Config[body=null]", say.parseConfig("  \n ").toString());
        assertEquals("Config[body=null]", say.parseConfig(null).toString());
        assertEquals("Config[body=hello]", say.parseConfig("{\"body\":\"hello\"}").toString());
        ConfigException e = assertThrows(ConfigException.class, () -> all.parseConfig(""));
        assertEquals("$.flag", e.path());
    }

    private static void assertError(ConfigException e, String path, String reason) {
        assertEquals("all", e.plugin());
        assertEquals(path, e.path());
        assertThat(e).hasMessageThat().startsWith("plugin \"all\": bad config at " + path + ": ");
        assertThat(e).hasMessageThat().contains(reason);
    }

    @Test
    void unknownField() {
        assertError(fails(with("\"nope\":1")), "$.nope", "unknown field \"nope\"; expected one of: text, flag, count");
        assertError(fails(with("\"main\":{\"key\":\"k\",\"rate\":1,\"extra\":true}")), "$.main.extra",
                "unknown field \"extra\"; expected one of: key, rate");
    }

    @Test
    void duplicateField() {
        assertError(fails(with("\"text\":\"a\",\"text\":\"b\"")), "$.text", "duplicate field");
        assertError(fails(with("\"headers\":{\"a\":\"1\",\"a\":\"2\"}")), "$.headers.a", "duplicate field");
    }

    @Test
    void trailingContent() {
        assertError(fails(MINIMAL + " x"), "$", "");
        assertError(fails(MINIMAL + " {}"), "$", "");
    }

    @Test
    void missingPrimitive() {
        assertError(fails("{\"flag\":true,\"big\":0,\"ratio\":0}"), "$.count",
                "missing required field \"count\" of type int");
        assertError(fails(with("\"main\":{\"key\":\"k\"}")), "$.main.rate", "missing required field \"rate\"");
    }

    @Test
    void nullPrimitive() {
        assertError(fails("{\"flag\":true,\"count\":null,\"big\":0,\"ratio\":0}"), "$.count",
                "expected an integer but was null");
        assertError(fails("{\"flag\":null,\"count\":1,\"big\":0,\"ratio\":0}"), "$.flag",
                "expected a boolean but was null");
        assertError(fails("{\"flag\":true,\"count\":1,\"big\":0,\"ratio\":null}"), "$.ratio",
                "expected a number but was null");
    }

    @Test
    void wrongType() {
        assertError(fails(with("\"text\":5")), "$.text", "expected a string but was a number");
        assertError(fails("{\"flag\":\"true\",\"count\":1,\"big\":0,\"ratio\":0}"), "$.flag",
                "expected a boolean but was a string");
        assertError(fails("{\"flag\":true,\"count\":\"3\",\"big\":0,\"ratio\":0}"), "$.count",
                "expected an integer but was a string");
        assertError(fails(with("\"tags\":\"a\"")), "$.tags", "expected an array but was a string");
        assertError(fails(with("\"headers\":[]")), "$.headers", "expected an object but was an array");
        assertError(fails(with("\"main\":1")), "$.main", "expected an object but was a number");
        assertError(fails(with("\"limits\":[{\"key\":\"a\",\"rate\":1},{\"key\":\"b\",\"rate\":\"x\"}]")),
                "$.limits[1].rate", "expected an integer but was a string");
        assertError(fails(with("\"headers\":{\"x-api-key\":1}")), "$.headers.x-api-key",
                "expected a string but was a number");
        assertError(fails(with("\"groups\":{\"g\":[1,true]}")), "$.groups.g[1]", "expected an integer but was a boolean");
        assertError(fails("[]"), "$", "expected an object but was an array");
        assertError(fails("null"), "$", "expected an object but was null");
    }

    @Test
    void numberRanges() throws Exception {
        assertError(fails("{\"flag\":true,\"count\":2147483648,\"big\":0,\"ratio\":0}"), "$.count",
                "number 2147483648 is out of range for int");
        assertError(fails("{\"flag\":true,\"count\":-2147483649,\"big\":0,\"ratio\":0}"), "$.count",
                "out of range for int");
        assertError(fails("{\"flag\":true,\"count\":1.5,\"big\":0,\"ratio\":0}"), "$.count",
                "expected an integer but was 1.5");
        assertError(fails("{\"flag\":true,\"count\":1,\"big\":9223372036854775808,\"ratio\":0}"), "$.big",
                "out of range for long");
        assertError(fails("{\"flag\":true,\"count\":1,\"big\":1e400,\"ratio\":0}"), "$.big", "out of range for long");
        assertError(fails("{\"flag\":true,\"count\":1,\"big\":0,\"ratio\":1e400}"), "$.ratio",
                "out of range for double");
        assertError(fails(with("\"countBox\":2147483648")), "$.countBox", "out of range for int");
        assertThat(parse("{\"flag\":true,\"count\":1e2,\"big\":-9223372036854775808,\"ratio\":-0.5}").toString())
                .contains("count=100, big=-9223372036854775808, ratio=-0.5");
    }

    @Test
    void unknownEnumConstant() {
        assertError(fails(with("\"mode\":\"slow\"")), "$.mode", "unknown value \"slow\"; expected one of: FAST, SAFE");
        assertError(fails(with("\"nested\":[{\"a\":\"FAST\"},{\"b\":\"fast\"}]")), "$.nested[1].b",
                "expected one of: FAST, SAFE");
        assertError(fails(with("\"mode\":1")), "$.mode", "expected a string but was a number");
    }

    @Test
    void compactConstructorException() {
        ConfigException e = fails(with("\"limits\":[{\"key\":\"a\",\"rate\":1},{\"key\":\"b\",\"rate\":-3}]"));
        assertError(e, "$.limits[1].rate", "rate must not be negative: -3"); // the message starts with the component
        assertThat(e).hasCauseThat().isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void malformedJson() {
        ConfigException e = fails("{\"flag\": }");
        assertEquals("all", e.plugin());
        assertThat(e).hasMessageThat().contains("malformed JSON");
        assertThat(fails("{\"flag\": true").getMessage()).contains("malformed JSON: unexpected end of input");
        assertThat(fails("{flag: true}").getMessage()).contains("malformed JSON");
        assertThat(fails("{\"text\": 'single'}").getMessage()).contains("malformed JSON");
        assertThat(fails("{\"ratio\": NaN}").getMessage()).contains("malformed JSON");
    }

    @Test
    void schemaIsValidJson() {
        JsonObject schema = JsonParser.parseString(all.configSchema()).getAsJsonObject();
        assertEquals("https://json-schema.org/draft/2020-12/schema", schema.get("$schema").getAsString());
        assertEquals("all", schema.get("title").getAsString());
        assertEquals("object", schema.get("type").getAsString());
        assertThat(schema.get("additionalProperties").getAsBoolean()).isFalse();
        assertEquals(JsonParser.parseString("[\"flag\",\"count\",\"big\",\"ratio\"]"), schema.get("required"));

        JsonObject properties = schema.getAsJsonObject("properties");
        assertEquals(JsonParser.parseString("{\"type\":[\"string\",\"null\"]}"), properties.get("text"));
        assertEquals(JsonParser.parseString("{\"type\":\"boolean\"}"), properties.get("flag"));
        assertEquals(JsonParser.parseString("{\"type\":\"integer\",\"format\":\"int32\","
                + "\"minimum\":-2147483648,\"maximum\":2147483647}"), properties.get("count"));
        assertEquals(JsonParser.parseString("{\"type\":[\"integer\",\"null\"],\"format\":\"int64\","
                + "\"minimum\":-9223372036854775808,\"maximum\":9223372036854775807}"), properties.get("bigBox"));
        assertEquals(JsonParser.parseString("{\"type\":\"number\"}"), properties.get("ratio"));
        assertEquals(JsonParser.parseString("{\"enum\":[\"FAST\",\"SAFE\",null]}"), properties.get("mode"));
        assertEquals(JsonParser.parseString("{\"type\":[\"array\",\"null\"],\"items\":{\"type\":[\"string\",\"null\"]}}"),
                properties.get("tags"));
        assertEquals(JsonParser.parseString("{\"type\":[\"object\",\"null\"],"
                + "\"additionalProperties\":{\"type\":[\"string\",\"null\"]}}"), properties.get("headers"));
        JsonObject limitItems = properties.getAsJsonObject("limits").getAsJsonObject("items");
        assertEquals(JsonParser.parseString("[\"object\",\"null\"]"), limitItems.get("type"));
        assertEquals(JsonParser.parseString("[\"rate\"]"), limitItems.get("required"));
        assertThat(limitItems.get("additionalProperties").getAsBoolean()).isFalse();
        JsonArray keys = new JsonArray();
        limitItems.getAsJsonObject("properties").keySet().forEach(keys::add);
        assertEquals(JsonParser.parseString("[\"key\",\"rate\"]"), keys);
    }

    @Test
    void schemaOfSayNoConfigAndString() {
        assertEquals(JsonParser.parseString("{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
                + "\"title\":\"say\",\"type\":\"object\",\"properties\":{\"body\":{\"type\":[\"string\",\"null\"]}},"
                + "\"additionalProperties\":false}"), JsonParser.parseString(say.configSchema()));
        assertNull(JsonParser.parseString(say.configSchema()).getAsJsonObject().get("required"));
    }
}

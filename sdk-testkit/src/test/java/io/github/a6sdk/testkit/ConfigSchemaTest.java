package io.github.a6sdk.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.github.a6sdk.api.ConfigException;
import io.github.a6sdk.api.spi.PluginDescriptor;
import io.github.a6sdk.runtime.PluginCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The JSON Schema the processor writes for each config type, checked with an independent validator:
 * the schema is valid draft 2020-12, and it accepts exactly what the generated parser accepts.
 */
class ConfigSchemaTest {
    static final PluginCatalog CATALOG = PluginCatalog.load(ConfigSchemaTest.class.getClassLoader());
    static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    static JsonSchema schema(String plugin) {
        return FACTORY.getSchema(CATALOG.find(plugin).configSchema());
    }

    static boolean parses(String plugin, String json) {
        try {
            CATALOG.find(plugin).parseConfig(json);
            return true;
        } catch (ConfigException e) {
            return false;
        }
    }

    @Test
    void everySchemaIsValidDraft202012() {
        JsonSchema meta = FACTORY.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
        assertEquals(9, CATALOG.plugins().size(), CATALOG.names().toString());
        assertTrue(!meta.validate("{\"type\":12}", InputFormat.JSON).isEmpty(), "the meta-schema check must be able to fail");
        for (PluginDescriptor<?> d : CATALOG.plugins()) {
            Set<ValidationMessage> errors = meta.validate(d.configSchema(), InputFormat.JSON);
            assertTrue(errors.isEmpty(), d.name() + ": " + errors);
            assertTrue(d.configSchema().startsWith("{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
                    + "\"title\":\"" + d.name() + "\""), d.configSchema());
        }
    }

    static final String KITCHEN_OK = "{\"name\":\"n\",\"enabled\":true,\"flag\":null,\"count\":-3,\"maybeCount\":null,"
            + "\"big\":9223372036854775807,\"maybeBig\":5,\"ratio\":0.25,\"maybeRatio\":1e3,\"mode\":\"SAFE\","
            + "\"tags\":[\"a\",\"b\"],\"weights\":{\"x\":1,\"y\":2},\"limit\":{\"key\":\"k\",\"rate\":3,\"burst\":1.5},"
            + "\"limits\":[{\"rate\":1},{\"rate\":2,\"burst\":null}],\"modes\":{\"m\":[\"FAST\",\"SAFE\"]}}";
    static final String KITCHEN_MIN = "{\"enabled\":false,\"count\":0,\"big\":0,\"ratio\":0}";

    static Stream<Arguments> samples() {
        List<Arguments> out = new ArrayList<>();
        // plugin, sample, valid
        out.add(Arguments.of("kitchen", KITCHEN_OK, true));
        out.add(Arguments.of("kitchen", KITCHEN_MIN, true));
        out.add(Arguments.of("kitchen", KITCHEN_MIN.replace("false", "\"false\""), false));
        out.add(Arguments.of("kitchen", "{\"count\":0,\"big\":0,\"ratio\":0}", false));
        out.add(Arguments.of("kitchen", KITCHEN_MIN.replace("}", ",\"extra\":1}"), false));
        out.add(Arguments.of("kitchen", KITCHEN_MIN.replace("\"count\":0", "\"count\":2147483648"), false));
        out.add(Arguments.of("kitchen", KITCHEN_MIN.replace("\"count\":0", "\"count\":1.5"), false));
        out.add(Arguments.of("kitchen", KITCHEN_MIN.replace("\"count\":0", "\"count\":null"), false));
        out.add(Arguments.of("kitchen", KITCHEN_MIN.replace("\"big\":0", "\"big\":9223372036854775808"), false));
        out.add(Arguments.of("kitchen", KITCHEN_MIN.replace("\"ratio\":0", "\"ratio\":\"0\""), false));
        out.add(Arguments.of("kitchen", KITCHEN_MIN.replace("}", ",\"mode\":\"SLOW\"}"), false));
        out.add(Arguments.of("kitchen", KITCHEN_MIN.replace("}", ",\"tags\":[\"a\",1]}"), false));
        out.add(Arguments.of("kitchen", KITCHEN_MIN.replace("}", ",\"tags\":\"a\"}"), false));
        out.add(Arguments.of("kitchen", KITCHEN_MIN.replace("}", ",\"weights\":{\"x\":\"1\"}}"), false));
        out.add(Arguments.of("kitchen", KITCHEN_MIN.replace("}", ",\"limit\":{\"key\":\"k\"}}"), false));
        out.add(Arguments.of("kitchen", KITCHEN_MIN.replace("}", ",\"limit\":{\"rate\":1,\"other\":2}}"), false));
        out.add(Arguments.of("kitchen", KITCHEN_MIN.replace("}", ",\"limits\":[{\"rate\":\"x\"}]}"), false));
        out.add(Arguments.of("kitchen", KITCHEN_MIN.replace("}", ",\"modes\":{\"m\":[\"SLOW\"]}}"), false));
        out.add(Arguments.of("kitchen", "[]", false));
        out.add(Arguments.of("say", "{\"body\":\"hi\",\"status\":201}", true));
        out.add(Arguments.of("say", "{}", true));
        out.add(Arguments.of("say", "{\"body\":null}", true));
        out.add(Arguments.of("say", "{\"body\":1}", false));
        out.add(Arguments.of("say", "{\"status\":\"201\"}", false));
        out.add(Arguments.of("shout", "{\"status\":0}", true));
        out.add(Arguments.of("shout", "{\"status\":0,\"tag\":\"t\"}", true));
        out.add(Arguments.of("shout", "{\"tag\":\"t\"}", false));
        out.add(Arguments.of("rewrite", "{\"path\":\"/p\",\"setHeaders\":{\"a\":\"b\"},\"removeArgs\":[\"x\"]}", true));
        out.add(Arguments.of("rewrite", "{\"setHeaders\":[\"a\"]}", false));
        out.add(Arguments.of("rewrite", "{\"removeArgs\":{\"x\":1}}", false));
        out.add(Arguments.of("whoami", "{}", true));
        out.add(Arguments.of("whoami", "{\"a\":1}", false));
        out.add(Arguments.of("whoami", "[]", false));
        out.add(Arguments.of("boom", "{}", true));
        out.add(Arguments.of("raw", "{\"anything\":[1,2]}", true));
        out.add(Arguments.of("raw", "\"text\"", true));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} valid={2}")
    @MethodSource("samples")
    void schemaAndParserAgree(String plugin, String sample, boolean valid) {
        Set<ValidationMessage> errors = schema(plugin).validate(sample, InputFormat.JSON);
        assertEquals(valid, errors.isEmpty(), "schema of " + plugin + " on " + sample + ": " + errors);
        assertEquals(valid, parses(plugin, sample), "parser of " + plugin + " on " + sample);
    }

    @Test
    void recordValidationIsBeyondTheSchema() {
        // Constructor checks (rate >= 0, status 100..599) are code, not schema: the schema accepts, the parser rejects.
        String negative = KITCHEN_MIN.replace("}", ",\"limit\":{\"rate\":-1}}");
        assertTrue(schema("kitchen").validate(negative, InputFormat.JSON).isEmpty());
        ConfigException e = PluginChain.configError(CATALOG.find("kitchen"), negative);
        assertEquals("$.limit.rate", e.path()); // the message starts with the component: its path
        assertTrue(e.getMessage().endsWith("rate must not be negative"), e.getMessage());
    }
}

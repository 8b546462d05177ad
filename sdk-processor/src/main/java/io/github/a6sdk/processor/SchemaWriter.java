package io.github.a6sdk.processor;

import io.github.a6sdk.api.spi.JsonStrings;
import io.github.a6sdk.processor.ConfigModel.Component;
import io.github.a6sdk.processor.ConfigModel.RecordModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the JSON Schema (draft 2020-12) of a plugin's config as compact JSON text. Nested records
 * are inlined (cycles are rejected by the validator). Primitive and {@code @Required} components
 * are {@code required} and do not allow {@code null}; other components allow {@code null}. Enums
 * list their constants. {@code @RouteState} components are
 * omitted (the parser rejects them like any unknown field).
 */
final class SchemaWriter {

    static final String DRAFT = "https://json-schema.org/draft/2020-12/schema";

    private SchemaWriter() {}

    static String schema(PluginModel plugin) {
        ConfigModel config = plugin.config();
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("$schema", DRAFT);
        schema.put("title", plugin.name());
        switch (config.kind()) {
            case RAW:
                schema.put("description", "The raw config text, passed to the plugin unparsed.");
                break;
            case NONE:
                schema.put("description", "This plugin takes no config.");
                schema.put("type", "object");
                schema.put("additionalProperties", false);
                break;
            case RECORD:
                schema.putAll(record(config, config.root(), false));
                break;
            default:
                throw new AssertionError(config.kind());
        }
        StringBuilder out = new StringBuilder();
        write(out, schema);
        return out.toString();
    }

    private static Map<String, Object> record(ConfigModel config, RecordModel record, boolean nullable) {
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", type("object", nullable));
        Map<String, Object> properties = new LinkedHashMap<>();
        List<Object> required = new ArrayList<>();
        for (Component component : record.components()) {
            if (component.routeState()) {
                continue; // never read from JSON, so not part of the config's shape
            }
            properties.put(component.name(), type(config, component.type(), !component.mustBeGiven()));
            if (component.mustBeGiven()) {
                required.add(component.name());
            }
        }
        schema.put("properties", properties);
        if (!required.isEmpty()) {
            schema.put("required", required);
        }
        schema.put("additionalProperties", false);
        return schema;
    }

    private static Map<String, Object> type(ConfigModel config, TypeRef type, boolean nullable) {
        Map<String, Object> schema = new LinkedHashMap<>();
        if (type instanceof TypeRef.Scalar scalar) {
            switch (scalar.kind()) {
                case STRING:
                    schema.put("type", type("string", nullable));
                    break;
                case BOOLEAN:
                    schema.put("type", type("boolean", nullable));
                    break;
                case INT:
                    schema.put("type", type("integer", nullable));
                    schema.put("format", "int32");
                    schema.put("minimum", Integer.MIN_VALUE);
                    schema.put("maximum", Integer.MAX_VALUE);
                    break;
                case LONG:
                    schema.put("type", type("integer", nullable));
                    schema.put("format", "int64");
                    schema.put("minimum", Long.MIN_VALUE);
                    schema.put("maximum", Long.MAX_VALUE);
                    break;
                case DOUBLE:
                    schema.put("type", type("number", nullable));
                    break;
                default:
                    throw new AssertionError(scalar.kind());
            }
        } else if (type instanceof TypeRef.EnumRef enumRef) {
            List<Object> values = new ArrayList<>(enumRef.constants());
            if (nullable) {
                values.add(null);
            }
            schema.put("enum", values);
        } else if (type instanceof TypeRef.ListRef list) {
            schema.put("type", type("array", nullable));
            schema.put("items", type(config, list.element(), true));
        } else if (type instanceof TypeRef.MapRef map) {
            schema.put("type", type("object", nullable));
            schema.put("additionalProperties", type(config, map.value(), true));
        } else if (type instanceof TypeRef.RecordRef recordRef) {
            schema.putAll(record(config, config.records().get(recordRef.type()), nullable));
        } else {
            throw new AssertionError(type);
        }
        return schema;
    }

    private static Object type(String name, boolean nullable) {
        return nullable ? List.of(name, "null") : name;
    }

    private static void write(StringBuilder out, Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String s) {
            string(out, s);
        } else if (value instanceof Number || value instanceof Boolean) {
            out.append(value);
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                string(out, (String) entry.getKey());
                out.append(':');
                write(out, entry.getValue());
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(out, list.get(i));
            }
            out.append(']');
        } else {
            throw new AssertionError(value);
        }
    }

    private static void string(StringBuilder out, String s) {
        out.append(JsonStrings.quote(s));
    }
}

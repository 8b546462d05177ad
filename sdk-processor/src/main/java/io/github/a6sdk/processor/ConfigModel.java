package io.github.a6sdk.processor;

import com.squareup.javapoet.ClassName;
import java.util.List;
import java.util.Map;

/**
 * A plugin's validated config type.
 *
 * @param kind how the config is read
 * @param type the config type
 * @param records for {@link Kind#RECORD}, the config record first, then every record it reaches,
 *     in the order they were found; empty otherwise
 */
record ConfigModel(Kind kind, ClassName type, Map<ClassName, RecordModel> records) {

    enum Kind {
        /** A record, read field by field. */
        RECORD,
        /** {@code NoConfig}: blank or {@code {}} only. */
        NONE,
        /** {@code String}: the raw text, unparsed. */
        RAW
    }

    /** The top-level record ({@link Kind#RECORD} only). */
    RecordModel root() {
        return records.get(type);
    }

    /** A record with its components in canonical-constructor order. */
    record RecordModel(ClassName type, List<Component> components) {}

    /**
     * One record component.
     *
     * @param required whether it is marked {@code @Required}: the JSON must give it, not as {@code null}
     */
    record Component(String name, TypeRef type, boolean required) {
        Component(String name, TypeRef type) {
            this(name, type, false);
        }

        /** Whether the JSON must give it: a primitive, or marked {@code @Required}. */
        boolean mustBeGiven() {
            return required || type.primitive();
        }

        /** Whether it is a {@code @RouteState} component: not read from JSON, not in the schema. */
        boolean routeState() {
            return type instanceof TypeRef.RouteStateRef;
        }
    }
}

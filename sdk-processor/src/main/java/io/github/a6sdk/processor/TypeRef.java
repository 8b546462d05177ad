package io.github.a6sdk.processor;

import com.squareup.javapoet.ClassName;
import com.squareup.javapoet.ParameterizedTypeName;
import com.squareup.javapoet.TypeName;
import java.util.List;

/**
 * A validated config component type. Holds names only (no {@code Element}s or {@code TypeMirror}s),
 * so models stay valid across rounds.
 */
sealed interface TypeRef {

    ClassName LIST = ClassName.get(List.class);
    ClassName MAP = ClassName.get(java.util.Map.class);
    ClassName STRING = ClassName.get(String.class);

    /** The Java type, as written in generated code. */
    TypeName typeName();

    /** A name fragment for generated method names: {@code String}, {@code LimitList}. */
    String baseName();

    /** Whether the value is a primitive, so that it is required and cannot be null. */
    default boolean primitive() {
        return false;
    }

    /** String, boolean, int, long, double, or their boxes. */
    record Scalar(ScalarKind kind, boolean primitive) implements TypeRef {
        @Override
        public TypeName typeName() {
            return primitive ? kind.primitiveType : kind.boxedType;
        }

        @Override
        public String baseName() {
            return kind.boxedType.simpleName();
        }
    }

    /** An enum, with its constant names in declaration order. */
    record EnumRef(ClassName type, List<String> constants) implements TypeRef {
        @Override
        public TypeName typeName() {
            return type;
        }

        @Override
        public String baseName() {
            return type.simpleName();
        }
    }

    /** {@code List<X>}. */
    record ListRef(TypeRef element) implements TypeRef {
        @Override
        public TypeName typeName() {
            return ParameterizedTypeName.get(LIST, element.typeName());
        }

        @Override
        public String baseName() {
            return element.baseName() + "List";
        }
    }

    /** {@code Map<String, X>}. */
    record MapRef(TypeRef value) implements TypeRef {
        @Override
        public TypeName typeName() {
            return ParameterizedTypeName.get(MAP, STRING, value.typeName());
        }

        @Override
        public String baseName() {
            return value.baseName() + "Map";
        }
    }

    /**
     * A {@code @RouteState} component: any type, never read from JSON; the parser passes
     * {@code null} (or zero/false) and the record's constructor creates the value. Only ever the
     * top-level type of a component.
     *
     * @param typeName the component's type, as written in generated code
     * @param primitive whether it is a primitive type
     * @param raw whether it uses a raw type somewhere (the generated local then suppresses 'rawtypes')
     */
    record RouteStateRef(TypeName typeName, boolean primitive, boolean raw) implements TypeRef {
        @Override
        public String baseName() {
            throw new UnsupportedOperationException("route state is never read: " + typeName);
        }
    }

    /** A nested record; its components are in {@link ConfigModel#records()}. */
    record RecordRef(ClassName type) implements TypeRef {
        @Override
        public TypeName typeName() {
            return type;
        }

        @Override
        public String baseName() {
            return type.simpleName();
        }
    }

    enum ScalarKind {
        STRING(ClassName.get(String.class), ClassName.get(String.class)),
        BOOLEAN(TypeName.BOOLEAN, ClassName.get(Boolean.class)),
        INT(TypeName.INT, ClassName.get(Integer.class)),
        LONG(TypeName.LONG, ClassName.get(Long.class)),
        DOUBLE(TypeName.DOUBLE, ClassName.get(Double.class));

        final TypeName primitiveType;
        final ClassName boxedType;

        ScalarKind(TypeName primitiveType, ClassName boxedType) {
            this.primitiveType = primitiveType;
            this.boxedType = boxedType;
        }
    }
}

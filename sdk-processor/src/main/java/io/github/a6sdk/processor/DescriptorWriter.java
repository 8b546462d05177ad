package io.github.a6sdk.processor;

import com.squareup.javapoet.AnnotationSpec;
import com.squareup.javapoet.ClassName;
import com.squareup.javapoet.CodeBlock;
import com.squareup.javapoet.FieldSpec;
import com.squareup.javapoet.JavaFile;
import com.squareup.javapoet.MethodSpec;
import com.squareup.javapoet.NameAllocator;
import com.squareup.javapoet.ParameterizedTypeName;
import com.squareup.javapoet.TypeName;
import com.squareup.javapoet.TypeSpec;
import io.github.a6sdk.processor.ConfigModel.Component;
import io.github.a6sdk.processor.ConfigModel.RecordModel;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.annotation.processing.Filer;
import javax.lang.model.element.Element;
import javax.lang.model.element.Modifier;

/**
 * Writes {@code <Plugin>_Descriptor} for a validated {@link PluginModel}: the plugin instance, its
 * declarations, its lifecycle calls (start hook and close, plain calls on the instance, only when
 * the plugin has them), its JSON Schema and a streaming config parser with one method per record,
 * enum, list and map type. Does no validation.
 *
 * <p>Collections policy: a JSON array becomes {@code Collections.unmodifiableList(new ArrayList<>(..))}
 * and an object becomes an unmodifiable {@code LinkedHashMap} view (insertion order kept); both
 * allow {@code null} elements and values, like every other object-typed value, and a repeated map
 * key is an error.
 *
 * <p>{@code @RouteState} components are not read: the record reader passes {@code null} (or
 * 0/false) for them to the canonical constructor, has no {@code case} for their names (so such a
 * JSON field is an unknown field) and leaves them out of the expected names.
 */
final class DescriptorWriter {

    static final ClassName DESCRIPTOR = ClassName.get("io.github.a6sdk.api.spi", "PluginDescriptor");
    static final ClassName GENERATED = ClassName.get("io.github.a6sdk.api.spi", "ApisixGenerated");
    static final ClassName CONFIG_READERS = ClassName.get("io.github.a6sdk.api.spi", "ConfigReaders");
    static final ClassName CONFIG_EXCEPTION = ClassName.get("io.github.a6sdk.api", "ConfigException");
    static final ClassName PLUGIN_CONTEXT = ClassName.get("io.github.a6sdk.api", "PluginContext");
    static final ClassName REQUEST_FILTER = ClassName.get("io.github.a6sdk.api", "RequestFilter");
    static final ClassName RESPONSE_FILTER = ClassName.get("io.github.a6sdk.api", "ResponseFilter");
    static final ClassName JSON_READER = ClassName.get("com.google.gson.stream", "JsonReader");
    static final ClassName JSON_TOKEN = ClassName.get("com.google.gson.stream", "JsonToken");
    static final ClassName LIST = ClassName.get(List.class);
    static final ClassName STRING = ClassName.get(String.class);

    /** Names that generated method bodies use unqualified, so locals must never shadow them. */
    private static final List<String> RESERVED = List.of("NAME", "ConfigReaders", "JsonToken", "Collections");

    private final PluginModel plugin;
    private final ConfigModel config;
    private final NameAllocator methodNames = new NameAllocator();
    private final Map<TypeRef, String> readers = new LinkedHashMap<>();
    private final Deque<TypeRef> pending = new ArrayDeque<>();

    private DescriptorWriter(PluginModel plugin) {
        this.plugin = plugin;
        this.config = plugin.config();
    }

    static void write(PluginModel plugin, Element originatingElement, Filer filer) throws IOException {
        new DescriptorWriter(plugin).javaFile(originatingElement).writeTo(filer);
    }

    /** The generated file, for tests and for {@link #write}. */
    static JavaFile javaFile(PluginModel plugin, Element originatingElement) {
        return new DescriptorWriter(plugin).javaFile(originatingElement);
    }

    private JavaFile javaFile(Element originatingElement) {
        ClassName configType = config.type();
        TypeSpec.Builder type = TypeSpec.classBuilder(plugin.descriptorClass())
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addSuperinterface(ParameterizedTypeName.get(DESCRIPTOR, configType))
                .addAnnotation(AnnotationSpec.builder(GENERATED)
                        .addMember("value", "$S", ApisixPluginProcessor.class.getCanonicalName())
                        .addMember("from", "$S", plugin.qualifiedName())
                        .build())
                .addField(FieldSpec.builder(STRING, "NAME", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                        .initializer("$S", plugin.name())
                        .build())
                .addField(FieldSpec.builder(ParameterizedTypeName.get(LIST, STRING), "PREFETCH_VARS",
                                Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                        .initializer("$T.of($L)", LIST, plugin.vars().stream()
                                .map(v -> CodeBlock.of("$S", v))
                                .collect(CodeBlock.joining(", ")))
                        .build())
                .addField(FieldSpec.builder(STRING, "CONFIG_SCHEMA", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                        .initializer("$S", SchemaWriter.schema(plugin))
                        .build())
                .addField(FieldSpec.builder(plugin.pluginClass(), "plugin", Modifier.PRIVATE, Modifier.FINAL)
                        .initializer("new $T()", plugin.pluginClass())
                        .build())
                .addMethod(getter("name", STRING, CodeBlock.of("NAME")))
                .addMethod(getter("className", STRING, CodeBlock.of("$S", plugin.qualifiedName())))
                .addMethod(getter("configType", STRING, CodeBlock.of("$S", configType.canonicalName())))
                .addMethod(getter("prefetchVars", ParameterizedTypeName.get(LIST, STRING), CodeBlock.of("PREFETCH_VARS")))
                .addMethod(getter("prefetchRequestBody", TypeName.BOOLEAN, CodeBlock.of("$L", plugin.requestBody())))
                .addMethod(getter("prefetchResponseBody", TypeName.BOOLEAN, CodeBlock.of("$L", plugin.responseBody())))
                .addMethods(plugin.blocking() ? List.of()
                        : List.of(getter("blocking", TypeName.BOOLEAN, CodeBlock.of("false"))))
                .addMethod(getter("requestFilter", ParameterizedTypeName.get(REQUEST_FILTER, configType),
                        CodeBlock.of(plugin.requestFilter() ? "plugin" : "null")))
                .addMethod(getter("responseFilter", ParameterizedTypeName.get(RESPONSE_FILTER, configType),
                        CodeBlock.of(plugin.responseFilter() ? "plugin" : "null")))
                .addMethod(parseConfig())
                .addMethod(getter("configSchema", STRING, CodeBlock.of("CONFIG_SCHEMA")))
                .addOriginatingElement(originatingElement);
        if (plugin.startHook()) {
            type.addMethod(getter("hasStartHook", TypeName.BOOLEAN, CodeBlock.of("true")))
                    .addMethod(MethodSpec.methodBuilder("startPlugin")
                            .addAnnotation(Override.class)
                            .addModifiers(Modifier.PUBLIC)
                            .addParameter(PLUGIN_CONTEXT, "context")
                            .addException(Exception.class)
                            .addStatement("plugin.start(context)")
                            .build());
        }
        if (plugin.requestState()) {
            type.addMethod(getter("requestState", TypeName.BOOLEAN, CodeBlock.of("true")));
        }
        if (plugin.closeable()) {
            type.addMethod(getter("isCloseable", TypeName.BOOLEAN, CodeBlock.of("true")))
                    .addMethod(MethodSpec.methodBuilder("closePlugin")
                            .addAnnotation(Override.class)
                            .addModifiers(Modifier.PUBLIC)
                            .addException(Exception.class)
                            .addStatement("plugin.close()")
                            .build());
        }
        for (MethodSpec reader : readerMethods()) {
            type.addMethod(reader);
        }
        return JavaFile.builder(plugin.pluginClass().packageName(), type.build())
                .addFileComment("Generated by sdk-processor from $L. Do not edit.",
                        String.join(".", plugin.pluginClass().simpleNames()))
                .skipJavaLangImports(true)
                .build();
    }

    private static MethodSpec getter(String name, TypeName type, CodeBlock value) {
        return MethodSpec.methodBuilder(name)
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .returns(type)
                .addStatement("return $L", value)
                .build();
    }

    private MethodSpec parseConfig() {
        MethodSpec.Builder method = MethodSpec.methodBuilder("parseConfig")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .returns(config.type())
                .addParameter(STRING, "json");
        switch (config.kind()) {
            case RAW:
                return method.addStatement("return json").build();
            case NONE:
                return method.addException(CONFIG_EXCEPTION)
                        .addStatement("return $T.readNoConfig(NAME, json)", CONFIG_READERS)
                        .build();
            case RECORD:
                break;
            default:
                throw new AssertionError(config.kind());
        }
        String readRoot = readerName(new TypeRef.RecordRef(config.type()));
        return method.addException(CONFIG_EXCEPTION)
                .addStatement("$T reader = $T.newReader(json)", JSON_READER, CONFIG_READERS)
                .beginControlFlow("try")
                .addStatement("$T.expect(reader, $T.BEGIN_OBJECT, NAME, $S)", CONFIG_READERS, JSON_TOKEN, "$")
                .addStatement("$T config = $N(reader, $S)", config.type(), readRoot, "$")
                .addStatement("$T.endDocument(reader, NAME)", CONFIG_READERS)
                .addStatement("return config")
                .nextControlFlow("catch ($T | $T e)", IOException.class, IllegalStateException.class)
                .addStatement("throw $T.malformed(NAME, reader, e)", CONFIG_READERS)
                .endControlFlow()
                .build();
    }

    /** The name of the method that reads {@code type}, queuing it for generation on first use. */
    private String readerName(TypeRef type) {
        String name = readers.get(type);
        if (name == null) {
            name = methodNames.newName("read" + type.baseName(), type);
            readers.put(type, name);
            pending.add(type);
        }
        return name;
    }

    private List<MethodSpec> readerMethods() {
        List<MethodSpec> methods = new ArrayList<>();
        while (!pending.isEmpty()) {
            TypeRef type = pending.poll();
            String name = readers.get(type);
            if (type instanceof TypeRef.RecordRef record) {
                methods.add(recordReader(name, config.records().get(record.type())));
            } else if (type instanceof TypeRef.EnumRef enumRef) {
                methods.add(enumReader(name, enumRef));
            } else if (type instanceof TypeRef.ListRef list) {
                methods.add(listReader(name, list));
            } else if (type instanceof TypeRef.MapRef map) {
                methods.add(mapReader(name, map));
            } else {
                throw new AssertionError(type);
            }
        }
        return methods;
    }

    /** An expression that reads one value of {@code type} from {@code reader} at {@code path}. */
    private CodeBlock read(TypeRef type, String reader, CodeBlock path) {
        if (type instanceof TypeRef.Scalar scalar) {
            String method;
            switch (scalar.kind()) {
                case STRING:
                    method = "readString";
                    break;
                case BOOLEAN:
                    method = "readBoolean";
                    break;
                case INT:
                    method = "readInt";
                    break;
                case LONG:
                    method = "readLong";
                    break;
                case DOUBLE:
                    method = "readDouble";
                    break;
                default:
                    throw new AssertionError(scalar.kind());
            }
            if (!scalar.primitive() && scalar.kind() != TypeRef.ScalarKind.STRING) {
                method += "OrNull";
            }
            return CodeBlock.of("$T.$N($N, NAME, $L)", CONFIG_READERS, method, reader, path);
        }
        return CodeBlock.of("$N($N, $L)", readerName(type), reader, path);
    }

    private MethodSpec.Builder readerMethod(String name, TypeName returns, NameAllocator locals) {
        return MethodSpec.methodBuilder(name)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(returns)
                .addParameter(JSON_READER, locals.get("reader"))
                .addParameter(STRING, locals.get("path"))
                .addException(IOException.class)
                .addException(CONFIG_EXCEPTION);
    }

    private static NameAllocator locals(List<String> userNames, String... ownNames) {
        NameAllocator locals = new NameAllocator();
        for (String reserved : RESERVED) {
            locals.newName(reserved, "reserved:" + reserved);
        }
        for (String userName : userNames) {
            locals.newName(userName, "component:" + userName);
        }
        for (String ownName : ownNames) {
            locals.newName(ownName, ownName);
        }
        return locals;
    }

    private MethodSpec recordReader(String name, RecordModel record) {
        List<Component> components = record.components();
        NameAllocator locals = locals(components.stream().map(Component::name).collect(Collectors.toList()),
                "reader", "path", "field", "fieldPath", "e");
        // @RouteState components are never read: they get a local (null, 0 or false) for the
        // constructor call, but no 'has' flag, no case (their name is an unknown field) and no
        // place in the list of expected fields.
        List<Component> read = components.stream().filter(c -> !c.routeState()).collect(Collectors.toList());
        for (Component component : read) {
            locals.newName("has" + Character.toUpperCase(component.name().charAt(0)) + component.name().substring(1),
                    "has:" + component.name());
        }
        String reader = locals.get("reader");
        String path = locals.get("path");
        String field = locals.get("field");
        String fieldPath = locals.get("fieldPath");

        MethodSpec.Builder method = readerMethod(name, record.type(), locals)
                .beginControlFlow("if ($T.nextNull($N))", CONFIG_READERS, reader)
                .addStatement("return null")
                .endControlFlow();
        for (Component component : components) {
            TypeName type = component.type().typeName();
            String local = locals.get("component:" + component.name());
            if (component.type() instanceof TypeRef.RouteStateRef routeState) {
                CodeBlock declaration = CodeBlock.of("$T $N = $L", type, local, initialValue(routeState));
                if (routeState.raw()) {
                    declaration = CodeBlock.of("@$T($S) $L", SuppressWarnings.class, "rawtypes", declaration);
                }
                method.addStatement("$L", declaration);
            } else {
                method.addStatement("$T $N = $L", type, local, initialValue(component.type()));
                method.addStatement("boolean $N = false", locals.get("has:" + component.name()));
            }
        }
        method.addStatement("$T.beginObject($N, NAME, $N)", CONFIG_READERS, reader, path)
                .beginControlFlow("while ($N.hasNext())", reader)
                .addStatement("$T $N = $N.nextName()", STRING, field, reader)
                .addStatement("$T $N = $T.field($N, $N)", STRING, fieldPath, CONFIG_READERS, path, field)
                .beginControlFlow("switch ($N)", field);
        for (Component component : read) {
            String has = locals.get("has:" + component.name());
            method.addCode("case $S:\n", component.name())
                    .addCode("$>")
                    .beginControlFlow("if ($N)", has)
                    .addStatement("throw $T.duplicateField(NAME, $N)", CONFIG_READERS, fieldPath)
                    .endControlFlow()
                    .addStatement("$N = true", has)
                    .addStatement("$N = $L", locals.get("component:" + component.name()),
                            read(component.type(), reader, CodeBlock.of("$N", fieldPath)));
            if (component.required() && !component.type().primitive()) {
                method.beginControlFlow("if ($N == null)", locals.get("component:" + component.name()))
                        .addStatement("throw $T.requiredNull(NAME, $N, $S)", CONFIG_READERS, fieldPath, component.name())
                        .endControlFlow();
            }
            method.addStatement("break")
                    .addCode("$<");
        }
        String expected = read.stream().map(Component::name).collect(Collectors.joining(", "));
        method.addCode("default:\n$>")
                .addStatement("throw $T.unknownField(NAME, $N, $N, $S)", CONFIG_READERS, fieldPath, field, expected)
                .addCode("$<")
                .endControlFlow()
                .endControlFlow()
                .addStatement("$N.endObject()", reader);
        for (Component component : read) {
            if (component.mustBeGiven()) {
                method.beginControlFlow("if (!$N)", locals.get("has:" + component.name()))
                        .addStatement("throw $T.missingField(NAME, $N, $S, $S)", CONFIG_READERS, path,
                                component.name(), component.type().typeName().toString())
                        .endControlFlow();
            }
        }
        CodeBlock arguments = components.stream()
                .map(c -> CodeBlock.of("$N", locals.get("component:" + c.name())))
                .collect(CodeBlock.joining(", "));
        String e = locals.get("e");
        return method.beginControlFlow("try")
                .addStatement("return new $T($L)", record.type(), arguments)
                .nextControlFlow("catch ($T $N)", RuntimeException.class, e)
                .addStatement("throw $T.invalid(NAME, $N, $N$L)", CONFIG_READERS, path, e, read.stream()
                        .map(c -> CodeBlock.of(", $S", c.name()))
                        .collect(CodeBlock.joining("")))
                .endControlFlow()
                .build();
    }

    private static CodeBlock initialValue(TypeRef type) {
        if (!type.primitive()) {
            return CodeBlock.of("null");
        }
        return CodeBlock.of(type.typeName().equals(TypeName.BOOLEAN) ? "false" : "0");
    }

    private MethodSpec enumReader(String name, TypeRef.EnumRef type) {
        MethodSpec.Builder method = readerMethod(name, type.type(), locals(List.of(), "reader", "path", "value"))
                .addStatement("$T value = $T.readString(reader, NAME, path)", STRING, CONFIG_READERS)
                .beginControlFlow("if (value == null)")
                .addStatement("return null")
                .endControlFlow()
                .beginControlFlow("switch (value)");
        for (String constant : type.constants()) {
            method.addCode("case $S:\n$>", constant)
                    .addStatement("return $T.$N", type.type(), constant)
                    .addCode("$<");
        }
        return method.addCode("default:\n$>")
                .addStatement("throw $T.unknownConstant(NAME, path, value, $S)", CONFIG_READERS,
                        String.join(", ", type.constants()))
                .addCode("$<")
                .endControlFlow()
                .build();
    }

    private MethodSpec listReader(String name, TypeRef.ListRef type) {
        return readerMethod(name, type.typeName(), locals(List.of(), "reader", "path"))
                .beginControlFlow("if ($T.nextNull(reader))", CONFIG_READERS)
                .addStatement("return null")
                .endControlFlow()
                .addStatement("$T.beginArray(reader, NAME, path)", CONFIG_READERS)
                .addStatement("$T list = new $T<>()", type.typeName(), ArrayList.class)
                .beginControlFlow("while (reader.hasNext())")
                .addStatement("list.add($L)", read(type.element(), "reader",
                        CodeBlock.of("$T.index(path, list.size())", CONFIG_READERS)))
                .endControlFlow()
                .addStatement("reader.endArray()")
                .addStatement("return $T.unmodifiableList(list)", Collections.class)
                .build();
    }

    private MethodSpec mapReader(String name, TypeRef.MapRef type) {
        return readerMethod(name, type.typeName(), locals(List.of(), "reader", "path"))
                .beginControlFlow("if ($T.nextNull(reader))", CONFIG_READERS)
                .addStatement("return null")
                .endControlFlow()
                .addStatement("$T.beginObject(reader, NAME, path)", CONFIG_READERS)
                .addStatement("$T map = new $T<>()", type.typeName(), LinkedHashMap.class)
                .beginControlFlow("while (reader.hasNext())")
                .addStatement("$T key = reader.nextName()", STRING)
                .addStatement("$T keyPath = $T.field(path, key)", STRING, CONFIG_READERS)
                .beginControlFlow("if (map.containsKey(key))")
                .addStatement("throw $T.duplicateField(NAME, keyPath)", CONFIG_READERS)
                .endControlFlow()
                .addStatement("map.put(key, $L)", read(type.value(), "reader", CodeBlock.of("keyPath")))
                .endControlFlow()
                .addStatement("reader.endObject()")
                .addStatement("return $T.unmodifiableMap(map)", Collections.class)
                .build();
    }
}

package io.github.a6sdk.processor;

import com.squareup.javapoet.ClassName;
import com.squareup.javapoet.TypeName;
import io.github.a6sdk.processor.ConfigModel.Component;
import io.github.a6sdk.processor.ConfigModel.RecordModel;
import io.github.a6sdk.processor.TypeRef.ScalarKind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.RecordComponentElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.type.WildcardType;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * Checks one {@code @ApisixPlugin} class and, when it is clean, describes it as a {@link PluginModel}.
 * Every fault of the class is reported (on the most specific element available) before giving up.
 * Writes no code.
 */
final class PluginValidator {

    static final String ANNOTATION = "io.github.a6sdk.api.ApisixPlugin";
    static final String REQUEST_FILTER = "io.github.a6sdk.api.RequestFilter";
    static final String RESPONSE_FILTER = "io.github.a6sdk.api.ResponseFilter";
    static final String NO_CONFIG = "io.github.a6sdk.api.NoConfig";
    static final String ROUTE_STATE = "io.github.a6sdk.api.RouteState";
    static final String REQUIRED = "io.github.a6sdk.api.Required";
    static final String STARTABLE = "io.github.a6sdk.api.Startable";
    static final String PLUGIN_CONTEXT = "io.github.a6sdk.api.PluginContext";

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9._-]{0,127}");
    private static final Pattern VAR = Pattern.compile("[A-Za-z0-9_]+");

    private final Elements elements;
    private final Types types;
    private final Diagnostics diagnostics;
    /** Whether the class being validated refers to a type that does not exist (yet). */
    private boolean incomplete;

    /**
     * The outcome of validating one class.
     *
     * @param model the model, or {@code null} when the class is invalid or incomplete
     * @param incomplete whether the class refers to a type that does not exist yet (perhaps one that
     *     another processor generates in a later round); such a class is validated again later, and
     *     javac itself reports a type that never appears
     */
    record Result(PluginModel model, boolean incomplete) {}

    PluginValidator(Elements elements, Types types, Diagnostics diagnostics) {
        this.elements = elements;
        this.types = types;
        this.diagnostics = diagnostics;
    }

    /** Validates {@code type}, reporting every fault. */
    Result validate(TypeElement type) {
        incomplete = false;
        Optional<PluginModel> model = check(type);
        return new Result(incomplete ? null : model.orElse(null), incomplete);
    }

    private Optional<PluginModel> check(TypeElement type) {
        int errorsBefore = diagnostics.errorCount();
        AnnotationMirror annotation = findAnnotation(type);
        String className = type.getQualifiedName().toString();

        if (type.getKind() != ElementKind.CLASS) {
            diagnostics.error(type, annotation, null, String.format(Messages.NOT_A_CLASS, kindName(type)));
            return Optional.empty();
        }

        AnnotationValue nameValue = value(annotation, "name");
        String name = nameValue == null ? "" : String.valueOf(nameValue.getValue());
        if (!NAME.matcher(name).matches()) {
            diagnostics.error(type, annotation, nameValue, String.format(Messages.NAME_INVALID, name));
        }
        List<String> vars = validateVars(type, annotation);

        if (!isPublicChain(type)) {
            diagnostics.error(type, String.format(Messages.NOT_PUBLIC, className));
        }
        if (type.getModifiers().contains(Modifier.ABSTRACT)) {
            diagnostics.error(type, String.format(Messages.ABSTRACT, className));
        }
        if (type.getNestingKind() == NestingKind.MEMBER && !type.getModifiers().contains(Modifier.STATIC)) {
            diagnostics.error(type, String.format(Messages.INNER_CLASS, className));
        }
        if (!type.getTypeParameters().isEmpty()) {
            diagnostics.error(type, String.format(Messages.GENERIC_PLUGIN, className));
        }
        if (!hasPublicNoArgConstructor(type)) {
            diagnostics.error(type, String.format(Messages.NO_CONSTRUCTOR, className));
        }

        FilterType request = findFilter(type, REQUEST_FILTER);
        FilterType response = findFilter(type, RESPONSE_FILTER);
        if (request == null && response == null) {
            diagnostics.error(type, String.format(Messages.NO_FILTER, className));
        }
        TypeMirror requestConfig = checkFilterArgument(type, request);
        TypeMirror responseConfig = checkFilterArgument(type, response);
        TypeMirror config = requestConfig != null ? requestConfig : responseConfig;
        if (requestConfig != null && responseConfig != null && !types.isSameType(requestConfig, responseConfig)) {
            diagnostics.error(type, String.format(Messages.CONFIG_MISMATCH, className, requestConfig, responseConfig));
            config = null;
        }

        boolean requestBody = booleanValue(annotation, "requestBody");
        boolean responseBody = booleanValue(annotation, "responseBody");
        if (responseBody && response == null) {
            diagnostics.error(type, annotation, value(annotation, "responseBody"),
                    String.format(Messages.RESPONSE_BODY_WITHOUT_FILTER, className));
        }

        boolean startHook = implementsType(type, STARTABLE);
        boolean closeable = implementsType(type, AutoCloseable.class.getCanonicalName());
        checkLifecycleMethods(type, className, startHook, closeable);

        ConfigModel configModel = config == null ? null : validateConfig(type, (DeclaredType) config);

        if (diagnostics.errorCount() != errorsBefore || configModel == null) {
            return Optional.empty();
        }
        return Optional.of(new PluginModel(name, ClassName.get(type), request != null, response != null,
                vars, requestBody, responseBody, !Boolean.FALSE.equals(valueOf(annotation, "blocking")), configModel, startHook,
                closeable, booleanValue(annotation, "requestState")));
    }

    /** Whether {@code type} is a subtype of the (non-generic) type named {@code name}. */
    private boolean implementsType(TypeElement type, String name) {
        TypeElement target = elements.getTypeElement(name);
        return target != null && types.isSubtype(types.erasure(type.asType()), types.erasure(target.asType()));
    }

    /**
     * A {@code start(PluginContext)} method without {@code Startable}, or a public {@code close()}
     * without {@code AutoCloseable}, would never be called: the first is an error (nothing but the
     * runner can give a plugin a context), the second a warning (the method may have other callers).
     */
    private void checkLifecycleMethods(TypeElement type, String className, boolean startHook, boolean closeable) {
        for (ExecutableElement method : ElementFilter.methodsIn(elements.getAllMembers(type))) {
            if (method.getModifiers().contains(Modifier.STATIC)) {
                continue;
            }
            String name = method.getSimpleName().toString();
            List<? extends VariableElement> parameters = method.getParameters();
            if (!startHook && name.equals("start") && parameters.size() == 1
                    && isNamed(parameters.get(0).asType(), PLUGIN_CONTEXT)) {
                diagnostics.error(methodOrType(method, type), String.format(Messages.START_WITHOUT_STARTABLE, className));
            } else if (!closeable && name.equals("close") && parameters.isEmpty()
                    && method.getModifiers().contains(Modifier.PUBLIC)) {
                diagnostics.warning(methodOrType(method, type),
                        String.format(Messages.CLOSE_WITHOUT_AUTOCLOSEABLE, className));
            }
        }
    }

    private static boolean isNamed(TypeMirror mirror, String name) {
        return mirror.getKind() == TypeKind.DECLARED
                && ((TypeElement) ((DeclaredType) mirror).asElement()).getQualifiedName().contentEquals(name);
    }

    /** The method when it is declared in {@code type} itself, else {@code type} (inherited methods have no position here). */
    private static Element methodOrType(ExecutableElement method, TypeElement type) {
        return method.getEnclosingElement().equals(type) ? method : type;
    }

    /** Reads the {@code @ApisixPlugin} mirror; annotation values are read through it, never by reflection. */
    private AnnotationMirror findAnnotation(TypeElement type) {
        for (AnnotationMirror mirror : type.getAnnotationMirrors()) {
            TypeElement annotationType = (TypeElement) mirror.getAnnotationType().asElement();
            if (annotationType.getQualifiedName().contentEquals(ANNOTATION)) {
                return mirror;
            }
        }
        return null;
    }

    private AnnotationValue value(AnnotationMirror annotation, String name) {
        if (annotation == null) {
            return null;
        }
        for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry
                : elements.getElementValuesWithDefaults(annotation).entrySet()) {
            if (entry.getKey().getSimpleName().contentEquals(name)) {
                return entry.getValue();
            }
        }
        return null;
    }

    /** An annotation value, or null when the annotation has no such element (an older sdk-api). */
    private Object valueOf(AnnotationMirror annotation, String name) {
        AnnotationValue value = value(annotation, name);
        return value == null ? null : value.getValue();
    }

    private boolean booleanValue(AnnotationMirror annotation, String name) {
        AnnotationValue value = value(annotation, name);
        return value != null && Boolean.TRUE.equals(value.getValue());
    }

    private List<String> validateVars(TypeElement type, AnnotationMirror annotation) {
        AnnotationValue varsValue = value(annotation, "vars");
        List<String> vars = new ArrayList<>();
        if (varsValue == null || !(varsValue.getValue() instanceof List<?> entries)) {
            return vars;
        }
        Set<String> seen = new HashSet<>();
        for (Object entry : entries) {
            AnnotationValue entryValue = (AnnotationValue) entry;
            String var = String.valueOf(entryValue.getValue());
            if (!VAR.matcher(var).matches()) {
                diagnostics.error(type, annotation, entryValue, String.format(Messages.VAR_INVALID, var));
            } else if (!seen.add(var)) {
                diagnostics.error(type, annotation, entryValue, String.format(Messages.VAR_DUPLICATE, var));
            } else {
                vars.add(var);
            }
        }
        return vars;
    }

    private static String kindName(TypeElement type) {
        switch (type.getKind()) {
            case INTERFACE:
                return "an interface";
            case ANNOTATION_TYPE:
                return "an annotation type";
            case ENUM:
                return "an enum";
            case RECORD:
                return "a record";
            default:
                return type.getKind().toString().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static boolean isPublicChain(TypeElement type) {
        for (Element e = type; e instanceof TypeElement; e = e.getEnclosingElement()) {
            if (!e.getModifiers().contains(Modifier.PUBLIC)) {
                return false;
            }
        }
        return true;
    }

    private boolean hasPublicNoArgConstructor(TypeElement type) {
        TypeMirror runtimeException = elements.getTypeElement(RuntimeException.class.getCanonicalName()).asType();
        TypeMirror error = elements.getTypeElement(Error.class.getCanonicalName()).asType();
        for (ExecutableElement constructor : ElementFilter.constructorsIn(type.getEnclosedElements())) {
            if (constructor.getModifiers().contains(Modifier.PUBLIC)
                    && constructor.getParameters().isEmpty()
                    && constructor.getThrownTypes().stream().allMatch(
                            t -> types.isSubtype(t, runtimeException) || types.isSubtype(t, error))) {
                return true;
            }
        }
        return false;
    }

    /** A filter interface as the plugin sees it, with its type arguments resolved. */
    private record FilterType(String name, DeclaredType type) {}

    /**
     * Finds {@code RequestFilter<X>} or {@code ResponseFilter<X>} anywhere in the supertypes of
     * {@code type}, with type arguments substituted along the way ({@link Types#directSupertypes}),
     * so that an abstract base class implementing the interface works too.
     */
    private FilterType findFilter(TypeElement type, String filterName) {
        Deque<TypeMirror> queue = new ArrayDeque<>();
        queue.add(type.asType());
        while (!queue.isEmpty()) {
            TypeMirror current = queue.poll();
            for (TypeMirror supertype : types.directSupertypes(current)) {
                if (supertype.getKind() != TypeKind.DECLARED) {
                    continue;
                }
                DeclaredType declared = (DeclaredType) supertype;
                TypeElement element = (TypeElement) declared.asElement();
                if (element.getQualifiedName().contentEquals(filterName)) {
                    return new FilterType(element.getSimpleName().toString(), declared);
                }
                queue.add(supertype);
            }
        }
        return null;
    }

    /** The config type of {@code filter}, or {@code null} after reporting a raw, wildcard or type-variable use. */
    private TypeMirror checkFilterArgument(TypeElement type, FilterType filter) {
        if (filter == null) {
            return null;
        }
        String className = type.getQualifiedName().toString();
        List<? extends TypeMirror> arguments = filter.type().getTypeArguments();
        if (arguments.isEmpty()) {
            diagnostics.error(type, String.format(Messages.RAW_FILTER, className, filter.name()));
            return null;
        }
        TypeMirror argument = arguments.get(0);
        if (argument.getKind() == TypeKind.ERROR) {
            incomplete = true; // javac reports the type itself if it never appears
            return null;
        }
        if (argument.getKind() != TypeKind.DECLARED) {
            diagnostics.error(type, String.format(Messages.FILTER_TYPE_ARGUMENT, className, filter.type(), argument));
            return null;
        }
        return argument;
    }

    private ConfigModel validateConfig(TypeElement plugin, DeclaredType config) {
        TypeElement element = (TypeElement) config.asElement();
        ClassName configName = ClassName.get(element);
        String qualifiedName = element.getQualifiedName().toString();
        if (qualifiedName.equals(String.class.getCanonicalName())) {
            return new ConfigModel(ConfigModel.Kind.RAW, configName, Map.of());
        }
        if (qualifiedName.equals(NO_CONFIG)) {
            return new ConfigModel(ConfigModel.Kind.NONE, configName, Map.of());
        }
        if (element.getKind() != ElementKind.RECORD) {
            diagnostics.error(plugin, String.format(Messages.CONFIG_NOT_RECORD, qualifiedName,
                    plugin.getQualifiedName()));
            return null;
        }
        RecordScan scan = new RecordScan(packageOf(plugin));
        int errorsBefore = diagnostics.errorCount();
        scan.record(element);
        if (diagnostics.errorCount() != errorsBefore) {
            return null;
        }
        return new ConfigModel(ConfigModel.Kind.RECORD, configName, scan.records);
    }

    private String packageOf(Element element) {
        return elements.getPackageOf(element).getQualifiedName().toString();
    }

    /** The canonical constructor of {@code record}, or {@code null} if it cannot be found. */
    private ExecutableElement canonicalConstructor(TypeElement record,
            List<? extends RecordComponentElement> components) {
        for (ExecutableElement constructor : ElementFilter.constructorsIn(record.getEnclosedElements())) {
            List<? extends VariableElement> parameters = constructor.getParameters();
            if (parameters.size() != components.size()) {
                continue;
            }
            boolean same = true;
            for (int i = 0; i < parameters.size() && same; i++) {
                same = types.isSameType(parameters.get(i).asType(), components.get(i).asType());
            }
            if (same) {
                return constructor;
            }
        }
        return null;
    }

    /** Whether {@code element} (may be {@code null}) carries {@code @RouteState}, read by name through its mirrors. */
    private static boolean hasRouteState(Element element) {
        return hasAnnotation(element, ROUTE_STATE);
    }

    /** Whether {@code element} (may be {@code null}) carries the annotation named {@code annotation}. */
    private static boolean hasAnnotation(Element element, String annotation) {
        if (element == null) {
            return false;
        }
        for (AnnotationMirror mirror : element.getAnnotationMirrors()) {
            if (((TypeElement) mirror.getAnnotationType().asElement()).getQualifiedName().contentEquals(annotation)) {
                return true;
            }
        }
        return false;
    }

    /** Whether generated code in package {@code pkg} can name {@code type}. */
    private boolean isAccessibleFrom(TypeElement type, String pkg) {
        for (Element e = type; e instanceof TypeElement; e = e.getEnclosingElement()) {
            Set<Modifier> modifiers = e.getModifiers();
            if (modifiers.contains(Modifier.PRIVATE)
                    || (!modifiers.contains(Modifier.PUBLIC) && !packageOf(e).equals(pkg))) {
                return false;
            }
        }
        return true;
    }

    /** Walks the config records of one plugin, depth first, detecting cycles. */
    private final class RecordScan {
        private final String pkg;
        private final Map<ClassName, RecordModel> records = new LinkedHashMap<>();
        private final Deque<ClassName> inProgress = new ArrayDeque<>();

        RecordScan(String pkg) {
            this.pkg = pkg;
        }

        /** Scans a record and every record it reaches, reporting faults; returns false when it is unusable. */
        boolean record(TypeElement record) {
            ClassName name = ClassName.get(record);
            boolean ok = true;
            if (!record.getTypeParameters().isEmpty()) {
                diagnostics.error(record, String.format(Messages.CONFIG_GENERIC, record.getQualifiedName()));
                ok = false;
            }
            if (!isAccessibleFrom(record, pkg)) {
                diagnostics.error(record, String.format(Messages.CONFIG_NOT_ACCESSIBLE, record.getQualifiedName(), pkg));
                ok = false;
            }
            records.put(name, new RecordModel(name, List.of()));
            if (!ok) {
                return false;
            }
            inProgress.push(name);
            List<Component> components = new ArrayList<>();
            List<? extends RecordComponentElement> recordComponents = record.getRecordComponents();
            ExecutableElement canonical = canonicalConstructor(record, recordComponents);
            for (int i = 0; i < recordComponents.size(); i++) {
                RecordComponentElement component = recordComponents.get(i);
                TypeRef type;
                boolean required = isMarked(component, canonical, i, REQUIRED);
                if (isRouteState(component, canonical, i)) {
                    type = routeState(component, record, canonical);
                    if (required) {
                        diagnostics.error(locatable(component), String.format(Messages.REQUIRED_ROUTE_STATE,
                                component.getSimpleName(), record.getQualifiedName()));
                        type = null;
                    }
                } else if (hasRouteState(component.getAccessor())) {
                    diagnostics.error(component.getAccessor(), String.format(Messages.ROUTE_STATE_ON_ACCESSOR,
                            component.getSimpleName(), record.getQualifiedName(), component.getSimpleName()));
                    type = null;
                } else {
                    type = type(component.asType(), true, component, record);
                }
                if (type == null) {
                    ok = false;
                } else {
                    components.add(new Component(component.getSimpleName().toString(), type, required));
                }
            }
            inProgress.pop();
            records.put(name, new RecordModel(name, List.copyOf(components)));
            return ok;
        }

        /**
         * Whether {@code component} is marked {@code @RouteState}. javac copies a record component's
         * annotation to the field, the canonical constructor's parameters and the accessor as its
         * {@code @Target} allows, but only to implicitly declared members: an explicit (non-compact)
         * canonical constructor may carry the mark on its parameter alone. So the component, the
         * field and the canonical constructor's parameter all count (an explicit accessor alone is
         * reported by the caller). Works for records read from class files too.
         */
        private boolean isRouteState(RecordComponentElement component, ExecutableElement canonical, int index) {
            return isMarked(component, canonical, index, ROUTE_STATE);
        }

        /** Whether {@code component} carries {@code annotation}, found as {@link #isRouteState} finds its mark. */
        private boolean isMarked(RecordComponentElement component, ExecutableElement canonical, int index,
                String annotation) {
            return hasAnnotation(component, annotation)
                    || hasAnnotation(field(component), annotation)
                    || (canonical != null && hasAnnotation(canonical.getParameters().get(index), annotation));
        }

        /**
         * A {@code @RouteState} component: any type, not scanned further (a record there is not a
         * config record), but generated code in the plugin's package must be able to name every
         * type it mentions. It is not read from JSON, so the record must declare the constructor
         * that creates it.
         */
        private TypeRef routeState(RecordComponentElement component, TypeElement owner, ExecutableElement canonical) {
            boolean ok = true;
            if (canonical != null && elements.getOrigin(canonical) == Elements.Origin.MANDATED) {
                diagnostics.error(locatable(component), String.format(Messages.ROUTE_STATE_NO_CONSTRUCTOR,
                        component.getSimpleName(), owner.getQualifiedName(), owner.getSimpleName(),
                        component.getSimpleName()));
                ok = false;
            }
            boolean[] raw = {false};
            if (!nameable(component.asType(), component, raw) || !ok) {
                return null;
            }
            TypeMirror type = component.asType();
            return new TypeRef.RouteStateRef(TypeName.get(type), type.getKind().isPrimitive(),
                    raw[0]);
        }

        /**
         * Whether generated code in the plugin's package can name {@code type} (and every type in
         * it), reporting the first type that it cannot; sets {@code raw[0]} on a raw type.
         */
        private boolean nameable(TypeMirror type, RecordComponentElement component, boolean[] raw) {
            switch (type.getKind()) {
                case ARRAY:
                    return nameable(((ArrayType) type).getComponentType(), component, raw);
                case WILDCARD: {
                    WildcardType wildcard = (WildcardType) type;
                    TypeMirror bound = wildcard.getExtendsBound() != null
                            ? wildcard.getExtendsBound() : wildcard.getSuperBound();
                    return bound == null || nameable(bound, component, raw);
                }
                case DECLARED: {
                    DeclaredType declared = (DeclaredType) type;
                    TypeElement element = (TypeElement) declared.asElement();
                    if (!isAccessibleFrom(element, pkg)) {
                        diagnostics.error(locatable(component), String.format(Messages.CONFIG_NOT_ACCESSIBLE,
                                element.getQualifiedName(), pkg));
                        return false;
                    }
                    if (declared.getTypeArguments().isEmpty() && !element.getTypeParameters().isEmpty()) {
                        raw[0] = true;
                    }
                    if (declared.getEnclosingType().getKind() == TypeKind.DECLARED
                            && !nameable(declared.getEnclosingType(), component, raw)) {
                        return false;
                    }
                    for (TypeMirror argument : declared.getTypeArguments()) {
                        if (!nameable(argument, component, raw)) {
                            return false;
                        }
                    }
                    return true;
                }
                case ERROR:
                    incomplete = true; // javac reports the type itself if it never appears
                    return false;
                default:
                    return true; // primitives; a record that is not generic has no type variables
            }
        }

        private TypeRef type(TypeMirror type, boolean top, RecordComponentElement component, TypeElement owner) {
            switch (type.getKind()) {
                case BOOLEAN:
                    return top ? new TypeRef.Scalar(ScalarKind.BOOLEAN, true) : unsupported(component, owner);
                case INT:
                    return top ? new TypeRef.Scalar(ScalarKind.INT, true) : unsupported(component, owner);
                case LONG:
                    return top ? new TypeRef.Scalar(ScalarKind.LONG, true) : unsupported(component, owner);
                case DOUBLE:
                    return top ? new TypeRef.Scalar(ScalarKind.DOUBLE, true) : unsupported(component, owner);
                case DECLARED:
                    return declared((DeclaredType) type, component, owner);
                case ERROR:
                    incomplete = true; // javac reports the type itself if it never appears
                    return null;
                default:
                    return unsupported(component, owner);
            }
        }

        private TypeRef declared(DeclaredType type, RecordComponentElement component, TypeElement owner) {
            TypeElement element = (TypeElement) type.asElement();
            List<? extends TypeMirror> arguments = type.getTypeArguments();
            switch (element.getQualifiedName().toString()) {
                case "java.lang.String":
                    return new TypeRef.Scalar(ScalarKind.STRING, false);
                case "java.lang.Boolean":
                    return new TypeRef.Scalar(ScalarKind.BOOLEAN, false);
                case "java.lang.Integer":
                    return new TypeRef.Scalar(ScalarKind.INT, false);
                case "java.lang.Long":
                    return new TypeRef.Scalar(ScalarKind.LONG, false);
                case "java.lang.Double":
                    return new TypeRef.Scalar(ScalarKind.DOUBLE, false);
                case "java.util.List": {
                    if (arguments.size() != 1) {
                        return unsupported(component, owner);
                    }
                    TypeRef elementType = type(arguments.get(0), false, component, owner);
                    return elementType == null ? null : new TypeRef.ListRef(elementType);
                }
                case "java.util.Map": {
                    if (arguments.size() != 2 || !isString(arguments.get(0))) {
                        return unsupported(component, owner);
                    }
                    TypeRef valueType = type(arguments.get(1), false, component, owner);
                    return valueType == null ? null : new TypeRef.MapRef(valueType);
                }
                default:
                    break;
            }
            if (element.getKind() == ElementKind.ENUM) {
                if (!isAccessibleFrom(element, pkg)) {
                    diagnostics.error(locatable(component), String.format(Messages.CONFIG_NOT_ACCESSIBLE,
                            element.getQualifiedName(), pkg));
                    return null;
                }
                List<String> constants = element.getEnclosedElements().stream()
                        .filter(e -> e.getKind() == ElementKind.ENUM_CONSTANT)
                        .map(e -> e.getSimpleName().toString())
                        .collect(Collectors.toUnmodifiableList());
                return new TypeRef.EnumRef(ClassName.get(element), constants);
            }
            if (element.getKind() == ElementKind.RECORD) {
                ClassName name = ClassName.get(element);
                if (inProgress.contains(name)) {
                    List<String> cycle = new ArrayList<>();
                    for (ClassName c : (Iterable<ClassName>) inProgress::descendingIterator) {
                        cycle.add(c.simpleName());
                    }
                    cycle.add(name.simpleName());
                    diagnostics.error(locatable(component), String.format(Messages.CONFIG_CYCLE, component.getSimpleName(),
                            owner.getQualifiedName(), String.join(" -> ", cycle.subList(cycle.indexOf(name.simpleName()), cycle.size()))));
                    return null;
                }
                if (records.containsKey(name) || record(element)) {
                    return new TypeRef.RecordRef(name);
                }
                return null;
            }
            return unsupported(component, owner);
        }

        /** The record's private field for {@code component}, or {@code null}. */
        private VariableElement field(RecordComponentElement component) {
            for (VariableElement field : ElementFilter.fieldsIn(component.getEnclosingElement().getEnclosedElements())) {
                if (field.getSimpleName().contentEquals(component.getSimpleName())
                        && !field.getModifiers().contains(Modifier.STATIC)) {
                    return field;
                }
            }
            return null;
        }

        /**
         * The record's private field for {@code component}: javac 17 cannot map a
         * {@code RecordComponentElement} to a source position, but the field shares the
         * component's declaration.
         */
        private Element locatable(RecordComponentElement component) {
            VariableElement field = field(component);
            return field != null ? field : component;
        }

        private boolean isString(TypeMirror type) {
            return type.getKind() == TypeKind.DECLARED
                    && ((TypeElement) ((DeclaredType) type).asElement()).getQualifiedName().contentEquals("java.lang.String");
        }

        private TypeRef unsupported(RecordComponentElement component, TypeElement owner) {
            diagnostics.error(locatable(component), String.format(Messages.UNSUPPORTED_COMPONENT, component.getSimpleName(),
                    owner.getQualifiedName(), component.asType()));
            return null;
        }
    }
}

package io.github.a6sdk.processor;

/**
 * Every diagnostic the processor reports, as {@link String#format} patterns. Shared with the tests,
 * which format the same constants with the values they expect. Each message starts with a
 * bracketed tag, says what is wrong and how to fix it.
 */
public final class Messages {

    private Messages() {}

    /** Arguments: the name. */
    public static final String NAME_INVALID = "[ApisixPluginName] plugin name \"%s\" is invalid: "
            + "use 1 to 128 characters from lowercase letters, digits, '-', '_' and '.', starting with a letter";

    /** Arguments: the name, the class that used it first, this class. */
    public static final String NAME_DUPLICATE = "[ApisixPluginDuplicate] plugin name \"%s\" is used by both %s and %s; "
            + "give each plugin a unique name";

    /** Arguments: the element kind (interface, enum, ...). */
    public static final String NOT_A_CLASS = "[ApisixPluginKind] @ApisixPlugin cannot be used on %s; "
            + "put it on a public, concrete class";

    /** Arguments: the class. */
    public static final String NOT_PUBLIC = "[ApisixPluginVisibility] plugin class %s must be public "
            + "(and so must any class it is nested in); add the 'public' modifier";

    /** Arguments: the class. */
    public static final String ABSTRACT = "[ApisixPluginAbstract] plugin class %s must not be abstract; "
            + "the generated descriptor creates an instance of it";

    /** Arguments: the class. */
    public static final String INNER_CLASS = "[ApisixPluginInner] plugin class %s is an inner class; "
            + "make it static (or top level) so that it can be created without an outer instance";

    /** Arguments: the class. */
    public static final String GENERIC_PLUGIN = "[ApisixPluginGeneric] plugin class %s must not be generic; "
            + "remove its type parameters and fix the config type in the filter interface";

    /** Where the README explains start hooks and closing; the constructor error points there. */
    public static final String RESOURCES_SECTION = "\"Plugins that hold resources\" in the a6sdk README";

    /** Arguments: the class. */
    public static final String NO_CONSTRUCTOR = "[ApisixPluginConstructor] plugin class %s needs a public "
            + "no-argument constructor that throws no checked exception, as the runner creates it without "
            + "arguments; add one or remove the other constructors. To give the plugin settings or a client, "
            + "implement io.github.a6sdk.api.Startable and build them in start(PluginContext) (close them in "
            + "close() of AutoCloseable): see " + RESOURCES_SECTION;

    /** Arguments: the class. */
    public static final String START_WITHOUT_STARTABLE = "[ApisixPluginStart] plugin class %s declares "
            + "start(PluginContext) but does not implement io.github.a6sdk.api.Startable, so the runner would never "
            + "call it; add 'implements Startable'";

    /** Arguments: the class. */
    public static final String CLOSE_WITHOUT_AUTOCLOSEABLE = "[ApisixPluginClose] plugin class %s has a public "
            + "close() method but does not implement AutoCloseable, so the runner never calls it on shutdown; "
            + "add 'implements AutoCloseable' if it should";

    /** Arguments: the class. */
    public static final String NO_FILTER = "[ApisixPluginFilter] plugin class %s implements neither "
            + "io.github.a6sdk.api.RequestFilter<C> nor io.github.a6sdk.api.ResponseFilter<C>; implement at least one";

    /** Arguments: the class, the interface. */
    public static final String RAW_FILTER = "[ApisixPluginRawFilter] plugin class %s implements the raw type %s; "
            + "give it the config type as type argument, such as RequestFilter<MyPlugin.Config>";

    /** Arguments: the class, the interface, the argument. */
    public static final String FILTER_TYPE_ARGUMENT = "[ApisixPluginFilterArgument] plugin class %s implements %s "
            + "with type argument %s; use a concrete config type (a record, NoConfig or String), not a wildcard or type variable";

    /** Arguments: the class, the request config type, the response config type. */
    public static final String CONFIG_MISMATCH = "[ApisixPluginConfigMismatch] plugin class %s uses config type %s "
            + "for RequestFilter but %s for ResponseFilter; use the same config type for both";

    /** Arguments: the class, the config type. */
    public static final String CONFIG_NOT_RECORD = "[ApisixPluginConfigType] config type %s of plugin class %s "
            + "is not a record; declare it as a record, or use io.github.a6sdk.api.NoConfig or java.lang.String";

    /** Arguments: the record. */
    public static final String CONFIG_GENERIC = "[ApisixPluginConfigGeneric] config record %s must not be generic; "
            + "remove its type parameters";

    /** Arguments: the type, the package of the plugin. */
    public static final String CONFIG_NOT_ACCESSIBLE = "[ApisixPluginConfigVisibility] config type %s cannot be used "
            + "from package %s because it (or a class it is nested in) is private or package-private elsewhere; "
            + "make it public";

    /** Arguments: the component, the record, the component's type. */
    public static final String UNSUPPORTED_COMPONENT = "[ApisixPluginConfigComponent] config component '%s' of %s "
            + "has type %s, which cannot be parsed; supported types are String, boolean, int, long, double, "
            + "Boolean, Integer, Long, Double, enums, records, List<X> and Map<String, X> "
            + "where X is any supported non-primitive type";

    /** Arguments: the component, the record, the cycle. */
    public static final String CONFIG_CYCLE = "[ApisixPluginConfigCycle] config component '%s' of %s makes the "
            + "config records refer to themselves (%s), which the generated parser cannot handle; "
            + "break the cycle (recursive config records are not supported)";

    /** Arguments: the component, the record, the record's simple name, the component. */
    public static final String ROUTE_STATE_NO_CONSTRUCTOR = "[ApisixPluginRouteState] config component '%s' of %s "
            + "is marked @RouteState, so the generated parser passes null (or 0/false) for it, but the record "
            + "declares no constructor to create it, so it would never be set; add a compact constructor that "
            + "creates it, such as: public %s { %s = new ...; }";

    /** Arguments: the component, the record. */
    public static final String REQUIRED_ROUTE_STATE = "[ApisixPluginRequired] config component '%s' of %s is "
            + "marked both @Required and @RouteState, but a @RouteState component is never read from JSON; "
            + "remove @Required";

    /** Arguments: the accessor, the record, the component. */
    public static final String ROUTE_STATE_ON_ACCESSOR = "[ApisixPluginRouteState] @RouteState on the accessor "
            + "method %s() of %s has no effect; put it on the record component '%s' itself";

    /** Arguments: the variable. */
    public static final String VAR_INVALID = "[ApisixPluginVars] variable \"%s\" in vars is invalid: "
            + "use the name without '$', made of letters, digits and '_'";

    /** Arguments: the variable. */
    public static final String VAR_DUPLICATE = "[ApisixPluginVarsDuplicate] variable \"%s\" is listed more than once "
            + "in vars; remove the duplicate";

    /** Arguments: the class. */
    public static final String RESPONSE_BODY_WITHOUT_FILTER = "[ApisixPluginResponseBody] plugin class %s sets "
            + "responseBody = true but does not implement ResponseFilter; implement ResponseFilter or remove responseBody";

    /** Arguments: the value. */
    public static final String REGISTRY_PACKAGE_INVALID = "[ApisixPluginOption] -Aapisix.registryPackage=%s is not "
            + "a valid package name; usage: -Aapisix.registryPackage=com.example.plugins (dot-separated Java identifiers)";

    /** Arguments: the plugin classes, comma-separated. */
    public static final String REGISTRY_UNNAMED_PACKAGE = "[ApisixPluginRegistryPackage] the @ApisixPlugin classes "
            + "of this compilation (%s) share no common package, so the plugin registry would be generated in the "
            + "unnamed package, where no other code can reference it; choose its package with "
            + "-Aapisix.registryPackage=com.example.plugins (or put the plugins under one package)";

    /** Arguments: the class, the registry. */
    public static final String LATE_PLUGIN = "[ApisixPluginLate] plugin class %s appeared in a late annotation "
            + "processing round, after %s was written, so the registry cannot list it; have the code generator "
            + "that creates it run earlier (in the first round), or write the class by hand";

    /** Arguments: the class, the stack trace. */
    public static final String PROCESSOR_CRASH = "[ApisixPluginException] sdk-processor failed on %s; "
            + "please report this bug: %s";
}

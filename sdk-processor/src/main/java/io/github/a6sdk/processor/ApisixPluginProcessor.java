package io.github.a6sdk.processor;

import com.google.auto.service.AutoService;
import com.squareup.javapoet.ClassName;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.annotation.processing.SupportedOptions;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.ElementFilter;

/**
 * Entry point: finds {@code @ApisixPlugin} classes, has {@link PluginValidator} check them, and has
 * {@link DescriptorWriter} and {@link RegistryWriter} write the code. Keeps plugin names across
 * rounds (never {@code Element}s), writes the registry in the first round in which no new plugin
 * appears (in {@code -Aapisix.registryPackage} or else the plugins' longest common package; never
 * in the unnamed package, which is an error). It claims only the SDK's own annotations
 * ({@code @ApisixPlugin}, {@code @RouteState}, {@code @Required}, {@code @ApisixGenerated}), which no other processor
 * has a use for, so that builds with {@code -Xlint:all -Werror} get no "no processor claimed"
 * warning.
 */
@AutoService(Processor.class)
@SupportedAnnotationTypes({
    PluginValidator.ANNOTATION, PluginValidator.ROUTE_STATE, PluginValidator.REQUIRED,
    "io.github.a6sdk.api.spi.ApisixGenerated"
})
@SupportedOptions(ApisixPluginProcessor.REGISTRY_PACKAGE_OPTION)
public final class ApisixPluginProcessor extends AbstractProcessor {

    /** Processor option that sets the registry's package. */
    public static final String REGISTRY_PACKAGE_OPTION = "apisix.registryPackage";

    private final Consumer<TypeElement> beforeEach;

    private Diagnostics diagnostics;
    private PluginValidator validator;
    private String registryPackage;
    /** Descriptor classes of the valid plugins seen so far, by plugin name. */
    private final Map<String, ClassName> descriptors = new TreeMap<>();
    /** Plugin classes (canonical names) of the valid plugins seen so far, by plugin name. */
    private final Map<String, String> pluginClasses = new TreeMap<>();
    /** Plugin classes that referred to types not generated yet, retried by name in the next round. */
    private final Set<String> deferred = new TreeSet<>();
    private boolean invalidPluginSeen;
    /** The registry's qualified name once written. */
    private String registryWritten;

    public ApisixPluginProcessor() {
        this(type -> {});
    }

    /** For tests: {@code beforeEach} runs before each plugin class is processed (to simulate a crash). */
    ApisixPluginProcessor(Consumer<TypeElement> beforeEach) {
        this.beforeEach = beforeEach;
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public synchronized void init(ProcessingEnvironment processingEnv) {
        super.init(processingEnv);
        diagnostics = new Diagnostics(processingEnv.getMessager());
        validator = new PluginValidator(processingEnv.getElementUtils(), processingEnv.getTypeUtils(), diagnostics);
        registryPackage = processingEnv.getOptions().get(REGISTRY_PACKAGE_OPTION);
        if (registryPackage != null && !isPackageName(registryPackage)) {
            diagnostics.error(String.format(Messages.REGISTRY_PACKAGE_INVALID, registryPackage));
            invalidPluginSeen = true;
        }
    }

    private static boolean isPackageName(String name) {
        return !name.isEmpty() && SourceVersion.isName(name);
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment roundEnv) {
        TypeElement annotation = processingEnv.getElementUtils().getTypeElement(PluginValidator.ANNOTATION);
        if (annotation == null) {
            return false;
        }
        List<TypeElement> found = new ArrayList<>(ElementFilter.typesIn(roundEnv.getElementsAnnotatedWith(annotation)));
        for (String name : deferred) {
            TypeElement type = processingEnv.getElementUtils().getTypeElement(name);
            if (type != null) {
                found.add(type);
            }
        }
        deferred.clear();
        found.sort(Comparator.comparing(type -> type.getQualifiedName().toString()));
        boolean lastRound = roundEnv.processingOver();
        for (TypeElement type : found) {
            processPlugin(type, lastRound);
        }
        // The first round without new plugins, but never the last round: a source created there
        // would not be compiled cleanly ("created in the last round" warning).
        boolean due = found.isEmpty() && deferred.isEmpty() && !lastRound;
        if (due && registryWritten == null && !descriptors.isEmpty() && !invalidPluginSeen) {
            writeRegistry();
        }
        return true;
    }

    private void processPlugin(TypeElement type, boolean lastRound) {
        diagnostics.startBuffering();
        try {
            beforeEach.accept(type);
            PluginValidator.Result result = validator.validate(type);
            if (result.incomplete() && !lastRound) {
                diagnostics.discard();
                deferred.add(type.getQualifiedName().toString());
                return;
            }
            diagnostics.flush();
            if (result.model() == null) {
                invalidPluginSeen = true;
                return;
            }
            PluginModel plugin = result.model();
            if (registryWritten != null) {
                diagnostics.error(type, String.format(Messages.LATE_PLUGIN, plugin.qualifiedName(), registryWritten));
                invalidPluginSeen = true;
                return;
            }
            String existing = pluginClasses.get(plugin.name());
            if (existing != null) {
                diagnostics.error(type, String.format(Messages.NAME_DUPLICATE, plugin.name(), existing,
                        plugin.qualifiedName()));
                invalidPluginSeen = true;
                return;
            }
            DescriptorWriter.write(plugin, type, processingEnv.getFiler());
            pluginClasses.put(plugin.name(), plugin.qualifiedName());
            descriptors.put(plugin.name(), plugin.descriptorClass());
        } catch (Exception | LinkageError | AssertionError e) {
            invalidPluginSeen = true;
            diagnostics.flush();
            diagnostics.error(type, String.format(Messages.PROCESSOR_CRASH, type.getQualifiedName(), stackTrace(e)));
        }
    }

    private void writeRegistry() {
        List<TypeElement> originating = new ArrayList<>();
        for (String className : pluginClasses.values()) {
            TypeElement element = processingEnv.getElementUtils().getTypeElement(className);
            if (element != null) {
                originating.add(element);
            }
        }
        String packageName = registryPackage != null ? registryPackage : commonPackage(descriptors.values());
        if (packageName.isEmpty()) {
            // A class in the unnamed package cannot be imported, so nothing could refer to the registry.
            String message = String.format(Messages.REGISTRY_UNNAMED_PACKAGE, String.join(", ", pluginClasses.values()));
            for (TypeElement plugin : originating) {
                diagnostics.error(plugin, message);
            }
            if (originating.isEmpty()) {
                diagnostics.error(message);
            }
            invalidPluginSeen = true; // write no registry, and report this once
            return;
        }
        registryWritten = ClassName.get(packageName, RegistryWriter.SIMPLE_NAME).canonicalName();
        try {
            RegistryWriter.write(packageName, descriptors, originating, processingEnv.getFiler());
        } catch (Exception | LinkageError | AssertionError e) {
            diagnostics.error(String.format(Messages.PROCESSOR_CRASH, RegistryWriter.SIMPLE_NAME, stackTrace(e)));
        }
    }

    /** The longest package that contains every descriptor's package (by whole segments). */
    static String commonPackage(Iterable<ClassName> classes) {
        String[] common = null;
        int length = 0;
        for (ClassName name : classes) {
            String[] segments = name.packageName().isEmpty() ? new String[0] : name.packageName().split("\\.");
            if (common == null) {
                common = segments;
                length = segments.length;
            } else {
                int i = 0;
                while (i < length && i < segments.length && common[i].equals(segments[i])) {
                    i++;
                }
                length = i;
            }
        }
        return common == null ? "" : String.join(".", java.util.Arrays.asList(common).subList(0, length));
    }

    private static String stackTrace(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }
}

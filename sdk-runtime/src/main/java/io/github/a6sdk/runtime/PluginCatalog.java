package io.github.a6sdk.runtime;

import io.github.a6sdk.api.spi.PluginDescriptor;
import io.github.a6sdk.api.spi.PluginRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** Every plugin the runner can run, merged from the generated registries. Immutable. */
public final class PluginCatalog {
    /** The question to ask when a plugin is not found: the processor writes the registry that lists plugins. */
    public static final String PROCESSOR_HINT = "is sdk-processor on the annotationProcessorPaths of the"
            + " maven-compiler-plugin in the project that holds the @ApisixPlugin classes?";

    /**
     * Why a jar has no plugins, and what to do: the hint that the runner, {@code describe},
     * {@code validate}, {@code dev} and the test kit give when no generated registry is found.
     */
    public static final String NO_PLUGINS = "no plugins found: no generated plugin registry"
            + " (META-INF/services/io.github.a6sdk.api.spi.PluginRegistry) is on the class path; "
            + PROCESSOR_HINT;

    private final Map<String, PluginDescriptor<?>> byName;
    private final List<PluginDescriptor<?>> plugins;

    private PluginCatalog(Map<String, PluginDescriptor<?>> byName) {
        this.byName = byName;
        List<PluginDescriptor<?>> list = new ArrayList<>(byName.values());
        list.sort((a, b) -> a.name().compareTo(b.name()));
        this.plugins = Collections.unmodifiableList(list);
    }

    /**
     * Loads every {@link PluginRegistry} visible to {@code loader}, with one {@link ServiceLoader} call.
     *
     * @throws IllegalStateException when two plugins share a name
     */
    public static PluginCatalog load(ClassLoader loader) {
        List<PluginRegistry> registries = new ArrayList<>();
        ServiceLoader.load(PluginRegistry.class, loader).forEach(registries::add);
        return of(registries);
    }

    /** Merges the given registries. */
    public static PluginCatalog of(List<? extends PluginRegistry> registries) {
        Map<String, PluginDescriptor<?>> byName = new HashMap<>();
        List<String> clashes = new ArrayList<>();
        for (PluginRegistry registry : registries) {
            for (PluginDescriptor<?> d : registry.plugins()) {
                PluginDescriptor<?> other = byName.putIfAbsent(d.name(), d);
                if (other != null && other != d) {
                    clashes.add("plugin name \"" + d.name() + "\" is used by both " + other.className()
                            + " and " + d.className());
                }
            }
        }
        if (!clashes.isEmpty()) {
            throw new IllegalStateException(String.join("; ", clashes)
                    + ": rename one of them in its @ApisixPlugin(name = ...)");
        }
        return new PluginCatalog(byName);
    }

    /**
     * A catalog of the given descriptors (for a runtime that wraps them, such as the metrics'
     * timed filters).
     *
     * @throws IllegalStateException when two plugins share a name
     */
    public static PluginCatalog ofPlugins(List<PluginDescriptor<?>> plugins) {
        List<PluginDescriptor<?>> list = List.copyOf(plugins);
        return of(List.of(new PluginRegistry() {
            @Override
            public List<PluginDescriptor<?>> plugins() {
                return list;
            }

            @Override
            public PluginDescriptor<?> find(String name) {
                for (PluginDescriptor<?> d : list) {
                    if (d.name().equals(name)) {
                        return d;
                    }
                }
                return null;
            }
        }));
    }

    /** The plugin named {@code name}, or {@code null}. */
    public PluginDescriptor<?> find(String name) {
        return byName.get(name);
    }

    /** Every plugin, sorted by name. */
    public List<PluginDescriptor<?>> plugins() {
        return plugins;
    }

    /** The plugin names, sorted. */
    public List<String> names() {
        List<String> names = new ArrayList<>(plugins.size());
        for (PluginDescriptor<?> d : plugins) {
            names.add(d.name());
        }
        return names;
    }
}

package io.github.a6sdk.processor;

import com.squareup.javapoet.ClassName;
import java.util.List;

/**
 * A validated {@code @ApisixPlugin} class: everything the writers need, as names and strings only.
 *
 * @param name the plugin name
 * @param pluginClass the plugin class
 * @param requestFilter whether it implements {@code RequestFilter}
 * @param responseFilter whether it implements {@code ResponseFilter}
 * @param vars the prefetch variables, in declaration order
 * @param requestBody whether the request body is prefetched
 * @param responseBody whether the response body is prefetched
 * @param blocking whether the plugin may block (its calls run on worker threads)
 * @param config the config type
 * @param startHook whether it implements {@code Startable}
 * @param closeable whether it implements {@code AutoCloseable}
 * @param requestState whether it uses request state ({@code @ApisixPlugin(requestState = true)})
 */
record PluginModel(
        String name,
        ClassName pluginClass,
        boolean requestFilter,
        boolean responseFilter,
        List<String> vars,
        boolean requestBody,
        boolean responseBody,
        boolean blocking,
        ConfigModel config,
        boolean startHook,
        boolean closeable,
        boolean requestState) {

    /** {@code Say} gives {@code Say_Descriptor}; {@code Outer.Inner} gives {@code Outer_Inner_Descriptor}. */
    ClassName descriptorClass() {
        return descriptorClass(pluginClass);
    }

    static ClassName descriptorClass(ClassName pluginClass) {
        return ClassName.get(pluginClass.packageName(), String.join("_", pluginClass.simpleNames()) + "_Descriptor");
    }

    /** The plugin's qualified (canonical) name. */
    String qualifiedName() {
        return pluginClass.canonicalName();
    }
}

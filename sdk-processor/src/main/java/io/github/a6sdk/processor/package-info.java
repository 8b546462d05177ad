/**
 * The {@code @ApisixPlugin} annotation processor: {@link io.github.a6sdk.processor.ApisixPluginProcessor}
 * (entry point), {@code PluginValidator} (checks, builds name-only models), {@code DescriptorWriter},
 * {@code SchemaWriter} and {@code RegistryWriter} (write code with JavaPoet), and
 * {@link io.github.a6sdk.processor.Messages} (every diagnostic, shared with the tests).
 * Parameters and results are non-null unless a method says otherwise.
 */
package io.github.a6sdk.processor;

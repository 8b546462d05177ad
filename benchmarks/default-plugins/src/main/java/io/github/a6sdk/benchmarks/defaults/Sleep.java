package io.github.a6sdk.benchmarks.defaults;

import io.github.a6sdk.api.ApisixPlugin;

/** The benchmark plugin {@code sleep}, declared as a user writes a plugin: no {@code blocking} attribute. */
@ApisixPlugin(name = "sleep")
public final class Sleep extends io.github.a6sdk.benchmarks.plugins.Sleep {}

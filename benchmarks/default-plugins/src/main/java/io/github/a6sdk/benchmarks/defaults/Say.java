package io.github.a6sdk.benchmarks.defaults;

import io.github.a6sdk.api.ApisixPlugin;

/** The benchmark plugin {@code say}, declared as a user writes a plugin: no {@code blocking} attribute. */
@ApisixPlugin(name = "say")
public final class Say extends io.github.a6sdk.benchmarks.plugins.Say {}

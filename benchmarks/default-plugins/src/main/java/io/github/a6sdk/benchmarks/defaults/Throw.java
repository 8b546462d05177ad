package io.github.a6sdk.benchmarks.defaults;

import io.github.a6sdk.api.ApisixPlugin;

/** The benchmark plugin {@code throw}, declared as a user writes a plugin: no {@code blocking} attribute. */
@ApisixPlugin(name = "throw")
public final class Throw extends io.github.a6sdk.benchmarks.plugins.Throw {}

package io.github.a6sdk.benchmarks.defaults;

import io.github.a6sdk.api.ApisixPlugin;

/** The benchmark plugin {@code noop}, declared as a user writes a plugin: no {@code blocking} attribute. */
@ApisixPlugin(name = "noop")
public final class Noop extends io.github.a6sdk.benchmarks.plugins.Noop {}

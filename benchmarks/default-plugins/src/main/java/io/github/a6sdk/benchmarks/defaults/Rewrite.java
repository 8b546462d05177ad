package io.github.a6sdk.benchmarks.defaults;

import io.github.a6sdk.api.ApisixPlugin;

/** The benchmark plugin {@code rewrite}, declared as a user writes a plugin: no {@code blocking} attribute. */
@ApisixPlugin(name = "rewrite")
public final class Rewrite extends io.github.a6sdk.benchmarks.plugins.Rewrite {}

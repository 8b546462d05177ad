package io.github.a6sdk.benchmarks.defaults;

import io.github.a6sdk.api.ApisixPlugin;

/** The benchmark plugin {@code vars}, declared as a user writes a plugin: no {@code blocking} attribute. */
@ApisixPlugin(name = "vars", vars = {"remote_addr"}, requestBody = true)
public final class Vars extends io.github.a6sdk.benchmarks.plugins.Vars {}

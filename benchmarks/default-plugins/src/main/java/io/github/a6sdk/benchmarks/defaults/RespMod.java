package io.github.a6sdk.benchmarks.defaults;

import io.github.a6sdk.api.ApisixPlugin;

/** The benchmark plugin {@code respmod}, declared as a user writes a plugin: no {@code blocking} attribute. */
@ApisixPlugin(name = "respmod")
public final class RespMod extends io.github.a6sdk.benchmarks.plugins.RespMod {}

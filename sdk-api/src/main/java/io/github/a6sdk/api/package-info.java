/**
 * What a plugin author uses: {@link io.github.a6sdk.api.ApisixPlugin}, the filter interfaces
 * {@link io.github.a6sdk.api.RequestFilter} and {@link io.github.a6sdk.api.ResponseFilter}, the
 * views they receive, and the start hook {@link io.github.a6sdk.api.Startable} with its
 * {@link io.github.a6sdk.api.PluginContext}. Parameters and results are non-null unless a method says otherwise.
 */
package io.github.a6sdk.api;

/**
 * What a plugin author uses: {@link io.github.a6sdk.api.ApisixPlugin}, the filter interfaces
 * {@link io.github.a6sdk.api.RequestFilter} and {@link io.github.a6sdk.api.ResponseFilter}, and the
 * views they receive. Parameters and results are non-null unless a method says otherwise.
 */
package io.github.a6sdk.api;

package io.github.a6sdk.runtime.call;

import io.github.a6sdk.api.RequestState;

/** The request state a plugin may use: only what it declared. */
final class DeclaredState {
    private DeclaredState() {}

    /** {@code state}, or the error of a plugin that did not declare request state when it is {@code null}. */
    static RequestState declared(RequestState state) {
        if (state == null) {
            throw new IllegalStateException("request state is not declared: add requestState = true to the plugin's"
                    + " @ApisixPlugin, so that its chain fetches the request id");
        }
        return state;
    }
}

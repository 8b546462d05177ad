package io.github.a6sdk.runtime.call;

/** The error of a plugin that uses request state without declaring it. */
final class RequestStateMissing {
    private RequestStateMissing() {}

    static IllegalStateException notDeclared() {
        return new IllegalStateException("request state is not declared: add requestState = true to the plugin's"
                + " @ApisixPlugin, so that its chain fetches the request id");
    }
}

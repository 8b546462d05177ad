package org.acme;

import io.github.a6sdk.api.*;

// README "Writing a plugin" quotes the processor's error for this file (ReadmeMessagesTest checks it).

@ApisixPlugin(name = "auth")
public final class Auth implements RequestFilter<Auth.Config> {
    public static final class Config {
        public String header;
    }

    @Override
    public void filter(Config config, HttpRequest request, HttpResponse response) {}
}

package org.acme;

import io.github.a6sdk.api.*;

// README "Writing a plugin" quotes the processor's error for this file (ReadmeMessagesTest checks it).

@ApisixPlugin(name = "Say Hello")
public final class Say implements RequestFilter<NoConfig> {
    @Override
    public void filter(NoConfig config, HttpRequest request, HttpResponse response) {}
}

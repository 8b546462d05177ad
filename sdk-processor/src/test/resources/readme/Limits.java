package org.acme;

import io.github.a6sdk.api.*;
import java.util.Set;

// README "Writing a plugin" quotes the processor's error for this file (ReadmeMessagesTest checks it).

@ApisixPlugin(name = "limits")
public final class Limits implements RequestFilter<Limits.Config> {
    public record Config(
            int limit,
            Set<String> rules) {}

    @Override
    public void filter(Config config, HttpRequest request, HttpResponse response) {}
}

package io.github.a6sdk.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.github.a6sdk.testkit.PluginChain;
import io.github.a6sdk.testkit.RequestOutcome;
import io.github.a6sdk.testkit.TestRequest;
import org.junit.jupiter.api.Test;

class ClientInfoTest {

    @Test
    void passesTheClientAddressAndTheBodyLengthUpstream() {
        RequestOutcome.Rewrite rw = PluginChain.of(new ClientInfo_Descriptor(), "")
                .request(TestRequest.post("/upload").sourceIp("203.0.113.9")
                        .header("content-type", "text/plain").body("twelve bytes"))
                .rewritten();
        assertEquals("203.0.113.9", rw.header("X-Client-Addr"));
        assertEquals("12", rw.header("X-Body-Length"));
    }

    @Test
    void doesNotReadTheBodyOfARequestWithoutContent() {
        RequestOutcome.Rewrite rw = PluginChain.of(new ClientInfo_Descriptor(), "{}")
                .request(TestRequest.get("/").var("remote_addr", "10.1.2.3"))
                .rewritten();
        assertEquals("10.1.2.3", rw.header("X-Client-Addr"));
        assertNull(rw.header("X-Body-Length"));
    }

    @Test
    void declaresRemoteAddrForPrefetchButNotTheBody() {
        ClientInfo_Descriptor d = new ClientInfo_Descriptor();
        assertEquals(java.util.List.of("remote_addr"), d.prefetchVars());
        assertEquals(false, d.prefetchRequestBody());
    }
}

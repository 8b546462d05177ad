package io.github.a6sdk.runtime.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.github.a6sdk.runtime.client.CallRequest;
import io.github.a6sdk.runtime.client.ExtraInfoAnswers;
import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.client.Reply;
import io.github.a6sdk.runtime.protocol.Encoder;
import io.github.a6sdk.runtime.protocol.FrameChannel;
import io.github.a6sdk.runtime.protocol.Rpc;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** APISIX's retry rule (docs/protocol.md section 4.4) against a runner that never knows the token. */
class ExtPluginClientTest {
    @TempDir Path dir;

    @Test
    void givesUpAfterThreeAttemptsEachWithAFreshPrepareConfAndConnection() throws Exception {
        Path sock = dir.resolve("r.sock");
        AtomicInteger prepares = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            Thread acceptor = new Thread(() -> {
                while (true) {
                    SocketChannel ch;
                    try {
                        ch = server.accept();
                    } catch (IOException e) {
                        return;
                    }
                    connections.incrementAndGet();
                    Thread t = new Thread(() -> serve(ch, prepares, calls));
                    t.setDaemon(true);
                    t.start();
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            try (ExtPluginClient client = new ExtPluginClient(sock)) {
                Reply r = client.call("route#1#ext-plugin-pre-req#1", List.of(new Field("say", "{}")), new CallRequest(),
                        new ExtraInfoAnswers());
                assertEquals(Rpc.ERR_CONF_TOKEN_NOT_FOUND, assertInstanceOf(Reply.Error.class, r).code());
                assertEquals(3, calls.get(), "three attempts");
                assertEquals(3, prepares.get(), "a new PrepareConf before each attempt");
                assertEquals(2, client.retryCount());
                assertEquals(null, client.token("route#1#ext-plugin-pre-req#1"), "tokens forgotten");
                // the call connections were closed after each error; PrepareConf connections were kept alive
                assertEquals(4, connections.get(), connections.toString());
            }
        }
    }

    private static void serve(SocketChannel ch, AtomicInteger prepares, AtomicInteger calls) {
        Encoder e = new Encoder();
        try (FrameChannel io = new FrameChannel(ch)) {
            while (io.readFrame()) {
                if (io.type() == Rpc.PREPARE_CONF) {
                    e.prepareConf(prepares.incrementAndGet());
                    io.append(Rpc.PREPARE_CONF, e.builder());
                } else {
                    calls.incrementAndGet();
                    e.error(Rpc.ERR_CONF_TOKEN_NOT_FOUND);
                    io.append(Rpc.ERROR, e.builder());
                }
                io.flush();
                io.endCall();
            }
        } catch (IOException | io.github.a6sdk.runtime.protocol.FrameTooLargeException ignored) {
            // client went away
        }
    }
}

package io.github.a6sdk.testkit;

import io.github.a6sdk.runtime.call.RequestView;
import io.github.a6sdk.runtime.call.StopResponse;
import io.github.a6sdk.runtime.call.UpstreamView;
import io.github.a6sdk.runtime.client.Reply;
import io.github.a6sdk.runtime.protocol.Encoder;
import io.github.a6sdk.runtime.protocol.FlatReader;
import java.nio.ByteBuffer;

/**
 * Turns the views a chain ran on into the reply the runner would send, by encoding them with the
 * runtime's own {@link Encoder} and decoding the buffer: what the test sees is what goes on the wire.
 */
final class WireReplies {
    private WireReplies() {}

    static Reply request(long id, RequestView request, StopResponse response) {
        Encoder e = new Encoder();
        if (response.isStopped()) {
            e.stop(id, response);
        } else if (request.isRewritten()) {
            e.rewrite(id, request);
        } else {
            e.pass(id);
        }
        return Reply.decodeRequestCall(reader(e));
    }

    static Reply.RespCall response(long id, UpstreamView response) {
        Encoder e = new Encoder();
        e.respCall(id, response);
        return Reply.decodeResponseCall(reader(e));
    }

    private static FlatReader reader(Encoder e) {
        ByteBuffer bb = e.builder().dataBuffer();
        return new FlatReader().reset(bb, bb.position(), bb.remaining());
    }
}

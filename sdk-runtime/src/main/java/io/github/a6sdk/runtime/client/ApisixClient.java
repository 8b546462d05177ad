package io.github.a6sdk.runtime.client;

import com.google.flatbuffers.FlatBufferBuilder;
import io.github.a6sdk.runtime.fbs.A6.TextEntry;
import io.github.a6sdk.runtime.protocol.FlatReader;
import io.github.a6sdk.runtime.protocol.FrameChannel;
import io.github.a6sdk.runtime.protocol.FrameException;
import io.github.a6sdk.runtime.protocol.FrameTooLargeException;
import io.github.a6sdk.runtime.protocol.Rpc;
import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;

/**
 * One connection that speaks APISIX's side of the ext-plugin protocol: PrepareConf, HTTPReqCall and
 * HTTPRespCall, answering ExtraInfo questions as APISIX does (docs/protocol.md sections 4 to 7). Used by
 * the test kit, the dev gateway and the runtime's own tests. Not thread-safe: one call at a time,
 * as APISIX does on a connection.
 */
public final class ApisixClient implements Closeable {
    private final SocketChannel channel;
    private final FrameChannel frames;
    private final FlatBufferBuilder b = new FlatBufferBuilder(1024);
    private final FlatReader reader = new FlatReader();

    private ApisixClient(SocketChannel channel) {
        this.channel = channel;
        this.frames = new FrameChannel(channel);
    }

    /**
     * Whether bytes beyond the last reply were received: a runner that retires a connection sends one
     * more frame after its reply, and nginx never pools a connection with unread data.
     */
    public boolean hasUnread() {
        return frames.hasUnread();
    }

    /**
     * Whether an idle connection may serve another call: see {@link #hasUnread}, and a non-blocking
     * read finds neither data nor end-of-file (the runner closed it while it was idle).
     */
    public boolean reusable() {
        if (frames.hasUnread()) {
            return false;
        }
        try {
            channel.configureBlocking(false);
            int n = channel.read(java.nio.ByteBuffer.allocate(1));
            channel.configureBlocking(true);
            return n == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    public static ApisixClient connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new ApisixClient(ch);
    }

    /** Sends a PrepareConf; the reply is a {@link Reply.Token} or a {@link Reply.Error}. */
    public Reply prepareConf(String key, List<Field> conf) throws IOException {
        b.clear();
        int confVec = conf == null ? 0 : entries(conf);
        int k = key == null ? 0 : b.createString(key);
        b.finish(io.github.a6sdk.runtime.fbs.A6.PrepareConf.Req.createReq(b, confVec, k));
        send(Rpc.PREPARE_CONF);
        int type = read();
        if (type == Rpc.PREPARE_CONF) {
            int t = reader.root();
            return new Reply.Token(reader.u32(t, 0));
        }
        return errorOrFail(type, "PrepareConf");
    }

    /** Sends an HTTPReqCall and answers ExtraInfo questions until the final reply. */
    public Reply call(long confToken, CallRequest req, ExtraInfoAnswers answers) throws IOException {
        b.clear();
        int ip = req.sourceIp == null ? 0 : b.createByteVector(req.sourceIp);
        int path = req.path == null ? 0 : b.createString(req.path);
        int args = req.args.isEmpty() ? 0 : entries(req.args);
        int headers = req.headers.isEmpty() ? 0 : entries(req.headers);
        b.finish(io.github.a6sdk.runtime.fbs.A6.HTTPReqCall.Req.createReq(
                b, req.id, ip, req.method, path, args, headers, confToken));
        send(Rpc.HTTP_REQ_CALL);
        int type = awaitFinal(answers);
        if (type != Rpc.HTTP_REQ_CALL) {
            return errorOrFail(type, "HTTPReqCall");
        }
        return Reply.decodeRequestCall(reader);
    }

    /** Sends an HTTPRespCall (upstream status and headers) and answers ExtraInfo questions. */
    public Reply respCall(long confToken, long id, int status, List<Field> upstreamHeaders, ExtraInfoAnswers answers)
            throws IOException {
        b.clear();
        int headers = upstreamHeaders.isEmpty() ? 0 : entries(upstreamHeaders);
        b.finish(io.github.a6sdk.runtime.fbs.A6.HTTPRespCall.Req.createReq(b, id, status, headers, confToken));
        send(Rpc.HTTP_RESP_CALL);
        int type = awaitFinal(answers);
        if (type != Rpc.HTTP_RESP_CALL) {
            return errorOrFail(type, "HTTPRespCall");
        }
        return Reply.decodeResponseCall(reader);
    }

    private int awaitFinal(ExtraInfoAnswers answers) throws IOException {
        while (true) {
            int type = read();
            if (type != Rpc.EXTRA_INFO) {
                return type;
            }
            int t = reader.root();
            int infoType = reader.u8(t, 0);
            byte[] result;
            switch (infoType) {
                case Rpc.INFO_VAR:
                    int v = reader.table(t, 1);
                    result = answers.var(v == 0 ? null : reader.string(v, 0));
                    break;
                case Rpc.INFO_REQ_BODY:
                    result = answers.requestBody();
                    break;
                case Rpc.INFO_RESP_BODY:
                    result = answers.responseBody();
                    break;
                default:
                    throw new IOException("unsupported info type: " + infoType);
            }
            frames.endCall();
            b.clear();
            int r = result == null ? 0 : b.createByteVector(result);
            b.finish(io.github.a6sdk.runtime.fbs.A6.ExtraInfo.Resp.createResp(b, r));
            send(Rpc.EXTRA_INFO);
        }
    }

    private Reply errorOrFail(int type, String call) throws IOException {
        if (type == Rpc.ERROR) {
            return new Reply.Error(reader.u8(reader.root(), 0));
        }
        throw new IOException("unexpected type " + type + " in reply to " + call);
    }

    private int read() throws IOException {
        frames.endCall();
        if (!frames.readFrame()) {
            throw new FrameException("closed");
        }
        frames.payload(reader);
        return frames.type();
    }

    private void send(int type) throws IOException {
        try {
            frames.append(type, b);
        } catch (FrameTooLargeException e) {
            throw new IOException(e.getMessage(), e);
        }
        frames.flush();
    }

    private int entries(List<Field> fields) {
        int[] offs = new int[fields.size()];
        for (int i = 0; i < offs.length; i++) {
            Field f = fields.get(i);
            int n = f.name() == null ? 0 : b.createString(f.name());
            int v = f.value() == null ? 0 : b.createString(f.value());
            offs[i] = TextEntry.createTextEntry(b, n, v);
        }
        b.startVector(4, offs.length, 4);
        for (int i = offs.length - 1; i >= 0; i--) {
            b.addOffset(offs[i]);
        }
        return b.endVector();
    }

    @Override
    public void close() throws IOException {
        frames.close();
    }
}

package io.github.a6sdk.runtime.protocol;

/** RPC type bytes and limits of the ext-plugin frame format (docs/protocol.md section 1). */
public final class Rpc {
    public static final int ERROR = 0;
    public static final int PREPARE_CONF = 1;
    public static final int HTTP_REQ_CALL = 2;
    public static final int EXTRA_INFO = 3;
    public static final int HTTP_RESP_CALL = 4;

    /** Frame header: 1 type byte and a 3-byte big-endian payload length. */
    public static final int HEADER_SIZE = 4;
    /** The largest payload a 3-byte length can announce: 2^24 - 1. */
    public static final int MAX_PAYLOAD = 0xFF_FFFF;

    /** {@code A6.Err.Code}. */
    public static final int ERR_BAD_REQUEST = 0;
    public static final int ERR_SERVICE_UNAVAILABLE = 1;
    public static final int ERR_CONF_TOKEN_NOT_FOUND = 2;

    /** {@code A6.HTTPReqCall.Action}. */
    public static final int ACTION_NONE = 0;
    public static final int ACTION_STOP = 1;
    public static final int ACTION_REWRITE = 2;

    /** {@code A6.ExtraInfo.Info}. */
    public static final int INFO_VAR = 1;
    public static final int INFO_REQ_BODY = 2;
    public static final int INFO_RESP_BODY = 3;

    private Rpc() {}

    public static String typeName(int type) {
        switch (type) {
            case ERROR: return "RPC_ERROR";
            case PREPARE_CONF: return "RPC_PREPARE_CONF";
            case HTTP_REQ_CALL: return "RPC_HTTP_REQ_CALL";
            case EXTRA_INFO: return "RPC_EXTRA_INFO";
            case HTTP_RESP_CALL: return "RPC_HTTP_RESP_CALL";
            default: return "unknown RPC type " + type;
        }
    }
}

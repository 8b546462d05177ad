package io.github.a6sdk.runtime.reliability;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.a6sdk.runtime.protocol.Rpc;
import org.junit.jupiter.api.Tag;

/**
 * Jazzer fuzz targets of the frame reader and every decoder. In the default test run Jazzer only
 * replays the committed inputs (seeds and any crash found); {@code JAZZER_FUZZ=1} fuzzes (FUZZING.md).
 * The property lives in {@link WireFuzz}: a value or DecodeException/FrameException, nothing else.
 */
@Tag("jazzer")
class DecoderFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void prepareConf(byte[] data) {
        WireFuzz.decodePayload(Rpc.PREPARE_CONF, data);
    }

    @FuzzTest(maxDuration = "10m")
    void httpReqCall(byte[] data) {
        WireFuzz.decodePayload(Rpc.HTTP_REQ_CALL, data);
    }

    @FuzzTest(maxDuration = "10m")
    void httpRespCall(byte[] data) {
        WireFuzz.decodePayload(Rpc.HTTP_RESP_CALL, data);
    }

    @FuzzTest(maxDuration = "10m")
    void extraInfo(byte[] data) {
        WireFuzz.decodePayload(Rpc.EXTRA_INFO, data);
    }

    @FuzzTest(maxDuration = "10m")
    void errorAndUnknown(byte[] data) {
        WireFuzz.decodePayload(Rpc.ERROR, data);
        WireFuzz.decodePayload(200, data);
    }

    @FuzzTest(maxDuration = "10m")
    void frames(byte[] data) {
        WireFuzz.readFrames(data, data.length);
    }
}

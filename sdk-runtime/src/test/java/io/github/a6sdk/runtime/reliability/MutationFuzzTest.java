package io.github.a6sdk.runtime.reliability;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.a6sdk.runtime.client.Field;
import io.github.a6sdk.runtime.protocol.DecodeException;
import io.github.a6sdk.runtime.protocol.FlatReader;
import io.github.a6sdk.runtime.protocol.Rpc;
import io.github.a6sdk.runtime.protocol.WirePrepareConf;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A seeded-random mutation fuzzer over the committed corpus, in the regular suite (a bounded
 * number of inputs, a few seconds), with the same property as the Jazzer targets; plus the
 * hand-made hostile shapes the property must cover.
 */
class MutationFuzzTest {
    private static final int MUTANTS_PER_SEED = 1500;

    private static void fuzz(String target, int type) throws Exception {
        List<byte[]> corpus = SeedCorpus.committed(target);
        assertFalse(corpus.isEmpty(), "no corpus for " + target);
        Random rnd = new Random(0xA6_5EEDL ^ target.hashCode());
        for (byte[] seed : corpus) {
            run(target, type, seed);
            for (int i = 0; i < MUTANTS_PER_SEED; i++) {
                run(target, type, WireFuzz.mutate(seed, rnd));
            }
        }
    }

    private static void run(String target, int type, byte[] input) {
        try {
            if (type < 0) {
                WireFuzz.readFrames(input, input.length);
            } else {
                WireFuzz.decodePayload(type, input);
            }
        } catch (RuntimeException | AssertionError | StackOverflowError e) {
            throw new AssertionError(target + " failed on input " + Arrays.toString(input) + ": " + e, e);
        }
    }

    @Test
    @Timeout(60)
    void prepareConf() throws Exception {
        fuzz("prepareConf", Rpc.PREPARE_CONF);
    }

    @Test
    @Timeout(60)
    void httpReqCall() throws Exception {
        fuzz("httpReqCall", Rpc.HTTP_REQ_CALL);
    }

    @Test
    @Timeout(60)
    void httpRespCall() throws Exception {
        fuzz("httpRespCall", Rpc.HTTP_RESP_CALL);
    }

    @Test
    @Timeout(60)
    void extraInfo() throws Exception {
        fuzz("extraInfo", Rpc.EXTRA_INFO);
    }

    @Test
    @Timeout(60)
    void errorAndUnknown() throws Exception {
        fuzz("errorAndUnknown", Rpc.ERROR);
    }

    @Test
    @Timeout(60)
    void frames() throws Exception {
        fuzz("frames", -1);
    }

    @Test
    void everyTypeOnPureGarbage() {
        Random rnd = new Random(42);
        for (int i = 0; i < 3000; i++) {
            byte[] junk = new byte[rnd.nextInt(96)];
            rnd.nextBytes(junk);
            WireFuzz.decodeAsEveryType(junk);
            WireFuzz.readFrames(junk, i);
        }
    }

    private static FlatReader reader(byte[] b) {
        return new FlatReader().reset(ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN), 0, b.length);
    }

    /** A vector whose declared length runs past the buffer is refused before anything is allocated. */
    @Test
    void vectorLengthPastTheBufferIsRefused() {
        byte[] p = Harness.prepareConfPayload("k", List.of(Field.of("a", "b")));
        // Find the conf vector's length (1) and make it 2^31 - 1.
        FlatReader r = reader(p);
        int vec = r.vector(r.root(), 0, 4);
        ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN).putInt(vec - 4, Integer.MAX_VALUE);
        DecodeException e = assertThrows(DecodeException.class, () -> WirePrepareConf.entries(reader(p)));
        assertTrue(e.getMessage().contains("runs past the payload"), e.getMessage());
        WireFuzz.decodeAsEveryType(p);
    }

    /**
     * Many entries pointing at one big string: the decoder stops at its budget instead of decoding
     * the same bytes once per entry (this decoded to gigabytes before the budget).
     */
    @Test
    @Timeout(20)
    void sharedOffsetsDoNotAmplify() {
        int entries = 200_000;
        byte[] big = new byte[1 << 20];
        Arrays.fill(big, (byte) 'x');
        com.google.flatbuffers.FlatBufferBuilder b = new com.google.flatbuffers.FlatBufferBuilder(2 << 20);
        int s = b.createString(ByteBuffer.wrap(big));
        int entry = io.github.a6sdk.runtime.fbs.A6.TextEntry.createTextEntry(b, s, s);
        b.startVector(4, entries, 4);
        for (int i = 0; i < entries; i++) {
            b.addOffset(entry);
        }
        int vec = b.endVector();
        b.finish(io.github.a6sdk.runtime.fbs.A6.PrepareConf.Req.createReq(b, vec, 0));
        byte[] payload = b.sizedByteArray();
        DecodeException e = assertThrows(DecodeException.class, () -> WirePrepareConf.entries(reader(payload)));
        assertTrue(e.getMessage().contains("decodes to more than"), e.getMessage());
        WireFuzz.decodeAsEveryType(payload);
    }

    /** Offsets that point backwards or at themselves cannot loop: every hop is checked and forward. */
    @Test
    @Timeout(10)
    void selfReferencingOffsetsEndInADecodeError() {
        byte[] p = new byte[64];
        ByteBuffer bb = ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN);
        bb.putInt(0, 0); // root offset 0: the root table would be at 0, its vtable at 0 - soffset
        WireFuzz.decodeAsEveryType(p);
        bb.putInt(0, 8);
        bb.putInt(8, 8); // vtable at 0
        bb.putShort(0, (short) 8);
        bb.putShort(2, (short) 8);
        bb.putShort(4, (short) 4); // field 0 at table+4, pointing back at the table itself
        bb.putInt(12, 0);
        WireFuzz.decodeAsEveryType(p);
        List<byte[]> all = new ArrayList<>();
        for (int root = 0; root < 64; root += 4) {
            byte[] q = p.clone();
            ByteBuffer.wrap(q).order(ByteOrder.LITTLE_ENDIAN).putInt(0, root);
            all.add(q);
        }
        for (byte[] q : all) {
            WireFuzz.decodeAsEveryType(q);
            WireFuzz.readFrames(Harness.frame(Rpc.HTTP_REQ_CALL, q), 1);
        }
    }

    /** A header announcing 16 MiB followed by 10 bytes costs memory for the 10 bytes, not 16 MiB. */
    @Test
    void hugeAnnouncedLengthAllocatesOnlyWhatArrives() {
        byte[] stream = {2, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        for (int seed = 0; seed < 50; seed++) {
            WireFuzz.readFrames(stream, seed);
        }
    }
}

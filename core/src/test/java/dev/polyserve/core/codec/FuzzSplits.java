package dev.polyserve.core.codec;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * How the fuzz targets cut a stream the way reads on a socket would: the fuzzer picks up to 8 cut points first,
 * the rest of its input is the stream. Decoders must give the same events whatever the cuts.
 */
final class FuzzSplits {
    private FuzzSplits() {}

    /** Most cut points drawn from one input: enough to split every field of a small frame. */
    static final int MAX_CUTS = 8;

    record Input(byte[] stream, List<ByteBuffer> pieces) {}

    static Input draw(FuzzedDataProvider data) {
        int cutCount = data.consumeInt(0, MAX_CUTS);
        List<Integer> cuts = new ArrayList<>();
        for (int i = 0; i < cutCount; i++) cuts.add(data.consumeInt(0, 1 << 16));
        byte[] stream = data.consumeRemainingAsBytes();
        return new Input(stream, Chunks.split(stream, cuts));
    }
}

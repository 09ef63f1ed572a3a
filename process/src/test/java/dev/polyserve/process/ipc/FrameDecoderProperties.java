package dev.polyserve.process.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class FrameDecoderProperties {
    static final int LIMIT = 4096;

    /** Any messages, encoded back to back and fed in chunks of any sizes, decode to exactly those messages. */
    @Property
    void anySplitDecodesToTheSameMessages(@ForAll @Size(max = 8) List<@Size(max = 600) byte[]> messages,
                                          @ForAll @Size(min = 1, max = 20) List<@IntRange(min = 1, max = 700) Integer> chunkSizes)
            throws FrameTooLargeException {
        ByteBuffer wire = ByteBuffer.allocate(messages.stream().mapToInt(m -> m.length + 4).sum());
        messages.forEach(m -> wire.put(FrameDecoder.encode(m)));
        wire.flip();
        FrameDecoder d = new FrameDecoder(LIMIT);
        List<byte[]> got = new ArrayList<>();
        for (int i = 0; wire.hasRemaining(); i++) {
            int n = Math.min(wire.remaining(), chunkSizes.get(i % chunkSizes.size()));
            got.addAll(d.feed(wire.slice(wire.position(), n)));
            wire.position(wire.position() + n);
        }
        assertThat(got).containsExactlyElementsOf(messages);
        assertThat(d.atBoundary()).isTrue();
    }

    /** A stream cut anywhere inside a frame is never at a boundary, so EOF there is reported as an error. */
    @Property
    void aCutInsideAFrameIsNotABoundary(@ForAll @Size(max = 100) byte[] message, @ForAll @IntRange(min = 1, max = 103) int cut)
            throws FrameTooLargeException {
        ByteBuffer frame = FrameDecoder.encode(message);
        int at = Math.min(cut, frame.remaining() - 1);
        FrameDecoder d = new FrameDecoder(LIMIT);
        assertThat(d.feed(frame.slice(0, at))).isEmpty();
        assertThat(d.atBoundary()).isEqualTo(at == 0);
    }
}

package dev.polyserve.process.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {

    /** Any messages, encoded back to back and cut into any chunks, decode to the same messages. */
    @Test
    void anySplitOfAnyMessagesDecodesToTheSameMessages() throws Exception {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 500; trial++) {
            List<byte[]> messages = new ArrayList<>();
            ByteBuffer wire = ByteBuffer.allocate(1 << 16);
            int count = rnd.nextInt(6);
            for (int i = 0; i < count; i++) {
                byte[] m = new byte[rnd.nextInt(rnd.nextBoolean() ? 8 : 3000)];
                rnd.nextBytes(m);
                messages.add(m);
                wire.put(FrameDecoder.encode(m));
            }
            wire.flip();
            FrameDecoder d = new FrameDecoder(4096);
            List<byte[]> got = new ArrayList<>();
            while (wire.hasRemaining()) {
                int n = Math.min(wire.remaining(), 1 + rnd.nextInt(rnd.nextBoolean() ? 3 : 5000));
                ByteBuffer chunk = wire.slice(wire.position(), n);
                wire.position(wire.position() + n);
                got.addAll(d.feed(chunk));
            }
            assertThat(got).as("trial %d", trial).containsExactlyElementsOf(messages);
            assertThat(d.atBoundary()).isTrue();
        }
    }

    @Test
    void negativeOrOversizedLengthsAreRefused() {
        assertThatThrownBy(() -> new FrameDecoder(10).feed(ByteBuffer.allocate(4).putInt(11).flip()))
                .isInstanceOf(FrameTooLargeException.class);
        assertThatThrownBy(() -> new FrameDecoder(10).feed(ByteBuffer.allocate(4).putInt(-1).flip()))
                .hasMessageContaining("4294967295 bytes");
    }
}

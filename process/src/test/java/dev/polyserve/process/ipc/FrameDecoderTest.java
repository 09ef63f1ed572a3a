package dev.polyserve.process.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {

    @Test
    void negativeOrOversizedLengthsAreRefused() {
        assertThatThrownBy(() -> new FrameDecoder(10).feed(ByteBuffer.allocate(4).putInt(11).flip()))
                .isInstanceOf(FrameTooLargeException.class);
        assertThatThrownBy(() -> new FrameDecoder(10).feed(ByteBuffer.allocate(4).putInt(-1).flip()))
                .hasMessageContaining("4294967295 bytes");
    }

    @Test
    void messagesBeforeAnOversizedFrameInTheSameReadAreDeliveredThenItFails() throws FrameTooLargeException {
        // Found by FrameDecoderFuzzTest: read in one piece, the message before the bad frame was lost; split, it
        // was delivered.
        FrameDecoder d = new FrameDecoder(10);
        ByteBuffer wire = ByteBuffer.allocate(13).putInt(1).put((byte) 'a').putInt(0).putInt(-1).flip();
        assertThat(d.feed(wire)).containsExactly(new byte[] {'a'}, new byte[0]);
        assertThat(d.atBoundary()).as("a failed stream never ends cleanly").isFalse();
        assertThatThrownBy(d::checkFailed).isInstanceOf(FrameTooLargeException.class);
        assertThatThrownBy(() -> d.feed(ByteBuffer.allocate(4).putInt(1).flip())).isInstanceOf(FrameTooLargeException.class);
    }
}

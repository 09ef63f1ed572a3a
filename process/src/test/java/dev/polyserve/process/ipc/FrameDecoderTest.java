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
}

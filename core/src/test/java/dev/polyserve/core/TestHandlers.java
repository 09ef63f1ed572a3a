package dev.polyserve.core;

import java.nio.ByteBuffer;

/** Handlers the core tests serve (core cannot see the services module). */
public final class TestHandlers {
    /** Unsent bytes past which the echo stops reading until they drain. */
    static final long HIGH_WATERMARK = 64 * 1024;

    private TestHandlers() {}

    /** Echoes every byte back, pausing reads while the peer is slower than its own sending. */
    public static Service echo() {
        return () -> new Handler() {
            @Override
            public void onRead(Conn c, ByteBuffer in) {
                c.write(ByteBuffer.allocate(in.remaining()).put(in).flip());
                if (c.queuedBytes() > HIGH_WATERMARK) {
                    c.pauseReading();
                    if (c.queuedBytes() == 0) {
                        c.resumeReading();
                    }
                }
            }

            @Override
            public void onDrained(Conn c) {
                c.resumeReading();
            }
        };
    }
}

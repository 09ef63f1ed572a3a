package dev.polyserve.core.codec;

import java.nio.ByteBuffer;

/** Small buffer moves the decoders share. */
final class Codecs {
    private Codecs() {}

    /** Copies from {@code in} into {@code into} until one of them runs out. */
    static void fill(ByteBuffer into, ByteBuffer in) {
        int n = Math.min(into.remaining(), in.remaining());
        into.put(into.position(), in, in.position(), n);
        into.position(into.position() + n);
        in.position(in.position() + n);
    }
}

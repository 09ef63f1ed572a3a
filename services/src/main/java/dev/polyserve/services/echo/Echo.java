package dev.polyserve.services.echo;

import java.nio.ByteBuffer;

/**
 * The echo protocol, without I/O: every byte in comes back out, optionally upper-cased the way the course's
 * server does it ({@code data.upper()} on bytes: ASCII letters only, so UTF-8 text stays valid).
 */
public final class Echo {
    private final boolean upper;

    public Echo(boolean upper) {
        this.upper = upper;
    }

    /** The reply to {@code in} (consumed): a new buffer, ready to send. */
    public ByteBuffer reply(ByteBuffer in) {
        ByteBuffer out = ByteBuffer.allocate(in.remaining());
        if (upper) {
            while (in.hasRemaining()) {
                byte b = in.get();
                out.put(b >= 'a' && b <= 'z' ? (byte) (b - ('a' - 'A')) : b);
            }
        } else {
            out.put(in);
        }
        return out.flip();
    }
}

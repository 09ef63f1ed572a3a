package dev.polyserve.core.codec;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * The plain "sticky packet" fix: each payload is preceded by its length as a 4-byte big-endian unsigned
 * integer. Payloads are buffered whole, so the limit also bounds the memory one connection can pin.
 */
public final class LengthPrefixedDecoder implements Decoder<byte[]> {

    /** Bytes of the length prefix. */
    public static final int PREFIX_BYTES = 4;

    /**
     * Default largest payload: 16 MiB. Payloads are held in memory whole; 16 MiB is Kafka's and gRPC's order of
     * magnitude for one message and keeps a thousand hostile peers under a few GiB only if they all max out.
     * Use {@link HeaderBodyDecoder} for anything file-sized: it streams.
     */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 16 << 20;

    private final int maxPayloadBytes;
    private final ByteBuffer prefix = ByteBuffer.allocate(PREFIX_BYTES);
    private byte[] payload;
    private int filled;

    public LengthPrefixedDecoder(int maxPayloadBytes) {
        if (maxPayloadBytes < 0) throw new IllegalArgumentException("max payload bytes must not be negative");
        this.maxPayloadBytes = maxPayloadBytes;
    }

    /** The wire form of {@code payload}: its length, then its bytes. */
    public static ByteBuffer encode(byte[] payload) {
        ByteBuffer out = ByteBuffer.allocate(PREFIX_BYTES + payload.length);
        out.putInt(payload.length).put(payload).flip();
        return out;
    }

    @Override
    public void decode(ByteBuffer in, Consumer<? super byte[]> out) throws ProtocolException {
        while (in.hasRemaining()) {
            if (payload == null) {
                Codecs.fill(prefix, in);
                if (prefix.hasRemaining()) return;
                long length = Integer.toUnsignedLong(prefix.flip().getInt());
                prefix.clear();
                if (length > maxPayloadBytes) {
                    throw new ProtocolException("payload of " + length + " bytes is over the limit of "
                            + maxPayloadBytes + " bytes");
                }
                payload = new byte[(int) length];
                filled = 0;
            }
            int n = Math.min(in.remaining(), payload.length - filled);
            in.get(payload, filled, n);
            filled += n;
            if (filled == payload.length) {
                byte[] done = payload;
                payload = null;
                out.accept(done);
            }
        }
    }

    @Override
    public boolean midFrame() {
        return payload != null || prefix.position() > 0;
    }
}

package dev.polyserve.core.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/** Writes frames that {@link HeaderBodyDecoder} reads: the header's {@code size} is set from the body. */
public final class HeaderBodyEncoder {
    private HeaderBodyEncoder() {}

    /** A whole frame. {@code header} gets {@code "size": body.length}. */
    public static ByteBuffer encode(ObjectNode header, byte[] body) {
        byte[] head = headerBytes(header, body.length);
        ByteBuffer out = ByteBuffer.allocate(LengthPrefixedDecoder.PREFIX_BYTES + head.length + body.length);
        out.putInt(head.length).put(head).put(body).flip();
        return out;
    }

    /** The prefix and header of a frame whose {@code size} body bytes the caller sends next (streaming). */
    public static ByteBuffer encodeHeader(ObjectNode header, long size) {
        byte[] head = headerBytes(header, size);
        ByteBuffer out = ByteBuffer.allocate(LengthPrefixedDecoder.PREFIX_BYTES + head.length);
        out.putInt(head.length).put(head).flip();
        return out;
    }

    private static byte[] headerBytes(ObjectNode header, long size) {
        ObjectNode withSize = header.deepCopy();
        withSize.put(HeaderBodyDecoder.SIZE_FIELD, size);
        try {
            return HeaderBodyDecoder.JSON.writeValueAsBytes(withSize);
        } catch (JsonProcessingException e) {
            // A tree of plain JSON nodes always serialises; this is a bug, not input.
            throw new UncheckedIOException(e);
        }
    }
}

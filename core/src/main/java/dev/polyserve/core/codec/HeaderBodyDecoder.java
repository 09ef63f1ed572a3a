package dev.polyserve.core.codec;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * The course's frame: a 4-byte big-endian header length, a UTF-8 JSON object of that length, then a body of
 * {@code header.size} bytes (absent means 0), e.g. {@code {"type":"file","name":"a.txt","size":1234}}.
 *
 * <p>Bodies up to {@link FrameLimits#streamThresholdBytes()} arrive whole in a {@link Frame}; larger ones arrive
 * as {@link BodyStart}, any number of {@link BodyChunk}s as the bytes come in, and {@link BodyEnd}.
 */
public final class HeaderBodyDecoder implements Decoder<HeaderBodyDecoder.Event> {

    /** The header field that gives the body's size in bytes. */
    public static final String SIZE_FIELD = "size";

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** One decoded piece of the stream. */
    public sealed interface Event permits Frame, BodyStart, BodyChunk, BodyEnd {}

    /** A whole frame: its header and its (small) body. */
    public record Frame(ObjectNode header, byte[] body) implements Event {}

    /** A frame with a large body begins; {@code size} bytes follow as chunks. */
    public record BodyStart(ObjectNode header, long size) implements Event {}

    /** The next bytes of the current large body (a copy the receiver owns). */
    public record BodyChunk(byte[] bytes) implements Event {}

    /** The current large body is complete. */
    public record BodyEnd() implements Event {}

    private enum State { PREFIX, HEADER, SMALL_BODY, STREAMED_BODY }

    private final FrameLimits limits;
    private final ByteBuffer prefix = ByteBuffer.allocate(LengthPrefixedDecoder.PREFIX_BYTES);
    private State state = State.PREFIX;
    private ByteBuffer header;
    private ObjectNode currentHeader;
    private ByteBuffer smallBody;
    private long streamedLeft;

    public HeaderBodyDecoder(FrameLimits limits) {
        this.limits = limits;
    }

    @Override
    public void decode(ByteBuffer in, Consumer<? super Event> out) throws ProtocolException {
        while (true) {
            switch (state) {
                case PREFIX -> {
                    if (!in.hasRemaining()) return;
                    Codecs.fill(prefix, in);
                    if (prefix.hasRemaining()) return;
                    long length = Integer.toUnsignedLong(prefix.flip().getInt());
                    prefix.clear();
                    if (length > limits.maxHeaderBytes()) {
                        throw new ProtocolException("frame header of " + length + " bytes is over the limit of "
                                + limits.maxHeaderBytes() + " bytes");
                    }
                    header = ByteBuffer.allocate((int) length);
                    state = State.HEADER;
                }
                case HEADER -> {
                    Codecs.fill(header, in);
                    if (header.hasRemaining()) return;
                    currentHeader = parseHeader(header.array());
                    header = null;
                    long size = bodySize(currentHeader);
                    if (size <= limits.streamThresholdBytes()) {
                        smallBody = ByteBuffer.allocate((int) size);
                        state = State.SMALL_BODY;
                    } else {
                        streamedLeft = size;
                        state = State.STREAMED_BODY;
                        out.accept(new BodyStart(currentHeader, size));
                    }
                }
                case SMALL_BODY -> {
                    Codecs.fill(smallBody, in);
                    if (smallBody.hasRemaining()) return;
                    Frame frame = new Frame(currentHeader, smallBody.array());
                    smallBody = null;
                    currentHeader = null;
                    state = State.PREFIX;
                    out.accept(frame);
                }
                case STREAMED_BODY -> {
                    int n = (int) Math.min(in.remaining(), streamedLeft);
                    if (n > 0) {
                        byte[] chunk = new byte[n];
                        in.get(chunk);
                        streamedLeft -= n;
                        out.accept(new BodyChunk(chunk));
                    }
                    if (streamedLeft > 0) return;
                    currentHeader = null;
                    state = State.PREFIX;
                    out.accept(new BodyEnd());
                }
            }
        }
    }

    @Override
    public boolean midFrame() {
        return state != State.PREFIX || prefix.position() > 0;
    }

    private static ObjectNode parseHeader(byte[] bytes) throws ProtocolException {
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (JacksonException e) {
            throw new ProtocolException("malformed JSON frame header: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ProtocolException("unreadable JSON frame header: " + e.getMessage(), e);
        }
        if (node instanceof ObjectNode object) return object;
        throw new ProtocolException("frame header is not a JSON object");
    }

    private long bodySize(ObjectNode header) throws ProtocolException {
        JsonNode size = header.get(SIZE_FIELD);
        if (size == null || size.isNull()) return 0;
        if (!size.isIntegralNumber() || !size.canConvertToLong() || size.asLong() < 0) {
            throw new ProtocolException("frame header field \"size\" must be a non-negative integer, got " + size);
        }
        long n = size.asLong();
        if (n > limits.maxBodyBytes()) {
            throw new ProtocolException("frame body of " + n + " bytes is over the limit of "
                    + limits.maxBodyBytes() + " bytes");
        }
        return n;
    }
}

package dev.polyserve.core.codec;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * The shape every polyserve codec shares: a sans-I/O decoder that takes bytes as they arrive (split at any
 * boundary, many frames glued together) and hands complete events to a consumer, in order.
 *
 * <p>A decoder keeps the bytes of an unfinished frame between calls, so a handler can feed it straight from
 * {@link dev.polyserve.core.Handler#onRead}. After a {@link ProtocolException} the stream is out of sync and the
 * decoder must not be fed again: the handler closes the connection with the exception's reason.
 *
 * @param <E> what one decoded unit is (a line, a payload, a frame event)
 */
public interface Decoder<E> {

    /** Consumes every remaining byte of {@code in}, passing each complete event to {@code out}. */
    void decode(ByteBuffer in, Consumer<? super E> out) throws ProtocolException;

    /** True while bytes of an unfinished frame are held: end of stream now means a truncated frame. */
    boolean midFrame();
}

package dev.polyserve.services.http;

import java.nio.ByteBuffer;

/** What the request parser gives back for the bytes it was fed (h11's events). */
sealed interface HttpEvent permits RequestHead, HttpEvent.BodyData, HttpEvent.EndOfMessage, HttpEvent.NeedData {

    /** Some body bytes. The buffer is a view into the parser and is valid only until the parser's next call. */
    record BodyData(ByteBuffer data) implements HttpEvent {}

    /** The current request is complete; the next event belongs to the next request. */
    enum EndOfMessage implements HttpEvent { INSTANCE }

    /** Nothing more can be parsed until more bytes are fed. */
    enum NeedData implements HttpEvent { INSTANCE }
}

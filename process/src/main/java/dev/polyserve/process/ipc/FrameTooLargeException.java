package dev.polyserve.process.ipc;

import java.io.IOException;

/** A peer announced a message longer than the channel accepts; the stream cannot be resynchronised. */
public final class FrameTooLargeException extends IOException {
    FrameTooLargeException(long announced, int limit) {
        super("message of " + announced + " bytes exceeds the limit of " + limit + " bytes");
    }
}

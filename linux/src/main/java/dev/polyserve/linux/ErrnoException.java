package dev.polyserve.linux;

import java.io.IOException;

/** A failed system call: which call, the errno's name and the C library's text for it. */
final class ErrnoException extends IOException {
    private final String call;
    private final int errno;

    ErrnoException(String call, int errno) {
        super(call + ": " + Errno.name(errno) + " (" + Libc.strerror(errno) + ")");
        this.call = call;
        this.errno = errno;
    }

    String call() {
        return call;
    }

    int errno() {
        return errno;
    }

    String errnoName() {
        return Errno.name(errno);
    }
}

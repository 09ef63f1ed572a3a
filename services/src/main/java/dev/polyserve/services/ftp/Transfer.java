package dev.polyserve.services.ftp;

import java.nio.channels.FileChannel;

/** What one data connection carries, decided by the control session and run by a {@link DataLink}. */
sealed interface Transfer {

    /** RETR: {@code count} bytes of {@code file} from {@code position}; ASCII mode turns LF into CRLF. */
    record SendFile(FileChannel file, long position, long count, boolean ascii) implements Transfer {}

    /** LIST, NLST, MLSD: bytes built by the session (already in network form). */
    record SendBytes(byte[] bytes) implements Transfer {}

    /** STOR, APPE, STOU: bytes from the client into {@code upload}; ASCII mode turns CRLF into LF. */
    record Receive(Upload upload, boolean ascii) implements Transfer {}

    /** Releases what the transfer holds when it never ran (no data connection came). */
    default void discard() {
        switch (this) {
            case SendFile s -> {
                try {
                    s.file().close();
                } catch (java.io.IOException ignored) {
                    // Closing a read-only channel that was never used: nothing to lose.
                }
            }
            case SendBytes b -> {}
            case Receive r -> r.upload().discard();
        }
    }
}

package dev.polyserve.cli.ftp;

import java.util.Locale;

/**
 * How a transfer ended, for the one line the shell prints about it.
 *
 * @param offset    bytes the destination already had (a resume)
 * @param moved     bytes this transfer moved
 * @param total     the file's whole size, or -1 if the server did not say
 * @param nanos     how long the data moved
 * @param cancelled cut short by {@link FtpClientSession#cancel} (Ctrl-C)
 */
record TransferOutcome(long offset, long moved, long total, long nanos, boolean cancelled) {
    /** Bytes the destination has now. */
    long have() {
        return offset + moved;
    }

    /** {@code 5.0 MiB in 1.2 s (4.1 MiB/s)}, with what a resume skipped. */
    String summary() {
        double secs = nanos / 1e9;
        StringBuilder b = new StringBuilder();
        b.append(ProgressBar.size(moved));
        if (moved > 0 && secs > 0) {
            b.append(String.format(Locale.ROOT, " in %.1f s (%s/s)", secs, ProgressBar.size((long) (moved / secs))));
        }
        if (offset > 0) b.append(", resumed at ").append(ProgressBar.size(offset));
        return b.toString();
    }
}

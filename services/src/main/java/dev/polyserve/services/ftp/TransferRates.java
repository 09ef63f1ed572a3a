package dev.polyserve.services.ftp;

/**
 * Bandwidth limits for file transfers (RETR; STOR, APPE, STOU), in bytes a second; 0 means no limit. A session's
 * limit applies to each control connection on its own; a total limit is shared by every session of the server, and
 * a transfer under both moves at the slower of the two. Listings are not limited (vsftpd's rate limits, by contrast,
 * cover them too; a listing is small and a user waits on it).
 *
 * @param sessionDownload per control connection, server to client
 * @param sessionUpload   per control connection, client to server
 * @param totalDownload   all sessions together, server to client
 * @param totalUpload     all sessions together, client to server
 */
public record TransferRates(long sessionDownload, long sessionUpload, long totalDownload, long totalUpload) {
    /** No limits. */
    public static final TransferRates NONE = new TransferRates(0, 0, 0, 0);
    /**
     * The lowest limit: 1 KiB/s. Slower, an upload paused for one read's worth of bytes (up to 64 KiB) would sit
     * still for minutes, near the data connection's idle timeout.
     */
    public static final long MIN_RATE = 1024;

    public TransferRates {
        check("session download", sessionDownload);
        check("session upload", sessionUpload);
        check("total download", totalDownload);
        check("total upload", totalUpload);
    }

    private static void check(String what, long rate) {
        if (rate != 0 && rate < MIN_RATE) {
            throw new IllegalArgumentException(what + " rate must be 0 (no limit) or at least " + MIN_RATE + " bytes/s, not " + rate);
        }
    }
}

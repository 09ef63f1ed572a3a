package dev.polyserve.services.ftp;

/** How a data transfer ended; the control session turns it into the final reply. */
sealed interface TransferResult {
    /** Every byte moved: 226. */
    record Completed(long bytes) implements TransferResult {}
    /** No data connection came in time (or could not be made): 425. */
    record NoConnection(String reason) implements TransferResult {}
    /** The connection broke or was aborted mid-way: 426. */
    record Aborted(String reason) implements TransferResult {}
    /**
     * PROT P, and the data connection's TLS failed or did not resume the control connection's session: 522 (vsftpd's
     * code for both).
     */
    record TlsRefused(String reason) implements TransferResult {}
    /** A local failure (disk full, file vanished): 451. */
    record LocalError(String reason) implements TransferResult {}
}

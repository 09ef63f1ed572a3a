package dev.polyserve.cli.ftp;

/** The server refused something or the connection failed; the message is for the user. */
final class FtpFailure extends Exception {
    /** Exit status for a server refusal (a 4xx/5xx reply) or a failed transfer. */
    static final int REFUSED = 1;
    /** Exit status when the server cannot be reached or the connection breaks. */
    static final int CONNECTION = 3;
    /** Exit status for a local problem (the file to upload is missing, the output cannot be written). */
    static final int LOCAL = 4;

    private final int exitCode;

    FtpFailure(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}

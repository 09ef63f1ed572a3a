package dev.polyserve.services.ftp;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where one FTP control session stands: one explicit state with the moves it allows, in the spirit of h11's
 * {@code ConnectionState} and Go's {@code http.ConnState}. {@link FtpSession} changes phase only through
 * {@link #canMoveTo}, so a move the protocol does not allow is a bug that shows at once instead of a
 * combination of flags nobody meant.
 *
 * <pre>
 *   NEED_USER      --USER-->               NEED_PASS
 *   NEED_PASS      --USER (a new name)-->  NEED_PASS
 *   NEED_PASS      --PASS-->               CHECKING_PASS
 *   CHECKING_PASS  --granted-->            READY
 *   CHECKING_PASS  --denied-->             NEED_USER
 *   READY          --RETR, STOR, LIST...-> TRANSFERRING
 *   TRANSFERRING   --ABOR-->               ABORTING
 *   TRANSFERRING, ABORTING --it ends-->    READY
 *   NEED_PASS, READY --REIN-->             NEED_USER
 *   any            --QUIT, 421, lost-->    CLOSED
 * </pre>
 *
 * A transfer does not stop the control connection: commands such as STAT, NOOP, ABOR, QUIT and REIN run
 * while one is on, and those that must wait for its end (QUIT, REIN, a server shut-down) are remembered
 * by the session and done when it ends. A TLS upgrade of the control connection (AUTH TLS, RFC 4217) needs no
 * phase of its own: the TLS layer hands on no command until its handshake is done, and the session drops the
 * lines pipelined behind AUTH in plaintext, which must never run as if they had come over TLS.
 */
enum SessionPhase {
    /** Greeted, or reinitialized by REIN: USER is expected. */
    NEED_USER,
    /** USER was given: PASS is expected (another USER replaces the name). */
    NEED_PASS,
    /** PASS is being checked off the loop; the commands that follow wait in the decoder. */
    CHECKING_PASS,
    /** Logged in, no transfer running. */
    READY,
    /** Logged in, one transfer running over the data connection. */
    TRANSFERRING,
    /** ABOR asked the running transfer to stop; its end brings 426 (if it was cut) and 226. */
    ABORTING,
    /** The control connection is closing: nothing more is read or sent. */
    CLOSED;

    /** True if the user is logged in (commands marked "login" in the command table may run). */
    boolean loggedIn() {
        return this == READY || this == TRANSFERRING || this == ABORTING;
    }

    /** True while a transfer runs (including one being aborted). */
    boolean transferring() {
        return this == TRANSFERRING || this == ABORTING;
    }

    /** True while an answer from outside is awaited and commands are held back. */
    boolean holdsCommands() {
        return this == CHECKING_PASS;
    }

    /** The moves the protocol allows from this phase. */
    boolean canMoveTo(SessionPhase next) {
        return next == CLOSED ? this != CLOSED : moves().contains(next);
    }

    private Set<SessionPhase> moves() {
        return switch (this) {
            case NEED_USER -> EnumSet.of(NEED_PASS);
            case NEED_PASS -> EnumSet.of(NEED_PASS, CHECKING_PASS, NEED_USER);
            case CHECKING_PASS -> EnumSet.of(READY, NEED_USER);
            case READY -> EnumSet.of(TRANSFERRING, NEED_USER);
            case TRANSFERRING -> EnumSet.of(ABORTING, READY);
            case ABORTING -> EnumSet.of(READY);
            case CLOSED -> EnumSet.noneOf(SessionPhase.class);
        };
    }
}

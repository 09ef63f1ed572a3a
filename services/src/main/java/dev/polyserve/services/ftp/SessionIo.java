package dev.polyserve.services.ftp;

import java.net.InetSocketAddress;

/**
 * What a {@link FtpSession} asks of its surroundings: the seam that keeps the protocol core free of sockets,
 * threads and clocks. The server implements it over a control connection and data connections; tests
 * implement it with lists. Every answer comes back as a call on the session, on the session's own thread.
 */
interface SessionIo {

    /** Sends reply text (complete lines, CRLF included) on the control connection. */
    void send(String reply);

    /** Closes the control connection once the replies sent so far have gone out. */
    void close();

    /** Checks credentials (slowly: off the loop). Answer: {@link FtpSession#onLoginResult}. */
    void authenticate(String user, char[] password);

    /**
     * Prepares a passive data connection from the control peer's address, replacing any earlier data set-up.
     *
     * @return the port the client should connect to, or -1 when every passive port is taken
     */
    int openPassive();

    /** Prepares an active data connection to {@code target}, replacing any earlier data set-up. */
    void openActive(InetSocketAddress target);

    /** Runs {@code transfer} over the prepared data connection. Answer: {@link FtpSession#onTransferDone}. */
    void startTransfer(Transfer transfer);

    /** Aborts the running transfer; it still ends with {@link FtpSession#onTransferDone}. */
    void abortTransfer();

    /**
     * AUTH TLS was answered (234): the control connection switches to TLS after the replies sent so far; the client's
     * handshake follows, and what it sends afterwards arrives decrypted.
     */
    void startTls();

    /** PROT P (true) or C: whether data connections set up from now on speak TLS. */
    void protectData(boolean on);
}

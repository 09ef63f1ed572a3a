package dev.polyserve.services.ftp;

import dev.polyserve.core.Conn;
import dev.polyserve.core.Handler;
import dev.polyserve.core.tls.TlsConn;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * One passive data connection, served by the same engine as the control connection. It waits (not reading)
 * until its {@link DataLink} gives it a transfer, runs it, and reports how it ended. RETR in binary mode is a
 * single {@link Conn#sendFile} (zero-copy where the engine can); ASCII and listings are produced in chunks,
 * paced by {@link #onDrained} so the write queue stays short.
 *
 * <p>Under PROT P the connection first runs a TLS handshake (the listener is a {@code TlsService.startLater}) and joins
 * its link only once the session passes {@link DataLink#sessionRefusal}, so nothing is read from or sent to a client
 * that did not resume the control connection's session. TLS rules out sendfile: the TLS layer reads and encrypts the
 * file in chunks as the client takes them.
 *
 * <p>Under a bandwidth limit ({@link Throttle}) a download is produced in chunks too, each once the limit allows it,
 * and an upload pauses reading while the limit is overdrawn; either comes back through {@link Conn#schedule}, so no
 * thread (and no event loop) ever sleeps for it.
 */
final class DataHandler implements Handler {
    /**
     * Produce more only while fewer than this many bytes wait to be sent: 256 KiB keeps the socket busy on
     * loopback and stays well under the engine's write queue limit (4 MiB by default), past which it aborts.
     */
    static final int HIGH_WATER = 256 * 1024;

    private final PassivePorts ports;
    private Conn conn;
    private DataLink link;

    // Set under the lock by begin() (control thread), read on this connection's thread.
    private Transfer transfer;
    private boolean gone;

    // Only on this connection's thread.
    private Upload upload;
    private boolean asciiIn;
    private boolean committed;
    private AsciiSource asciiOut;
    private FileChunks binaryOut;
    private ByteBuffer bytesOut;
    private Throttle throttle = Throttle.NONE;
    /** A throttled transfer waits for its limit: a timer will resume it. */
    private boolean waiting;
    private boolean allQueued;
    private volatile boolean abortedHere;
    private long moved;
    private boolean reported;
    private boolean started;
    /** PROT P: the handshake runs; the link is joined once it passed. */
    private boolean handshaking;
    private int setUp;

    DataHandler(PassivePorts ports) {
        this.ports = ports;
    }

    @Override
    public void onOpen(Conn c) {
        conn = c;
        c.pauseReading();
        int port = ((InetSocketAddress) c.local()).getPort();
        PassivePorts.Claim claim = ports.claim(port, ((InetSocketAddress) c.remote()).getAddress());
        if (claim == null) {
            c.abort();
            return;
        }
        link = claim.link();
        setUp = claim.setUp();
        if (link.protectsData()) {
            if (!(c instanceof TlsConn t)) throw new IllegalStateException("PROT P on a data listener without TLS");
            handshaking = true;
            t.startTls(() -> established(t));
            return;
        }
        attach();
    }

    /** The PROT P handshake finished: join the link if the session is the control connection's, else refuse. */
    private void established(TlsConn t) {
        handshaking = false;
        String refusal = link.sessionRefusal(t.session());
        if (refusal != null) {
            FtpService.LOG.warn("{}: TLS data connection refused: {}", conn.remote(), refusal);
            refuse(refusal);
            return;
        }
        attach();
    }

    /** Tells the link its data connection is refused, and drops it. */
    private void refuse(String reason) {
        DataLink l = link;
        link = null;
        ports.closed(((InetSocketAddress) conn.local()).getPort());
        l.refuse(setUp, reason);
        conn.abort();
    }

    private void attach() {
        if (!link.attach(this, setUp)) {
            FtpService.LOG.debug("{}: stale data connection dropped (its session has set up another)", conn.remote());
            link = null;
            ports.closed(((InetSocketAddress) conn.local()).getPort());
            conn.abort();
        }
    }

    /** Runs {@code t} on this connection (any thread). */
    void begin(Transfer t) {
        synchronized (this) {
            if (!gone) {
                transfer = t;
                conn.executor().execute(this::run);
                return;
            }
        }
        t.discard();
        link.finished(this, new TransferResult.Aborted("data connection closed before the transfer began"));
    }

    /** Drops a connection that will not be used (any thread). */
    void drop() {
        conn.abort();
    }

    /** ABOR or the control connection went away (any thread). */
    void abortNow() {
        abortedHere = true;
        conn.abort();
    }

    private void run() {
        if (!conn.isOpen()) return; // onClose reports and releases the transfer
        started = true;
        throttle = link.throttleFor(transfer);
        switch (transfer) {
            case Transfer.SendFile s when !s.ascii() && throttle.limited() -> {
                binaryOut = new FileChunks(s.file(), s.position(), s.count());
                pump();
            }
            case Transfer.SendFile s when !s.ascii() -> {
                conn.sendFile(s.file(), s.position(), s.count());
                moved = s.count();
                allQueued = true;
                conn.close();
            }
            case Transfer.SendFile s -> {
                asciiOut = new AsciiSource(s.file(), s.position(), s.count());
                pump();
            }
            case Transfer.SendBytes b -> {
                bytesOut = ByteBuffer.wrap(b.bytes());
                pump();
            }
            case Transfer.Receive r -> {
                upload = r.upload();
                asciiIn = r.ascii();
                conn.resumeReading();
            }
        }
    }

    private void pump() {
        try {
            while (!allQueued && conn.isOpen() && conn.queuedBytes() < HIGH_WATER) {
                int max = AsciiSource.CHUNK;
                if (throttle.limited()) {
                    long wait = throttle.delayNanos();
                    if (wait > 0) {
                        resumeAfter(wait, this::pump);
                        return;
                    }
                    max = throttle.chunk();
                }
                ByteBuffer next;
                if (asciiOut != null) {
                    next = asciiOut.next(max);
                } else if (binaryOut != null) {
                    next = binaryOut.next(max);
                } else {
                    next = bytesOut.hasRemaining() ? bytesOut.slice(bytesOut.position(), Math.min(AsciiSource.CHUNK, bytesOut.remaining())) : null;
                    if (next != null) bytesOut.position(bytesOut.position() + next.remaining());
                }
                if (next == null) {
                    allQueued = true;
                    conn.close();
                    return;
                }
                moved += next.remaining();
                throttle.took(next.remaining());
                conn.write(next);
            }
        } catch (IOException e) {
            report(new TransferResult.LocalError("cannot read file"));
            abortNow();
        }
    }

    /** Runs {@code then} on this connection after {@code nanos}: a throttled transfer waits for its limit. */
    private void resumeAfter(long nanos, Runnable then) {
        waiting = true;
        conn.schedule(Duration.ofNanos(nanos), () -> {
            waiting = false;
            then.run();
        });
    }

    @Override
    public void onDrained(Conn c) {
        if (!waiting && !allQueued && (asciiOut != null || binaryOut != null || bytesOut != null)) pump();
    }

    /** A throttled upload read again once its limit allows (the server's total may have been spent meanwhile). */
    private void resumeUpload() {
        if (committed || reported || !conn.isOpen()) return;
        long wait = throttle.delayNanos();
        if (wait > 0) resumeAfter(wait, this::resumeUpload);
        else conn.resumeReading();
    }

    @Override
    public void onRead(Conn c, ByteBuffer in) {
        if (upload == null || committed) {
            in.position(in.limit());
            return;
        }
        int n = in.remaining();
        try {
            if (asciiIn) upload.writeAscii(in);
            else upload.write(in);
            moved += n;
            if (throttle.limited()) {
                throttle.took(n);
                long wait = throttle.delayNanos();
                if (wait > 0) {
                    // Bytes wait in the kernel meanwhile, and TCP's window holds the client back.
                    c.pauseReading();
                    resumeAfter(wait, this::resumeUpload);
                }
            }
        } catch (IOException e) {
            FtpService.LOG.warn("{}: upload to {} failed: {}", c.remote(), upload.target(), e.toString());
            upload.discard();
            report(new TransferResult.LocalError("cannot write file"));
            abortNow();
        }
    }

    @Override
    public void onReadEnd(Conn c) {
        if (upload != null && !committed && !reported) {
            // Stream mode (RFC 959 section 3.4.1): the end of the connection is the end of the file.
            try {
                upload.commit();
                committed = true;
                report(new TransferResult.Completed(moved));
            } catch (IOException e) {
                FtpService.LOG.warn("{}: cannot finish upload to {}: {}", c.remote(), upload.target(), e.toString());
                report(new TransferResult.LocalError("cannot store file"));
            }
            c.close();
        } else if (transfer == null) {
            c.close();
        }
        // While sending, the client's half-close changes nothing: the transfer finishes and closes.
    }

    @Override
    public void onIdle(Conn c) {
        FtpService.LOG.warn("{}: data connection idle, aborting the transfer", c.remote());
        abortNow();
    }

    @Override
    public void onClose(Conn c, Throwable cause) {
        Transfer t;
        synchronized (this) {
            gone = true;
            t = transfer;
        }
        if (link == null) return;
        if (handshaking) { // the TLS layer gave up on the handshake (it logged why)
            handshaking = false;
            refuse("TLS handshake failed" + (cause != null && cause.getMessage() != null ? ": " + cause.getMessage() : ""));
            return;
        }
        ports.closed(((InetSocketAddress) c.local()).getPort());
        if (t == null) {
            link.lost(this);
            return;
        }
        if (!started) {
            t.discard();
            report(new TransferResult.Aborted("data connection closed before the transfer began"));
            return;
        }
        if (asciiOut != null) asciiOut.close();
        if (binaryOut != null) binaryOut.close();
        if (upload != null && !committed) {
            upload.discard();
            report(new TransferResult.Aborted(cause != null ? cause.toString() : "closed before the end of the data"));
        } else if (upload == null) {
            if (allQueued && cause == null && !abortedHere) report(new TransferResult.Completed(moved));
            else report(new TransferResult.Aborted(cause != null ? cause.toString() : "data connection closed"));
        }
    }

    private void report(TransferResult r) {
        if (reported) return;
        reported = true;
        link.finished(this, r);
    }
}

package dev.polyserve.services.ftp;

import dev.polyserve.core.tls.TlsChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A transfer over an active-mode data connection (PORT/EPRT: the server connects to the client).
 *
 * <p>Why this is not on the engine: engines accept connections, and the handler API has no outbound connect.
 * So an active data connection is one virtual thread doing blocking I/O: {@code transferTo} for RETR (the
 * kernel's sendfile, zero-copy), a read loop for STOR. Passive mode, which every current client uses by
 * default, runs on the engine ({@link DataHandler}).
 *
 * <p>Under PROT P the server, though it dialled, is the TLS server (RFC 4217 section 7): a {@link TlsChannel} over the
 * socket, whose session must pass {@link DataLink#sessionRefusal} before a byte of the transfer moves; the file is
 * then read and encrypted in chunks instead of sent with {@code transferTo}.
 *
 * <p>Under a bandwidth limit ({@link Throttle}) the thread parks between chunks while the limit is overdrawn: it is
 * this transfer's own virtual thread, not an event loop, so waiting here holds up nobody else.
 */
final class ActiveTransfer {
    private static final int BUFFER = 64 * 1024;
    /** File bytes per sendfile: a blocking call reports progress only when it returns, which the watchdog needs. */
    private static final long CHUNK = 1L << 20;

    private final InetSocketAddress target;
    private final Transfer transfer;
    private final DataLink link;
    private final Duration connectTimeout;
    private final Duration dataTimeout;
    private final boolean protect;
    private final Throttle throttle;
    private volatile SocketChannel channel;
    private volatile boolean aborted;
    /** System.nanoTime() when bytes last moved; the watchdog aborts a transfer idle for {@link #dataTimeout}. */
    private volatile long lastProgress = System.nanoTime();
    private volatile boolean done;
    private volatile boolean stalled;
    private volatile Thread watchdog;

    ActiveTransfer(InetSocketAddress target, Transfer transfer, DataLink link, Duration connectTimeout, Duration dataTimeout,
            boolean protect, Throttle throttle) {
        this.target = target;
        this.throttle = throttle;
        this.transfer = transfer;
        this.link = link;
        this.connectTimeout = connectTimeout;
        this.dataTimeout = dataTimeout;
        this.protect = protect;
    }

    void start() {
        Thread.ofVirtual().name("ftp-active-" + target).start(this::run);
    }

    void abort() {
        aborted = true;
        SocketChannel ch = channel;
        if (ch != null) {
            // shutdown(2) first: it wakes a thread blocked in sendfile or recv on the socket, which close alone
            // may leave waiting (the JDK defers the close of a socket that is in use until its I/O returns).
            try {
                ch.shutdownInput();
                ch.shutdownOutput();
            } catch (IOException ignored) {
                // not connected yet, or gone already
            }
            try {
                ch.close();
            } catch (IOException ignored) {
                // Aborting: the transfer reports its own end.
            }
        }
    }

    private void run() {
        try (SocketChannel ch = SocketChannel.open()) {
            channel = ch;
            if (aborted) throw new IOException("aborted");
            try {
                ch.socket().connect(target, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
            } catch (IOException e) {
                transfer.discard();
                link.finished(this, new TransferResult.NoConnection("connect to " + target + ": " + e.getMessage()));
                return;
            }
            progressed();
            watchdog = Thread.ofVirtual().name("ftp-active-watchdog-" + target).start(this::watch);
            if (!protect) {
                link.finished(this, run(ch, ch));
                return;
            }
            TlsChannel tls = new TlsChannel(ch, link.newDataEngine(target)).withoutSessionTickets();
            try {
                tls.handshake();
            } catch (IOException e) {
                transfer.discard();
                link.finished(this, new TransferResult.TlsRefused("TLS handshake failed: " + e.getMessage()));
                return;
            }
            String refusal = link.sessionRefusal(tls.session());
            if (refusal != null) {
                FtpService.LOG.warn("{}: TLS data connection refused: {}", target, refusal);
                transfer.discard();
                link.finished(this, new TransferResult.TlsRefused(refusal));
                return;
            }
            TransferResult r = run(ch, tls);
            tls.close(); // close_notify before the control connection's 226
            link.finished(this, r);
        } catch (IOException e) {
            transfer.discard();
            link.finished(this, new TransferResult.Aborted(stalled ? "no data moved for " + dataTimeout.toMillis() + " ms"
                    : aborted ? "aborted" : e.toString()));
        } finally {
            done = true;
            Thread w = watchdog;
            if (w != null) LockSupport.unpark(w);
        }
    }

    private void progressed() {
        lastProgress = System.nanoTime();
    }

    /**
     * The data-connection timeout of an active transfer (a passive one has its listener's idle timeout): the
     * blocking reads and writes here wait for ever on a peer that stopped, so a virtual thread beside them shuts
     * the socket down once nothing moved for {@link #dataTimeout}; the transfer then ends with 426.
     */
    private void watch() {
        long timeout = dataTimeout.toNanos();
        while (!done) {
            long idle = System.nanoTime() - lastProgress;
            if (idle >= timeout) {
                FtpService.LOG.warn("{}: active data connection moved nothing for {} ms, aborting the transfer",
                        target, dataTimeout.toMillis());
                stalled = true;
                abort();
                return;
            }
            LockSupport.parkNanos(timeout - idle);
        }
    }

    /** Runs the transfer over {@code data}: the socket itself, or TLS over it. */
    private TransferResult run(SocketChannel socket, ByteChannel data) throws IOException {
        return switch (transfer) {
            case Transfer.SendFile s -> send(socket, data, s);
            case Transfer.SendBytes b -> {
                write(data, ByteBuffer.wrap(b.bytes()));
                yield new TransferResult.Completed(b.bytes().length);
            }
            case Transfer.Receive r -> receive(data, r);
        };
    }

    private TransferResult send(SocketChannel socket, ByteChannel data, Transfer.SendFile s) throws IOException {
        try (var file = s.file()) {
            if (s.ascii()) {
                AsciiSource src = new AsciiSource(file, s.position(), s.count());
                long n = 0;
                for (ByteBuffer b; (b = src.next(chunk(AsciiSource.CHUNK))) != null; ) {
                    n += b.remaining();
                    write(data, b);
                    pace(b.limit());
                }
                return new TransferResult.Completed(n);
            }
            long pos = s.position();
            long end = pos + s.count();
            ByteBuffer buf = data == socket ? null : ByteBuffer.allocate(BUFFER);
            while (pos < end) {
                long n;
                if (buf == null) {
                    n = file.transferTo(pos, Math.min(end - pos, chunk(CHUNK)), socket); // plaintext: sendfile
                } else {
                    buf.clear().limit((int) Math.min(chunk(BUFFER), end - pos));
                    n = Math.max(0, file.read(buf, pos));
                    write(data, buf.flip());
                }
                if (n <= 0 && file.size() <= pos) break; // the file shrank meanwhile
                pos += n;
                progressed();
                pace(n);
            }
            return new TransferResult.Completed(pos - s.position());
        }
    }

    private TransferResult receive(ByteChannel ch, Transfer.Receive r) throws IOException {
        Upload up = r.upload();
        ByteBuffer buf = ByteBuffer.allocate(BUFFER);
        buf.limit(chunk(BUFFER));
        long n = 0;
        while (ch.read(buf) >= 0) {
            progressed();
            buf.flip();
            n += buf.remaining();
            pace(buf.remaining());
            try {
                if (r.ascii()) up.writeAscii(buf);
                else up.write(buf);
            } catch (IOException e) {
                up.discard();
                return new TransferResult.LocalError("cannot write file");
            }
            buf.clear().limit(chunk(BUFFER));
        }
        if (aborted) throw new IOException("aborted");
        try {
            up.commit();
        } catch (IOException e) {
            return new TransferResult.LocalError("cannot store file");
        }
        return new TransferResult.Completed(n);
    }

    /** At most {@code usual} bytes, fewer under a bandwidth limit. */
    private int chunk(int usual) {
        return (int) chunk((long) usual);
    }

    private long chunk(long usual) {
        return throttle.limited() ? Math.min(usual, throttle.chunk()) : usual;
    }

    /** {@code n} bytes moved: waits while the bandwidth limit is overdrawn (not counted as a stall by the watchdog). */
    private void pace(long n) throws IOException {
        if (!throttle.limited() || n <= 0) return;
        throttle.took(n);
        for (long wait; (wait = throttle.delayNanos()) > 0; ) {
            if (aborted) throw new IOException("aborted");
            LockSupport.parkNanos(wait);
            progressed();
        }
    }

    private void write(ByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
            progressed();
        }
    }
}

package dev.polyserve.services.ftp;

import dev.polyserve.core.tls.TlsChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;

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
 */
final class ActiveTransfer {
    private static final int BUFFER = 64 * 1024;

    private final InetSocketAddress target;
    private final Transfer transfer;
    private final DataLink link;
    private final Duration connectTimeout;
    private final boolean protect;
    private volatile SocketChannel channel;
    private volatile boolean aborted;

    ActiveTransfer(InetSocketAddress target, Transfer transfer, DataLink link, Duration connectTimeout, boolean protect) {
        this.target = target;
        this.transfer = transfer;
        this.link = link;
        this.connectTimeout = connectTimeout;
        this.protect = protect;
    }

    void start() {
        Thread.ofVirtual().name("ftp-active-" + target).start(this::run);
    }

    void abort() {
        aborted = true;
        SocketChannel ch = channel;
        if (ch != null) {
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
            link.finished(this, new TransferResult.Aborted(aborted ? "aborted" : e.toString()));
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
                for (ByteBuffer b; (b = src.next()) != null; ) {
                    n += b.remaining();
                    write(data, b);
                }
                return new TransferResult.Completed(n);
            }
            long pos = s.position();
            long end = pos + s.count();
            ByteBuffer buf = data == socket ? null : ByteBuffer.allocate(BUFFER);
            while (pos < end) {
                long n;
                if (buf == null) {
                    n = file.transferTo(pos, end - pos, socket); // plaintext: sendfile
                } else {
                    buf.clear().limit((int) Math.min(BUFFER, end - pos));
                    n = Math.max(0, file.read(buf, pos));
                    write(data, buf.flip());
                }
                if (n <= 0 && file.size() <= pos) break; // the file shrank meanwhile
                pos += n;
            }
            return new TransferResult.Completed(pos - s.position());
        }
    }

    private TransferResult receive(ByteChannel ch, Transfer.Receive r) throws IOException {
        Upload up = r.upload();
        ByteBuffer buf = ByteBuffer.allocate(BUFFER);
        long n = 0;
        while (ch.read(buf) >= 0) {
            buf.flip();
            n += buf.remaining();
            try {
                if (r.ascii()) up.writeAscii(buf);
                else up.write(buf);
            } catch (IOException e) {
                up.discard();
                return new TransferResult.LocalError("cannot write file");
            }
            buf.clear();
        }
        if (aborted) throw new IOException("aborted");
        try {
            up.commit();
        } catch (IOException e) {
            return new TransferResult.LocalError("cannot store file");
        }
        return new TransferResult.Completed(n);
    }

    private static void write(ByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }
}

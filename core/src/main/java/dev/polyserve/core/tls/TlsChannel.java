package dev.polyserve.core.tls;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * TLS over a blocking {@link SocketChannel} for code that runs on its own thread: FTPS's active-mode data connections,
 * where the server dials out and is still the TLS server (RFC 4217 section 7), and clients that need an
 * {@link SSLEngine} rather than an {@link javax.net.ssl.SSLSocket} because they choose the session to resume (the JDK
 * resumes by the host and port the engine was made for, so a data connection made for the control connection's
 * address resumes its session). Not thread-safe: one reader and writer thread.
 *
 * <p>{@link #close} sends close_notify and then reads until the peer's own, or its end of stream: the peer's last
 * records are then processed, among them TLS 1.3's post-handshake session tickets, which a client needs to resume
 * again.
 */
public final class TlsChannel implements ByteChannel {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SocketChannel channel;
    private final SSLEngine engine;
    private ByteBuffer netIn; // read mode: records received, not yet unwrapped
    private ByteBuffer appIn; // read mode: plaintext unwrapped, not yet read
    private ByteBuffer netOut;
    private boolean inboundDone;
    private boolean closed;
    private boolean sessionTickets = true;

    /** {@code channel} (connected, blocking) with {@code engine} (client or server mode, not yet handshaking). */
    public TlsChannel(SocketChannel channel, SSLEngine engine) {
        if (!channel.isBlocking()) throw new IllegalArgumentException("TlsChannel needs a blocking channel");
        this.channel = channel;
        this.engine = engine;
        SSLSession s = engine.getSession();
        netIn = ByteBuffer.allocate(s.getPacketBufferSize()).flip();
        appIn = ByteBuffer.allocate(s.getApplicationBufferSize()).flip();
        netOut = ByteBuffer.allocate(s.getPacketBufferSize());
    }

    /**
     * As a server, sends no TLS 1.3 session tickets on this connection (sessions are still resumed from tickets sent
     * elsewhere): for FTPS data connections, which resume the control session. A client that only uploads never reads
     * a ticket sent after the handshake, and its close over those unread bytes becomes a TCP reset that can destroy
     * the end of its upload (proftpd issue 959; the TLS layer, {@link TlsHandler}, holds such records back instead).
     * The JDK's one per-connection way to send none is a session that is not resumable, so once the handshake has
     * agreed on TLS 1.3 its session (this connection's own) is invalidated. Call before {@link #handshake}.
     */
    public TlsChannel withoutSessionTickets() {
        sessionTickets = false;
        return this;
    }

    /** Runs the handshake to its end (delegated tasks on this thread). */
    public void handshake() throws IOException {
        engine.beginHandshake();
        boolean suppressed = false;
        while (true) {
            if (!sessionTickets && !suppressed) {
                SSLSession s = engine.getHandshakeSession();
                if (s != null && "TLSv1.3".equals(s.getProtocol())) {
                    s.invalidate();
                    suppressed = true;
                }
            }
            HandshakeStatus hs = engine.getHandshakeStatus();
            switch (hs) {
                case NEED_WRAP -> wrap(EMPTY);
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    if (unwrapOnce() == SSLEngineResult.Status.CLOSED) throw new SSLException("peer closed during the handshake");
                }
                case NEED_TASK -> runTasks();
                case FINISHED, NOT_HANDSHAKING -> {
                    return;
                }
            }
        }
    }

    /** The session the handshake agreed on. */
    public SSLSession session() {
        return engine.getSession();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        while (!appIn.hasRemaining()) {
            if (inboundDone) return -1;
            if (unwrapOnce() == SSLEngineResult.Status.CLOSED && !appIn.hasRemaining()) return -1;
        }
        int n = Math.min(dst.remaining(), appIn.remaining());
        dst.put(appIn.slice(appIn.position(), n));
        appIn.position(appIn.position() + n);
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int n = src.remaining();
        while (src.hasRemaining()) wrap(src);
        return n;
    }

    @Override
    public boolean isOpen() {
        return !closed && channel.isOpen();
    }

    /** close_notify, then the peer's last records until its close_notify or end of stream; closes the socket. */
    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        try {
            engine.closeOutbound();
            while (!engine.isOutboundDone()) wrap(EMPTY);
            channel.shutdownOutput();
            while (!inboundDone) {
                if (unwrapOnce() == SSLEngineResult.Status.CLOSED) break;
                appIn.position(appIn.limit()); // data after our close is of no use
            }
        } catch (IOException e) {
            // The peer went away first: nothing more to read from it.
        } finally {
            channel.close();
        }
    }

    /** Encrypts (part of) {@code src}, or handshake output, and writes it all. */
    private void wrap(ByteBuffer src) throws IOException {
        while (true) {
            netOut.clear();
            SSLEngineResult r = engine.wrap(src, netOut);
            switch (r.getStatus()) {
                case BUFFER_OVERFLOW -> netOut = ByteBuffer.allocate(netOut.capacity() * 2);
                case OK, CLOSED -> {
                    netOut.flip();
                    while (netOut.hasRemaining()) channel.write(netOut);
                    runTasks();
                    return;
                }
                case BUFFER_UNDERFLOW -> throw new SSLException("unexpected underflow while encrypting");
            }
        }
    }

    /**
     * Unwraps records into {@code appIn} (appending) until one yields plaintext, the handshake wants to move on, or the
     * peer closed; reads from the socket whenever no whole record is held.
     */
    private SSLEngineResult.Status unwrapOnce() throws IOException {
        while (true) {
            if (netIn.hasRemaining()) {
                appIn.compact();
                SSLEngineResult r;
                try {
                    r = engine.unwrap(netIn, appIn);
                } finally {
                    appIn.flip();
                }
                runTasks();
                switch (r.getStatus()) {
                    case CLOSED -> {
                        inboundDone = true;
                        return SSLEngineResult.Status.CLOSED;
                    }
                    case BUFFER_OVERFLOW -> {
                        appIn = ByteBuffer.allocate(appIn.remaining() + engine.getSession().getApplicationBufferSize())
                                .put(appIn).flip();
                        continue;
                    }
                    case OK -> {
                        HandshakeStatus hs = engine.getHandshakeStatus();
                        if (r.bytesProduced() > 0 || r.getHandshakeStatus() == HandshakeStatus.FINISHED
                                || hs == HandshakeStatus.NEED_WRAP || hs == HandshakeStatus.NEED_TASK) {
                            return SSLEngineResult.Status.OK;
                        }
                        continue; // a record with nothing for the caller (a session ticket, a handshake message)
                    }
                    case BUFFER_UNDERFLOW -> {} // a partial record: read more
                }
            }
            if (netIn.position() == 0 && netIn.limit() == netIn.capacity()) {
                netIn = ByteBuffer.allocate(netIn.capacity() * 2).put(netIn).flip();
            }
            netIn.compact();
            int n;
            try {
                n = channel.read(netIn);
            } finally {
                netIn.flip();
            }
            if (n < 0) {
                inboundDone = true;
                try {
                    engine.closeInbound();
                } catch (SSLException truncated) {
                    // End of stream without close_notify: what was read was authentic; the caller sees the end.
                }
                return SSLEngineResult.Status.CLOSED;
            }
        }
    }

    private void runTasks() {
        for (Runnable t; (t = engine.getDelegatedTask()) != null; ) t.run();
    }
}

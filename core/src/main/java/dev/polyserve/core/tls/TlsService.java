package dev.polyserve.core.tls;

import dev.polyserve.core.Handler;
import dev.polyserve.core.Service;
import dev.polyserve.core.SharedState;
import java.time.Duration;
import java.util.Objects;

/**
 * TLS in front of any service, on any model: each connection's handler drives a {@link javax.net.ssl.SSLEngine}
 * and gives the wrapped handler a {@link TlsConn} whose bytes are the decrypted stream, so the service runs
 * unchanged. Like the HMAC gate it sits between the engine and the service; it is the outermost layer on the
 * wire, since everything after the TCP handshake is encrypted.
 *
 * <ul>
 *   <li>The handshake must finish within {@link #DEFAULT_HANDSHAKE_DEADLINE}; the wrapped handler's
 *       {@code onOpen} comes after it.</li>
 *   <li>A client whose first byte is not a TLS handshake record (someone typing HTTP at an HTTPS port) is logged
 *       once per address per window, sent {@link #plaintextReply} if one is set, and closed.</li>
 *   <li>Output waiting in the layer (written during the handshake, or behind a file being encrypted) counts
 *       against {@code writeQueueLimit}, like the engine's own queue; a file is read and encrypted in chunks
 *       as the peer takes them, since TLS rules out sendfile.</li>
 *   <li>A connection refused because the server is full gets a TLS {@code internal_error} alert, which a client
 *       reports, rather than plaintext it would take for a broken handshake.</li>
 * </ul>
 *
 * {@link #startLater} makes the same layer start in plaintext and switch on {@link TlsConn#startTls} (FTPS's
 * {@code AUTH TLS}).
 */
public final class TlsService implements Service {
    /**
     * Time for a TLS handshake: 10 seconds. A handshake is two round trips and a signature; the deadline only
     * outlasts a slow network while keeping half-open handshakes from piling up (nginx's ssl_handshake_timeout is 60 s;
     * HAProxy's timeout client, which covers it, is commonly 30 s).
     */
    public static final Duration DEFAULT_HANDSHAKE_DEADLINE = Duration.ofSeconds(10);

    /**
     * A fatal {@code internal_error} alert record (RFC 8446 6.2: content type 21, legacy version 3.3, length 2,
     * level 2, description 80): what a TLS client can read when the server refuses it before any handshake.
     */
    static final byte[] REFUSAL_ALERT = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x50};

    private final Service inner;
    private final TlsContext context;
    private final long writeQueueLimit;
    private final Duration handshakeDeadline;
    private final byte[] plaintextReply;
    private final boolean startNow;

    private TlsService(Service inner, TlsContext context, long writeQueueLimit, Duration handshakeDeadline,
                       byte[] plaintextReply, boolean startNow) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.context = Objects.requireNonNull(context, "context");
        if (writeQueueLimit < 1) throw new IllegalArgumentException("writeQueueLimit must be positive");
        if (handshakeDeadline.isNegative() || handshakeDeadline.isZero()) throw new IllegalArgumentException("handshake deadline must be positive");
        this.writeQueueLimit = writeQueueLimit;
        this.handshakeDeadline = handshakeDeadline;
        this.plaintextReply = plaintextReply == null ? null : plaintextReply.clone();
        this.startNow = startNow;
    }

    /** {@code inner} over TLS from the first byte, with the server's write queue limit. */
    public static TlsService of(Service inner, TlsContext context, long writeQueueLimit) {
        return new TlsService(inner, context, writeQueueLimit, DEFAULT_HANDSHAKE_DEADLINE, null, true);
    }

    /** {@code inner} in plaintext until its handler calls {@link TlsConn#startTls} (explicit FTPS). */
    public static TlsService startLater(Service inner, TlsContext context, long writeQueueLimit) {
        return new TlsService(inner, context, writeQueueLimit, DEFAULT_HANDSHAKE_DEADLINE, null, false);
    }

    /** The same layer with another handshake deadline. */
    public TlsService withHandshakeDeadline(Duration deadline) {
        return new TlsService(inner, context, writeQueueLimit, deadline, plaintextReply, startNow);
    }

    /**
     * The same layer answering a plaintext client with {@code reply} before closing (HTTP: a 400 saying the port
     * speaks TLS, as nginx's 497 page does); null closes silently.
     */
    public TlsService withPlaintextReply(byte[] reply) {
        return new TlsService(inner, context, writeQueueLimit, handshakeDeadline, reply, startNow);
    }

    @Override
    public Handler newHandler() {
        return new TlsHandler(inner.newHandler(), this);
    }

    @Override
    public byte[] refusal() {
        return startNow ? REFUSAL_ALERT.clone() : inner.refusal();
    }

    /** The wrapped service's: TLS keeps nothing across processes. */
    @Override
    public SharedState sharedState() {
        return inner.sharedState();
    }

    TlsContext context() {
        return context;
    }

    long writeQueueLimit() {
        return writeQueueLimit;
    }

    Duration handshakeDeadline() {
        return handshakeDeadline;
    }

    byte[] plaintextReply() {
        return plaintextReply;
    }

    boolean startNow() {
        return startNow;
    }
}

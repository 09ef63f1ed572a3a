package dev.polyserve.core.tls;

import dev.polyserve.core.Conn;
import dev.polyserve.core.Handler;
import dev.polyserve.core.LogLimiter;
import dev.polyserve.core.MinimumRate;
import dev.polyserve.core.WriteQueueFullException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TLS connection: the engine's connection ({@code raw}) carries records, the wrapped handler sees {@link Facade},
 * a {@link TlsConn} of plaintext. The shape follows Netty's {@code SslHandler}: inbound bytes are unwrapped in the
 * connection's serial context and handed on as they decrypt; outbound bytes are wrapped at once by whichever thread
 * writes, under one lock so records reach the engine's queue in the order they were encrypted; delegated tasks run on
 * a virtual thread and the handshake resumes on the connection's executor; {@code close} sends close_notify.
 *
 * <p>Output that cannot be encrypted yet waits in {@code pending}, in order: writes made before the handshake ended,
 * and everything queued behind a file, which is read and encrypted {@link #FILE_CHUNK} at a time while the engine's
 * queue holds less than {@link #HIGH_WATER} (the pump). While the pump waits, reading from the socket is paused, so
 * the engine reports {@code onDrained} when its queue empties (the {@link Handler#onDrained} contract).
 */
final class TlsHandler implements Handler {
    private static final Logger log = LoggerFactory.getLogger(TlsService.class);
    /** "Logged once per peer": a plaintext client is reported once per address per ten minutes. */
    private static final LogLimiter plaintextClients = new LogLimiter(log, Duration.ofMinutes(10), 1);
    /** Handshake failures and timeouts: a few lines per address a minute (scanners fail handshakes by the hundred). */
    private static final LogLimiter failures = new LogLimiter(log, Duration.ofMinutes(1), 3);

    /** TLS record content type 22: every TLS client's first record is its ClientHello. */
    static final int HANDSHAKE_RECORD = 0x16;
    /** File bytes read and encrypted per pump step: four full records. */
    static final int FILE_CHUNK = 64 * 1024;
    /** Encrypted bytes the pump lets wait in the engine's queue before it waits for onDrained. */
    static final int HIGH_WATER = 256 * 1024;
    /** Largest plaintext per record (RFC 8446 5.1), and a generous bound on what a record adds to it. */
    private static final int MAX_FRAGMENT = 16 * 1024, RECORD_OVERHEAD = 256;

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final Handler inner;
    private final TlsService service;
    private final Facade facade = new Facade();
    private final ReentrantLock lock = new ReentrantLock();
    private Conn raw; // set in onOpen, before anything else runs

    // Guarded by lock.
    private SSLEngine engine; // null while a startLater connection is still plaintext
    private boolean handshakeDone;
    private final ArrayDeque<Object> pending = new ArrayDeque<>(); // ByteBuffer or FileSegment
    private long pendingBytes; // buffers in pending (file bytes do not count, as in the engine's queue)
    private boolean closeRequested;
    private boolean outboundClosed;
    private boolean tasksRunning;
    private boolean innerPaused;
    private boolean pumpWaiting;
    private boolean rawPaused;
    private ByteBuffer scratch; // wrap output for small writes, copied out at its exact size
    private ByteBuffer fileChunk;
    private int wrapped; // bytes the last wrap produced
    private ByteBuffer held; // post-handshake records not sent yet (write mode); see wrap

    // Serial context only.
    private ByteBuffer netIn; // records not yet unwrapped (a partial one, or bytes held while paused), write mode
    private ByteBuffer appIn;
    private boolean innerOpen;
    private boolean firstByteChecked;
    private boolean inboundDone;
    private boolean readEndDelivered;
    private boolean eofPending;
    private boolean inProcess;
    private ByteBuffer arrivedMeanwhile; // write mode; see onRead
    private ScheduledFuture<?> deadline;
    private Runnable established; // startTls's callback, run once when the handshake finishes
    private volatile Throwable failure;

    /** A file region waiting to be encrypted; the pump advances it. */
    private static final class FileSegment {
        final FileChannel file;
        long position;
        long remaining;

        FileSegment(FileChannel file, long position, long remaining) {
            this.file = file;
            this.position = position;
            this.remaining = remaining;
        }
    }

    TlsHandler(Handler inner, TlsService service) {
        this.inner = inner;
        this.service = service;
    }

    // ---- the engine's calls

    @Override
    public void onOpen(Conn conn) {
        raw = conn;
        if (service.startNow()) {
            begin();
        } else {
            innerOpen = true;
            inner.onOpen(facade);
        }
    }

    @Override
    public void onRead(Conn conn, ByteBuffer in) {
        if (engine == null) { // plaintext until startTls
            inner.onRead(facade, in);
            if (engine == null || !in.hasRemaining()) return; // else: the rest is the client's handshake
        }
        if (inboundDone || !facade.isOpen()) { // after close_notify, or closing: nothing more is read
            in.position(in.limit());
            return;
        }
        if (!firstByteChecked && in.hasRemaining()) {
            firstByteChecked = true;
            if ((in.get(in.position()) & 0xff) != HANDSHAKE_RECORD) {
                plaintextClient(in);
                return;
            }
        }
        if (inProcess) {
            // Delivered from inside our own processing (io_uring hands held bytes over within resumeReading):
            // keep them for the outer feed, so the wrapped handler never sees two calls at once.
            arrivedMeanwhile = append(arrivedMeanwhile, in);
            return;
        }
        feed(in);
    }

    @Override
    public void onReadEnd(Conn conn) {
        if (engine == null) {
            inner.onReadEnd(facade);
        } else if (inProcess || netIn != null) {
            // Bytes are still held (the handler paused, a task runs): EOF comes after them. An engine may run its
            // read, and see EOF, before our drive task has decrypted what it held.
            eofPending = true;
            if (!inProcess) raw.executor().execute(this::drive);
        } else {
            readEnd();
        }
    }

    @Override
    public void onDrained(Conn conn) {
        boolean resume;
        lock.lock();
        try {
            resume = pumpWaiting;
            if (resume) {
                pumpWaiting = false;
                updatePause();
            }
        } finally {
            lock.unlock();
        }
        if (resume) pump();
        if (innerLive() && pendingEmpty()) inner.onDrained(facade);
    }

    @Override
    public void onIdle(Conn conn) {
        if (innerLive()) inner.onIdle(facade);
        else raw.close();
    }

    @Override
    public void onShutdown(Conn conn) {
        if (innerLive()) inner.onShutdown(facade);
        else raw.close();
    }

    @Override
    public void onClose(Conn conn, Throwable cause) {
        if (deadline != null) deadline.cancel(false);
        lock.lock();
        try {
            discardPending();
            release();
        } finally {
            lock.unlock();
        }
        if (innerOpen) inner.onClose(facade, cause != null ? cause : failure);
    }

    // ---- inbound

    /** Starts the server side of the handshake: from the first byte, or at startTls. Serial context. */
    private void begin() {
        lock.lock();
        try {
            engine = service.context().newServerEngine(raw.remote());
            engine.beginHandshake();
            appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
            updatePause(); // a plaintext pause must not hold the client's handshake back
        } catch (SSLException e) {
            fail(e);
            return;
        } finally {
            lock.unlock();
        }
        Duration d = service.handshakeDeadline();
        deadline = raw.schedule(d, () -> {
            if (!handshakeDone()) {
                failures.info(host(), "TLS handshake with {} not finished within {} ms; closing", raw.remote(), d.toMillis());
                raw.close();
            }
        });
    }

    private void plaintextClient(ByteBuffer in) {
        in.position(in.limit());
        plaintextClients.info(host(), "{} sent plaintext to a TLS port; closing (logged once per address per 10 minutes)",
                raw.remote());
        byte[] reply = service.plaintextReply();
        if (reply != null) raw.write(ByteBuffer.wrap(reply));
        raw.close();
    }

    /**
     * Unwraps records from {@code src} and hands their plaintext on, driving the handshake on the way, until the
     * bytes run out, the handler pauses, a delegated task runs, or the connection ends. Serial context.
     */
    private void process(ByteBuffer src) {
        while (true) {
            SSLEngineResult r;
            boolean finished = false;
            lock.lock();
            try {
                if (tasksRunning || inboundDone || closeRequested || !raw.isOpen()) return;
                if (handshakeDone && innerPaused) return;
                HandshakeStatus hs = engine.getHandshakeStatus();
                if (hs == HandshakeStatus.NEED_TASK) {
                    runTasks();
                    return;
                }
                if (hs == HandshakeStatus.NEED_WRAP) {
                    // After the handshake this is a post-handshake message (TLS 1.3's NewSessionTicket): held, see wrap
                    finished = wrap(EMPTY, handshakeDone);
                    if (!finished && wrapped == 0 && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) return; // no progress
                } else if (!src.hasRemaining() && hs != HandshakeStatus.NEED_UNWRAP_AGAIN) {
                    return;
                }
                r = finished || hs == HandshakeStatus.NEED_WRAP ? null : engine.unwrap(src, appIn);
            } catch (SSLException e) {
                fail(e);
                return;
            } finally {
                lock.unlock();
            }
            if (r == null) { // a wrap step of the handshake
                if (finished) handshakeFinished();
                continue;
            }
            switch (r.getStatus()) {
                case BUFFER_UNDERFLOW -> {
                    return; // a partial record: keepRest holds it until more arrives
                }
                case BUFFER_OVERFLOW -> { // the session asked for a larger buffer than the one made at the start
                    deliver();
                    appIn = ByteBuffer.allocate(Math.max(appIn.capacity() * 2, engine.getSession().getApplicationBufferSize()));
                    continue;
                }
                case CLOSED -> { // close_notify: the client will send nothing more
                    inboundDone = true;
                    deliver();
                    lock.lock();
                    try {
                        if (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP && !outboundClosed) wrap(EMPTY); // TLS 1.2's reply
                    } catch (SSLException e) {
                        log.debug("{}: answering close_notify failed: {}", raw.remote(), e.toString());
                    } finally {
                        lock.unlock();
                    }
                    deliverReadEnd();
                    return;
                }
                case OK -> {
                    if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) handshakeFinished();
                    deliver();
                    if (r.bytesConsumed() == 0 && r.bytesProduced() == 0 && r.getHandshakeStatus() != HandshakeStatus.NEED_WRAP
                            && r.getHandshakeStatus() != HandshakeStatus.NEED_TASK) {
                        return; // nothing moved: wait for bytes
                    }
                }
            }
        }
    }

    /** Hands decrypted bytes to the wrapped handler. */
    private void deliver() {
        if (appIn.position() == 0) return;
        appIn.flip();
        try {
            if (innerOpen && facade.isOpen()) inner.onRead(facade, appIn);
        } finally {
            appIn.clear();
        }
    }

    private void readEnd() {
        if (!handshakeDone()) {
            log.debug("{} closed the connection during the TLS handshake", raw.remote());
            raw.close();
            return;
        }
        if (!inboundDone) {
            inboundDone = true;
            lock.lock();
            try {
                engine.closeInbound();
            } catch (SSLException truncated) {
                // EOF without close_notify: every browser does it; the bytes read so far were authentic
                log.debug("{} closed without close_notify", raw.remote());
            } finally {
                lock.unlock();
            }
        }
        deliverReadEnd();
    }

    private void deliverReadEnd() {
        if (readEndDelivered) return;
        readEndDelivered = true;
        if (innerOpen && facade.isOpen()) inner.onReadEnd(facade);
        else raw.close();
    }

    private void handshakeFinished() {
        if (deadline != null) deadline.cancel(false);
        lock.lock();
        try {
            if (handshakeDone) return;
            handshakeDone = true;
            updatePause(); // a pause the handler asked for during the handshake applies from now on
        } finally {
            lock.unlock();
        }
        if (log.isDebugEnabled()) {
            SSLSession s = engine.getSession();
            log.debug("{}: TLS handshake done ({}, {}, ALPN {})", raw.remote(), s.getProtocol(), s.getCipherSuite(),
                    engine.getApplicationProtocol());
        }
        if (!innerOpen) {
            innerOpen = true;
            inner.onOpen(facade);
        }
        Runnable then = established;
        established = null;
        if (then != null) then.run(); // it may abort: pump then discards what waits
        pump(); // writes made during the handshake
    }

    /** Keeps what {@code src} did not consume for the next read. */
    private void keepRest(ByteBuffer src) {
        if (src == netIn) {
            netIn.compact();
            if (netIn.position() == 0) netIn = null; // hold no buffer while idle: most connections are
        } else if (src.hasRemaining()) {
            netIn = ensure(null, src.remaining());
            netIn.put(src);
        }
    }

    /**
     * Unwraps {@code in} after whatever is held, keeps the rest, then does the same for bytes that arrived
     * meanwhile; delivers a pending EOF once nothing complete is held back. Serial context.
     */
    private void feed(ByteBuffer in) {
        ByteBuffer src;
        if (netIn != null) {
            netIn = ensure(netIn, in.remaining());
            netIn.put(in);
            src = netIn.flip();
        } else {
            src = in; // the common case: unwrap straight from the engine's read buffer
        }
        inProcess = true;
        try {
            process(src);
        } finally {
            inProcess = false;
        }
        keepRest(src);
        if (arrivedMeanwhile != null) {
            ByteBuffer more = arrivedMeanwhile.flip();
            arrivedMeanwhile = null;
            feed(more);
        } else if (eofPending && !blocked()) {
            eofPending = false; // what is still held is a partial record: the stream was cut short
            readEnd();
        }
    }

    /** Resumes reading held bytes after a pause or a delegated task, then any output waiting. Serial context. */
    private void drive() {
        if (engine == null || inProcess) return;
        feed(EMPTY);
        if (handshakeDone() && !pendingEmpty()) pump();
    }

    /** {@code b} (write mode, may be null) with {@code in} appended. */
    private ByteBuffer append(ByteBuffer b, ByteBuffer in) {
        ByteBuffer out = ensure(b, in.remaining());
        out.put(in);
        return out;
    }

    /** True while reading is held up here (handler paused, or a delegated task runs). */
    private boolean blocked() {
        lock.lock();
        try {
            return tasksRunning || innerPaused;
        } finally {
            lock.unlock();
        }
    }

    /** Runs the engine's delegated tasks (certificate and key work) off the connection's thread. Lock held. */
    private void runTasks() {
        List<Runnable> tasks = new ArrayList<>();
        for (Runnable t; (t = engine.getDelegatedTask()) != null; ) tasks.add(t);
        tasksRunning = true;
        updatePause();
        Thread.ofVirtual().name("polyserve-tls-task").start(() -> {
            try {
                tasks.forEach(Runnable::run);
            } finally {
                raw.executor().execute(() -> {
                    lock.lock();
                    try {
                        tasksRunning = false;
                        updatePause();
                    } finally {
                        lock.unlock();
                    }
                    drive();
                });
            }
        });
    }

    // ---- outbound

    /**
     * Encrypts all of {@code src} (and any handshake output the engine has) and queues the records on the raw
     * connection as one buffer. Returns whether the handshake finished on the way. Lock held.
     */
    private boolean wrap(ByteBuffer src) throws SSLException {
        return wrap(src, false);
    }

    /**
     * As {@link #wrap(ByteBuffer)}; with {@code hold}, the records stay in {@code held} until the next records that
     * are sent, which go out behind them. TLS 1.3 servers send a NewSessionTicket right after the handshake; a
     * client that only sends (an FTPS upload) never reads it, and its close with those bytes unread becomes a TCP
     * reset that destroys the end of its own upload (proftpd issue 959, which stops issuing tickets on data
     * connections; the JDK has no per-connection switch for that). Holding the ticket until the server has
     * something to say (a reply, file bytes, close_notify) keeps the order of records, so sequence numbers hold,
     * and delays only what the client did not need yet.
     */
    private boolean wrap(ByteBuffer src, boolean hold) throws SSLException {
        boolean finished = false;
        int estimate = src.remaining() + (src.remaining() / MAX_FRAGMENT + 1) * RECORD_OVERHEAD;
        ByteBuffer out = ByteBuffer.allocate(estimate);
        int packet = engine.getSession().getPacketBufferSize();
        while (true) {
            SSLEngineResult r;
            if (out.remaining() >= packet) {
                r = engine.wrap(src, out);
            } else {
                if (scratch == null || scratch.capacity() < packet) scratch = ByteBuffer.allocate(packet);
                scratch.clear();
                r = engine.wrap(src, scratch);
                scratch.flip();
                if (out.remaining() < scratch.remaining()) {
                    out = ByteBuffer.allocate(Math.max(out.capacity() * 2, out.position() + scratch.remaining() + estimate))
                            .put(out.flip());
                }
                out.put(scratch);
            }
            if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) finished = true;
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                packet = Math.max(packet * 2, engine.getSession().getPacketBufferSize());
                continue;
            }
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) break; // after close_notify nothing more goes out
            boolean stuck = r.bytesConsumed() == 0 && r.bytesProduced() == 0;
            if (stuck && src.hasRemaining()) {
                // The engine wants a delegated task first (a renegotiation or key update the peer began): put the
                // rest back in front and let the serial context run the task and pump it.
                pending.addFirst(src);
                pendingBytes += src.remaining();
                raw.executor().execute(this::drive);
                break;
            }
            if (src.hasRemaining()) continue;
            if (stuck || engine.getHandshakeStatus() != HandshakeStatus.NEED_WRAP) break;
        }
        wrapped = out.position();
        // In TLS 1.3 the server's Finished left in its first flight, so the wrap that reports FINISHED (after the
        // client's Finished) carries only post-handshake messages; in TLS 1.2 it carries the server's Finished,
        // which the client is waiting for.
        if (finished && src == EMPTY && "TLSv1.3".equals(engine.getSession().getProtocol())) hold = true;
        if (wrapped > 0) {
            if (hold) {
                held = held == null ? ByteBuffer.allocate(wrapped).put(out.flip()) : append(held, out.flip());
            } else {
                if (held != null) raw.write(held.flip());
                held = null;
                raw.write(out.flip());
            }
        }
        return finished;
    }

    /**
     * Encrypts what waits in {@code pending}, in order, reading files a chunk at a time while the engine's queue
     * is short; closes after it when close was asked. Serial context.
     */
    private void pump() {
        lock.lock();
        try {
            // A delegated task the engine asks for mid-stream (a key update) comes first: drive runs it, then pumps.
            while (!pending.isEmpty() && !tasksRunning && engine.getHandshakeStatus() != HandshakeStatus.NEED_TASK) {
                if (!raw.isOpen()) {
                    discardPending();
                    return;
                }
                if (raw.queuedBytes() >= HIGH_WATER) {
                    pumpWaiting = true;
                    updatePause(); // a paused connection reports onDrained when its queue empties
                    if (raw.queuedBytes() > 0) return;
                    pumpWaiting = false; // it emptied meanwhile
                    updatePause();
                }
                Object head = pending.peekFirst();
                if (head instanceof ByteBuffer b) {
                    pending.pollFirst();
                    pendingBytes -= b.remaining();
                    wrap(b);
                } else {
                    FileSegment f = (FileSegment) head;
                    if (f.remaining > 0) {
                        if (fileChunk == null) fileChunk = ByteBuffer.allocate(FILE_CHUNK);
                        fileChunk.clear().limit((int) Math.min(FILE_CHUNK, f.remaining));
                        int n = f.file.read(fileChunk, f.position);
                        if (n <= 0) throw new IOException("file shrank while being sent: " + f.remaining + " bytes missing");
                        f.position += n;
                        f.remaining -= n;
                        wrap(fileChunk.flip());
                    }
                    if (f.remaining == 0) {
                        pending.pollFirst();
                        closeQuietly(f.file);
                    }
                }
            }
            if (pending.isEmpty()) {
                fileChunk = null;
                if (closeRequested && !outboundClosed) closeOutbound();
            }
        } catch (IOException e) {
            fail(e);
        } finally {
            lock.unlock();
        }
    }

    /** close_notify, then the socket closes once it is flushed. Lock held. */
    private void closeOutbound() {
        outboundClosed = true;
        engine.closeOutbound();
        try {
            wrap(EMPTY);
        } catch (SSLException e) {
            log.debug("{}: sending close_notify failed: {}", raw.remote(), e.toString());
        }
        raw.close();
    }

    /**
     * Reading from the socket is paused while the handler asks it, a task runs, or the pump waits. A handler's pause
     * waits for the end of a handshake, which needs the peer's records (a handler may pause before startTls and
     * resume when its work begins: FTPS data connections). Lock held.
     */
    private void updatePause() {
        boolean want = innerPaused && (engine == null || handshakeDone) || tasksRunning || pumpWaiting;
        if (want == rawPaused) return;
        rawPaused = want;
        if (want) raw.pauseReading();
        else raw.resumeReading();
    }

    /** A TLS failure: logged (rate-limited), the engine's alert sent if it has one, the connection closed. Any thread. */
    private void fail(Throwable e) {
        failure = e;
        boolean during = !handshakeDone();
        failures.info(host(), "TLS {} {} failed: {}; closing", during ? "handshake with" : "connection with", raw.remote(),
                e.getMessage());
        lock.lock();
        try {
            if (engine != null && !outboundClosed) {
                outboundClosed = true;
                engine.closeOutbound();
                try {
                    wrap(EMPTY); // the alert the engine queued
                } catch (SSLException | RuntimeException ignored) {
                    // nothing more to say
                }
            }
            discardPending();
        } finally {
            lock.unlock();
        }
        raw.close();
    }

    /**
     * Closes both directions of the engine once the socket is gone. Conscrypt frees its native SSL object only when
     * both are closed (else at GC), and each one holds a pipe (BoringSSL app data): without this, every connection a
     * server closes first (a stop, an idle timeout, a keep-alive close) left two descriptors open. The JDK's engine
     * holds nothing native. Lock held.
     */
    private void release() {
        if (engine == null) return;
        engine.closeOutbound();
        try {
            engine.closeInbound();
        } catch (SSLException noCloseNotify) {
            // the JDK's complaint that the peer sent no close_notify: the socket is closed anyway
        }
    }

    private void discardPending() {
        for (Object o; (o = pending.pollFirst()) != null; ) {
            if (o instanceof FileSegment f) closeQuietly(f.file);
        }
        pendingBytes = 0;
    }

    // ---- helpers

    private boolean handshakeDone() {
        lock.lock();
        try {
            return handshakeDone;
        } finally {
            lock.unlock();
        }
    }

    private boolean pendingEmpty() {
        lock.lock();
        try {
            return pending.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** The wrapped handler is open and past any handshake, so it gets the engine's calls. */
    private boolean innerLive() {
        return innerOpen && (engine == null || handshakeDone());
    }

    /** {@code b} (write mode, may be null) with room for {@code more} bytes; at least a full record. */
    private ByteBuffer ensure(ByteBuffer b, int more) {
        int used = b == null ? 0 : b.position();
        int packet = engine.getSession().getPacketBufferSize();
        if (b != null && b.remaining() >= more) return b;
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(packet, used + more));
        if (b != null) bigger.put(b.flip());
        return bigger;
    }

    private Object host() {
        SocketAddress a = raw.remote();
        return a instanceof InetSocketAddress isa && isa.getAddress() != null ? isa.getAddress() : a;
    }

    private static void closeQuietly(FileChannel f) {
        try {
            f.close();
        } catch (IOException ignored) {
            // it was only read
        }
    }

    // ---- what the wrapped handler sees

    /** The plaintext connection. Thread-safety as {@link Conn} promises: every method from any thread. */
    private final class Facade implements TlsConn {
        @Override
        public void write(ByteBuffer out) {
            int n = out.remaining();
            if (n == 0) return;
            lock.lock();
            try {
                if (closeRequested || !raw.isOpen()) return;
                if (engine == null) {
                    raw.write(out);
                } else if (handshakeDone && pending.isEmpty()) {
                    wrap(out);
                } else {
                    pendingBytes += n;
                    long queued = pendingBytes + raw.queuedBytes();
                    if (queued > service.writeQueueLimit()) {
                        WriteQueueFullException e = new WriteQueueFullException(queued, service.writeQueueLimit());
                        log.warn("aborting connection from {}: {}", raw.remote(), e.getMessage());
                        failure = e;
                        discardPending();
                        raw.abort();
                        return;
                    }
                    pending.addLast(out);
                }
            } catch (SSLException e) {
                fail(e);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void sendFile(FileChannel file, long position, long count) {
            boolean pumpNow;
            lock.lock();
            try {
                if (closeRequested || !raw.isOpen()) {
                    closeQuietly(file);
                    return;
                }
                if (engine == null) {
                    raw.sendFile(file, position, count); // plaintext: zero-copy as usual
                    return;
                }
                pending.addLast(new FileSegment(file, position, count));
                pumpNow = handshakeDone && !pumpWaiting;
            } finally {
                lock.unlock();
            }
            if (pumpNow) raw.executor().execute(TlsHandler.this::pump);
        }

        @Override
        public long queuedBytes() {
            lock.lock();
            try {
                return pendingBytes + raw.queuedBytes();
            } finally {
                lock.unlock();
            }
        }

        /**
         * The raw connection's count, which is of ciphertext (records, and any alert or ticket the layer sent), not
         * of the plaintext the handler wrote. It still answers the question callers ask, "does the kernel still
         * hold output the peer has not taken?" (the HTTP keep-alive timeout, the send-rate watch): every plaintext
         * byte handed on goes out inside a record, so the count is above zero exactly while some record, and so
         * some of the handler's output or the layer's own, is on its way. Its size is larger than the plaintext
         * behind it (a header and a tag per record); nothing here compares it with plaintext counts. Plaintext not
         * yet encrypted is in {@link #queuedBytes}, not here.
         */
        @Override
        public long unacknowledgedBytes() {
            return raw.unacknowledgedBytes();
        }

        @Override
        public void requireSendRate(MinimumRate rate) {
            raw.requireSendRate(rate);
        }

        @Override
        public void pauseReading() {
            lock.lock();
            try {
                innerPaused = true;
                updatePause();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void resumeReading() {
            boolean held;
            lock.lock();
            try {
                innerPaused = false;
                updatePause();
                held = engine != null;
            } finally {
                lock.unlock();
            }
            if (held) raw.executor().execute(TlsHandler.this::drive); // bytes decrypted no further while paused
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (closeRequested) return;
                closeRequested = true;
                if (engine == null || !handshakeDone) {
                    raw.close(); // plaintext, or nothing can be encrypted yet
                } else if (pending.isEmpty()) {
                    closeOutbound();
                } // else the pump closes after the last pending byte
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void abort() {
            raw.abort();
        }

        @Override
        public boolean isOpen() {
            lock.lock();
            try {
                return !closeRequested && raw.isOpen();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public Executor executor() {
            return raw.executor();
        }

        @Override
        public ScheduledFuture<?> schedule(Duration delay, Runnable task) {
            return raw.schedule(delay, task);
        }

        @Override
        public SocketAddress remote() {
            return raw.remote();
        }

        @Override
        public SocketAddress local() {
            return raw.local();
        }

        @Override
        public String model() {
            return raw.model();
        }

        @Override
        public boolean isSecure() {
            lock.lock();
            try {
                return engine != null;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void startTls(Runnable whenEstablished) {
            if (isSecure()) return;
            established = whenEstablished;
            begin();
        }

        @Override
        public SSLSession session() {
            lock.lock();
            try {
                return handshakeDone ? engine.getSession() : null;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public String applicationProtocol() {
            lock.lock();
            try {
                String p = handshakeDone ? engine.getApplicationProtocol() : null;
                return p == null || p.isEmpty() ? null : p;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public String toString() {
            return "TLS over " + raw;
        }
    }
}

package dev.polyserve.core.auth;

import dev.polyserve.core.Conn;
import dev.polyserve.core.Handler;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One connection behind the gate: challenge, wait for the answer, then hand over to the real handler. */
final class HmacGateHandler implements Handler {
    private static final Logger log = LoggerFactory.getLogger(HmacGate.class);

    private enum State { WAITING, PASSED, REJECTED }

    private final Handler inner;
    private final List<HmacKey> keys;
    private final byte[] challenge;
    private final Duration deadline;
    private final byte[] answer = new byte[HmacGate.ANSWER_BYTES];
    private int answered;
    private State state = State.WAITING;
    private ScheduledFuture<?> timer;

    HmacGateHandler(Handler inner, List<HmacKey> keys, byte[] challenge, Duration deadline) {
        this.inner = inner;
        this.keys = keys;
        this.challenge = challenge;
        this.deadline = deadline;
    }

    @Override
    public void onOpen(Conn conn) {
        conn.write(ByteBuffer.wrap(challenge.clone()));
        timer = conn.schedule(deadline, () -> {
            if (state == State.WAITING) reject(conn, "no answer to the HMAC challenge within " + deadline.toMillis() + " ms");
        });
    }

    @Override
    public void onRead(Conn conn, ByteBuffer in) {
        switch (state) {
            case PASSED -> inner.onRead(conn, in);
            case REJECTED -> in.position(in.limit());
            case WAITING -> {
                int n = Math.min(in.remaining(), answer.length - answered);
                in.get(answer, answered, n);
                answered += n;
                if (answered < answer.length) return;
                HmacKey matched = match();
                if (matched == null) {
                    in.position(in.limit());
                    reject(conn, "wrong answer to the HMAC challenge");
                    return;
                }
                pass(conn, matched);
                if (in.hasRemaining() && conn.isOpen()) inner.onRead(conn, in);
            }
        }
    }

    /** Compares against every key, each in constant time, so timing tells nothing about which nearly matched. */
    private HmacKey match() {
        HmacKey matched = null;
        for (HmacKey key : keys) {
            boolean equal = MessageDigest.isEqual(Hmac.sha256(key.secret(), challenge), answer);
            if (equal && matched == null) matched = key;
        }
        return matched;
    }

    private void pass(Conn conn, HmacKey key) {
        state = State.PASSED;
        if (timer != null) timer.cancel(false);
        log.debug("{}: passed the HMAC gate with key '{}'", conn.remote(), key.name());
        if (inner instanceof Authenticated a) a.authenticated(key.name());
        inner.onOpen(conn);
    }

    private void reject(Conn conn, String reason) {
        state = State.REJECTED;
        if (timer != null) timer.cancel(false);
        log.warn("{}: {}; closing", conn.remote(), reason);
        conn.close();
    }

    @Override
    public void onReadEnd(Conn conn) {
        if (state == State.PASSED) {
            inner.onReadEnd(conn);
        } else if (state == State.WAITING) {
            reject(conn, "peer closed after " + answered + " of " + HmacGate.ANSWER_BYTES + " answer bytes");
        } else {
            conn.close();
        }
    }

    @Override
    public void onDrained(Conn conn) {
        if (state == State.PASSED) inner.onDrained(conn);
    }

    @Override
    public void onIdle(Conn conn) {
        if (state == State.PASSED) inner.onIdle(conn);
        else conn.close();
    }

    @Override
    public void onShutdown(Conn conn) {
        if (state == State.PASSED) inner.onShutdown(conn);
        else conn.close();
    }

    @Override
    public void onClose(Conn conn, Throwable cause) {
        if (state == State.PASSED) inner.onClose(conn, cause);
    }
}

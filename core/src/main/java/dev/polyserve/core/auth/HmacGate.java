package dev.polyserve.core.auth;

import dev.polyserve.core.Handler;
import dev.polyserve.core.Service;
import dev.polyserve.core.SharedState;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Lets only clients that hold a shared key reach a service. On connect the server sends
 * {@value #CHALLENGE_BYTES} random bytes; the client must answer with HMAC-SHA256(key, challenge)
 * ({@value #ANSWER_BYTES} bytes) within the deadline. The answer is compared in constant time; a wrong,
 * short or late answer is logged and the connection closed before the wrapped service sees a byte.
 * {@link HmacClient} is the client half.
 *
 * <p>Several keys may be registered under different names; the handler learns which one matched through
 * {@link Authenticated}.
 */
public final class HmacGate implements Service {

    /** Challenge length: 32 bytes (256 bits) of SecureRandom, so a challenge never repeats and answers cannot be replayed. */
    public static final int CHALLENGE_BYTES = 32;

    /** Answer length: the size of an HMAC-SHA256 tag. */
    public static final int ANSWER_BYTES = 32;

    /**
     * Default time to answer: 10 seconds. A program answers in milliseconds; the deadline only has to outlast a
     * slow network, and short enough that half-open connections cannot pile up (sshd's LoginGraceTime is 120 s
     * for humans typing a password; nobody types here).
     */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);

    private final Service inner;
    private final List<HmacKey> keys;
    private final Duration deadline;
    private final SecureRandom random = new SecureRandom();

    public HmacGate(Service inner, List<HmacKey> keys, Duration deadline) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.keys = List.copyOf(keys);
        this.deadline = Objects.requireNonNull(deadline, "deadline");
        if (this.keys.isEmpty()) throw new IllegalArgumentException("the HMAC gate needs at least one key");
        if (deadline.isNegative() || deadline.isZero()) throw new IllegalArgumentException("deadline must be positive");
    }

    /** A gate with one key and the default deadline. */
    public static HmacGate of(Service inner, HmacKey key) {
        return new HmacGate(inner, List.of(key), DEFAULT_DEADLINE);
    }

    @Override
    public Handler newHandler() {
        byte[] challenge = new byte[CHALLENGE_BYTES];
        random.nextBytes(challenge);
        return new HmacGateHandler(inner.newHandler(), keys, challenge, deadline);
    }

    /**
     * None: a gated client expects {@value #CHALLENGE_BYTES} challenge bytes first, so a refused one is just
     * closed (the engine logs the refusal) rather than sent text it would misread.
     */
    @Override
    public byte[] refusal() {
        return null;
    }

    /** The gated service's: the gate itself keeps nothing across processes. */
    @Override
    public SharedState sharedState() {
        return inner.sharedState();
    }
}

package dev.polyserve.services.ftp;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts failed logins per client address and locks an address out after too many within a window, which
 * turns an online password guess from thousands per second into a handful per quarter hour. Thread-safe; the
 * clock is injected so tests need not wait.
 */
final class LoginGuard {
    /** Failures allowed per address within {@link #WINDOW} (fail2ban's default maxretry is 5). */
    static final int MAX_FAILURES = 5;
    /** Failures older than this are forgotten (fail2ban's default findtime is 10 minutes). */
    static final Duration WINDOW = Duration.ofMinutes(10);
    /** How long a locked-out address stays locked (fail2ban's default bantime is 10 minutes). */
    static final Duration DEFAULT_LOCKOUT = Duration.ofMinutes(10);

    private record State(int failures, Instant firstFailure, Instant lockedUntil) {}

    private final Clock clock;
    private final int maxFailures;
    private final Duration lockout;
    private final ConcurrentHashMap<InetAddress, State> states = new ConcurrentHashMap<>();

    LoginGuard(Clock clock, int maxFailures, Duration lockout) {
        this.clock = clock;
        this.maxFailures = maxFailures;
        this.lockout = lockout;
    }

    /** True if {@code addr} may not try to log in now. */
    boolean isLocked(InetAddress addr) {
        State s = states.get(addr);
        return s != null && s.lockedUntil() != null && clock.instant().isBefore(s.lockedUntil());
    }

    /** Records a failure; returns true if it locked the address out. */
    boolean failed(InetAddress addr) {
        Instant now = clock.instant();
        State s = states.compute(addr, (a, old) -> {
            if (old == null || now.isAfter(old.firstFailure().plus(WINDOW))
                    || (old.lockedUntil() != null && !now.isBefore(old.lockedUntil()))) {
                old = new State(0, now, null);
            }
            int f = old.failures() + 1;
            return new State(f, old.firstFailure(), f >= maxFailures ? now.plus(lockout) : null);
        });
        return s.lockedUntil() != null;
    }

    /** A successful login clears the address's record. */
    void succeeded(InetAddress addr) {
        states.remove(addr);
    }
}

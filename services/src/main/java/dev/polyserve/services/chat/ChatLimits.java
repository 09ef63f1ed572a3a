package dev.polyserve.services.chat;

import java.time.Duration;

/**
 * The chat room's limits; every one is also a {@code polyserve serve chat} option.
 *
 * @param maxLineBytes        longest message line (UTF-8 bytes, terminator excluded); longer ones are dropped with a notice
 * @param linesPerSecond      flood control: sustained lines per second per client (bursts up to the same number); 0 = off
 * @param maxMembers          most members in the room; more are told the room is full and closed
 * @param maxQueuedBytes      unsent bytes a member may have before it is dropped as too slow
 * @param lineTimeout         how long a line (or frame) may stay unfinished before the member is dropped with a
 *                            notice; {@link Duration#ZERO} = never
 */
public record ChatLimits(int maxLineBytes, int linesPerSecond, int maxMembers, long maxQueuedBytes, Duration lineTimeout) {

    /** Default longest line: 4 KiB, what a terminal line holds (see {@code LineDecoder.DEFAULT_MAX_LINE_BYTES}). */
    public static final int DEFAULT_MAX_LINE_BYTES = 4096;

    /**
     * Default flood limit: 20 lines/s. Nobody types that fast, a paste of a short snippet still goes through as
     * one burst, and a script spamming the room is slowed to something people can read past.
     */
    public static final int DEFAULT_LINES_PER_SECOND = 20;

    /**
     * Default room size: 1,000 members. Every line costs one write per member; past a thousand people a room is
     * no longer a conversation, and the cap bounds that fan-out.
     */
    public static final int DEFAULT_MAX_MEMBERS = 1000;

    /**
     * Default per-member backlog: 1 MiB, about ten thousand chat lines a client has not read. It sits below the
     * server's write queue limit (4 MiB by default) so the room, not the engine, notices a slow reader and can
     * tell the others {@code * NAME left (too slow)}.
     */
    public static final long DEFAULT_MAX_QUEUED_BYTES = 1L << 20;

    /**
     * Default unfinished-line deadline: 30 s. A person's client sends a line whole (a terminal in canonical mode,
     * the polyserve client) and a character-mode telnet finishes one in seconds; 30 s sits beside HTTP's 20 s
     * request-head deadline and stops a trickle that never ends, which the idle timeout would not (it resets with
     * every byte, and a named member may idle for ever).
     */
    public static final Duration DEFAULT_LINE_TIMEOUT = Duration.ofSeconds(30);

    public static final ChatLimits DEFAULTS = new ChatLimits(
            DEFAULT_MAX_LINE_BYTES, DEFAULT_LINES_PER_SECOND, DEFAULT_MAX_MEMBERS, DEFAULT_MAX_QUEUED_BYTES,
            DEFAULT_LINE_TIMEOUT);


    public ChatLimits {
        if (maxLineBytes < 64) throw new IllegalArgumentException("max line bytes must be at least 64");
        if (linesPerSecond < 0) throw new IllegalArgumentException("lines per second must not be negative (0 = off)");
        if (maxMembers < 1) throw new IllegalArgumentException("max members must be at least 1");
        if (maxQueuedBytes < maxLineBytes) throw new IllegalArgumentException("max queued bytes must hold at least one line");
        if (lineTimeout.isNegative()) throw new IllegalArgumentException("line timeout must not be negative (0 = never)");
    }

    public ChatLimits withLinesPerSecond(int n) {
        return new ChatLimits(maxLineBytes, n, maxMembers, maxQueuedBytes, lineTimeout);
    }

    public ChatLimits withMaxQueuedBytes(long n) {
        return new ChatLimits(maxLineBytes, linesPerSecond, maxMembers, n, lineTimeout);
    }

    public ChatLimits withLineTimeout(Duration d) {
        return new ChatLimits(maxLineBytes, linesPerSecond, maxMembers, maxQueuedBytes, d);
    }

    public ChatLimits withMaxMembers(int n) {
        return new ChatLimits(maxLineBytes, linesPerSecond, n, maxQueuedBytes, lineTimeout);
    }
}

package dev.polyserve.services.chat;

/**
 * The chat room's limits; every one is also a {@code polyserve serve chat} option.
 *
 * @param maxLineBytes        longest message line (UTF-8 bytes, terminator excluded); longer ones are dropped with a notice
 * @param linesPerSecond      flood control: sustained lines per second per client (bursts up to the same number); 0 = off
 * @param maxMembers          most members in the room; more are told the room is full and closed
 * @param maxQueuedBytes      unsent bytes a member may have before it is dropped as too slow
 */
public record ChatLimits(int maxLineBytes, int linesPerSecond, int maxMembers, long maxQueuedBytes) {

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

    public static final ChatLimits DEFAULTS = new ChatLimits(
            DEFAULT_MAX_LINE_BYTES, DEFAULT_LINES_PER_SECOND, DEFAULT_MAX_MEMBERS, DEFAULT_MAX_QUEUED_BYTES);

    public ChatLimits {
        if (maxLineBytes < 64) throw new IllegalArgumentException("max line bytes must be at least 64");
        if (linesPerSecond < 0) throw new IllegalArgumentException("lines per second must not be negative (0 = off)");
        if (maxMembers < 1) throw new IllegalArgumentException("max members must be at least 1");
        if (maxQueuedBytes < maxLineBytes) throw new IllegalArgumentException("max queued bytes must hold at least one line");
    }

    public ChatLimits withLinesPerSecond(int n) {
        return new ChatLimits(maxLineBytes, n, maxMembers, maxQueuedBytes);
    }

    public ChatLimits withMaxQueuedBytes(long n) {
        return new ChatLimits(maxLineBytes, linesPerSecond, maxMembers, n);
    }

    public ChatLimits withMaxMembers(int n) {
        return new ChatLimits(maxLineBytes, linesPerSecond, n, maxQueuedBytes);
    }
}

package dev.polyserve.core.codec;

/**
 * The limits of the header+body frame codec.
 *
 * @param maxHeaderBytes        longest JSON header accepted
 * @param maxBodyBytes          largest body a header may announce
 * @param streamThresholdBytes  bodies larger than this are delivered in chunks as they arrive instead of whole
 */
public record FrameLimits(int maxHeaderBytes, long maxBodyBytes, int streamThresholdBytes) {

    /**
     * Default longest header: 64 KiB. A header is metadata (a type, a name, a size); 64 KiB is generous for
     * that and matches common HTTP header-section limits (nginx large buffers 4 x 8 KiB, Tomcat 8 KiB, node 16 KiB).
     */
    public static final int DEFAULT_MAX_HEADER_BYTES = 64 << 10;

    /** Default largest body: 64 MiB, the course's file-transfer frames; bigger transfers belong on FTP. */
    public static final long DEFAULT_MAX_BODY_BYTES = 64L << 20;

    /**
     * Default streaming threshold: 256 KiB. Smaller bodies arrive whole (one allocation, simple handlers); a
     * larger one would pin up to the body limit per connection, so it is handed over chunk by chunk instead.
     */
    public static final int DEFAULT_STREAM_THRESHOLD_BYTES = 256 << 10;

    public static final FrameLimits DEFAULTS =
            new FrameLimits(DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_BODY_BYTES, DEFAULT_STREAM_THRESHOLD_BYTES);

    public FrameLimits {
        if (maxHeaderBytes < 2) throw new IllegalArgumentException("max header bytes must hold at least {}");
        if (maxBodyBytes < 0) throw new IllegalArgumentException("max body bytes must not be negative");
        if (streamThresholdBytes < 0) throw new IllegalArgumentException("stream threshold must not be negative");
    }
}

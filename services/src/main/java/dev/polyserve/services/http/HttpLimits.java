package dev.polyserve.services.http;

import dev.polyserve.core.MinimumRate;
import java.time.Duration;

/**
 * Every limit the HTTP server keeps, with the precedent behind its value. Limits a user may want to change are
 * also fields of {@link HttpOptions}; these are the defaults and the fixed protocol bounds.
 */
public final class HttpLimits {
    private HttpLimits() {}

    /**
     * Longest request line (method, target, version) before 414 URI Too Long. RFC 9112 section 3 asks for at least
     * 8000 octets; nginx's large_client_header_buffers (4 x 8k) and Tomcat's maxHttpHeaderSize both stop at 8 KiB.
     */
    public static final int MAX_REQUEST_LINE = 8 * 1024;

    /**
     * Largest header section (all field lines after the request line) before 431. h11 bounds an incomplete event at
     * 16 KiB and Node's default --max-http-header-size is 16 KiB; browsers' cookies rarely pass a few KiB.
     */
    public static final int MAX_HEADER_BYTES = 16 * 1024;

    /** Most header fields in one request: Apache's LimitRequestFields default is 100. */
    public static final int MAX_HEADER_COUNT = 100;

    /**
     * Default largest request body before 413; nginx's client_max_body_size defaults to 1 MiB. Raise it with
     * {@code --max-body}.
     */
    public static final long DEFAULT_MAX_BODY = 1L << 20;

    /**
     * Longest chunk-size line, extensions included. Go's net/http caps it at 4096 bytes (maxLineLength in
     * internal/chunked.go); real clients send a few hex digits.
     */
    public static final int MAX_CHUNK_LINE = 4096;

    /**
     * How long a client may take to send a complete request head, counted from the connection's first byte or the
     * end of the previous response (slowloris defence) before 408 and close. Apache's mod_reqtimeout starts at 20 s;
     * nginx's client_header_timeout is 60 s.
     */
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(20);

    /**
     * How long an idle keep-alive connection stays open between requests. Apache's KeepAliveTimeout is 5 s and
     * nginx's keepalive_timeout 75 s; 15 s keeps browsers' connection reuse without hoarding descriptors.
     */
    public static final Duration DEFAULT_KEEP_ALIVE_TIMEOUT = Duration.ofSeconds(15);

    /**
     * The slowest a request body may arrive: 500 bytes a second, judged over 20 s windows, else 408 and close.
     * Apache's mod_reqtimeout default is exactly this ({@code body=20,MinRate=500}); nginx's client_body_timeout
     * (60 s between two reads) lets a client trickle one byte a minute. A body shorter than a window's worth just
     * has to be complete within the window. {@code --body-timeout} and {@code --min-body-rate} change it.
     */
    public static final MinimumRate DEFAULT_BODY_RATE = new MinimumRate(500, Duration.ofSeconds(20));

    /**
     * The slowest a client may take its responses while they wait: 500 bytes a second over 20 s windows, else the
     * connection is aborted (slow-read attacks hold a server's buffers open by reading a byte now and then).
     * nginx's send_timeout is 60 s between two writes with no rate; the rate closes the trickle that defeats it.
     */
    public static final MinimumRate DEFAULT_SEND_RATE = new MinimumRate(500, Duration.ofSeconds(20));

    /**
     * Most connections one client address may hold open at once, else 503 and close, so one address cannot take
     * the whole {@code --max-connections}. Browsers open 6 per host; Apache's mod_qos and nginx's limit_conn are
     * usually configured in the tens to hundreds. Clients behind one NAT share an address, hence generous.
     */
    public static final int DEFAULT_MAX_PER_ADDRESS = 256;

    /**
     * After a refusal, the connection lingers reading (and dropping) what the client still sends, so that closing
     * does not reset the connection and destroy the error response before the client read it. It ends as soon as
     * the client closes, or once this long passes with no byte arriving (nginx's lingering_timeout, 5 s there: a
     * client still sending keeps sending within a round trip, so one second is plenty on any real network).
     */
    static final Duration LINGER_QUIET = Duration.ofSeconds(1);

    /** The longest a lingering close lasts however the client behaves (nginx's lingering_time is 30 s). */
    static final Duration LINGER_MAX = Duration.ofSeconds(5);

    /** The most bytes dropped while lingering: a client still sending a large body is cut off sooner. */
    static final long LINGER_MAX_BYTES = 1L << 20;

    /**
     * Pipelined bytes buffered while a response is still being produced; past this the connection stops reading
     * (the bytes wait in the kernel) until the response is out. Four times the header limit holds a burst of
     * ordinary pipelined GETs.
     */
    static final int MAX_PIPELINE_BUFFER = 4 * MAX_HEADER_BYTES;

    /**
     * Response bytes queued for one connection before the server stops answering its pipelined requests until the
     * client reads: a quarter of the engine's default 4 MiB write queue limit, so a slow reader is paused long
     * before it would be cut off.
     */
    static final long MAX_QUEUED_RESPONSE_BYTES = 1L << 20;

    /**
     * Largest file compressed on the fly for a client that accepts gzip; bigger text files are sent as they are
     * unless a precompressed {@code .gz} sits beside them. nginx's gzip works on any size, but it streams; we
     * compress in memory, so we bound the memory.
     */
    static final long MAX_GZIP_ON_THE_FLY = 1L << 20;

    /**
     * Total bytes of small files' contents kept in memory (each at most StaticFiles.INLINE_FILE_LIMIT, validated by
     * mtime and size at every lookup). nginx leaves contents to the page cache and caches only descriptors
     * (open_file_cache); copying from the heap skips the open, read and close a page-cache hit still costs.
     */
    static final long FILE_CACHE_BYTES = 16L << 20;

    /** Total bytes of on-the-fly gzip results kept for reuse; a small site fits, a big one cycles. */
    static final long GZIP_CACHE_BYTES = 16L << 20;

    /** Access-log lines waiting for the writer thread; beyond this lines are dropped (and counted) not blocked on. */
    static final int ACCESS_LOG_QUEUE = 16_384;
}

package dev.polyserve.services.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log in the combined log format (Apache's and nginx's default):
 * {@code host - - [time] "request" status bytes "referer" "user-agent"}, or as one JSON object a line for log
 * shippers ({@link Style#JSON}).
 *
 * <p>Off the hot path: a request only drops a small record into a bounded queue; one writer thread formats
 * and writes in batches, flushing when the queue runs dry. When the queue is full (a disk far slower than the
 * network), lines are dropped and counted rather than slowing every connection down.
 */
public final class AccessLog implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(AccessLog.class);
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneId.systemDefault());
    /** Bounds how long close() waits for queued lines to be written. */
    private static final long CLOSE_WAIT_MILLIS = 2000;

    /** How an entry is written. */
    public enum Style {
        /** Apache's and nginx's combined log format. */
        COMBINED,
        /** {@code {"time":"...Z","type":"access","remote":...,"request":...,"status":N,"bytes":N,"referer":...,"user_agent":...}}. */
        JSON
    }

    record Entry(String host, long epochMillis, String requestLine, int status, long bytes, String referer, String userAgent) {}

    private static final Entry STOP = new Entry("", 0, "", 0, 0, null, null);

    private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(HttpLimits.ACCESS_LOG_QUEUE);
    private final Writer out;
    private final Style style;
    private final boolean closeOut;
    private final Thread writer;
    private final LongAdder dropped = new LongAdder();

    private AccessLog(OutputStream stream, Style style, boolean closeOut) {
        this.out = new BufferedWriter(new OutputStreamWriter(stream, UTF_8), 64 * 1024);
        this.style = style;
        this.closeOut = closeOut;
        this.writer = Thread.ofPlatform().daemon().name("http-access-log").start(this::drain);
    }

    /** Appends to {@code file}, creating it. */
    public static AccessLog toFile(Path file, Style style) throws IOException {
        return new AccessLog(new FileOutputStream(file.toFile(), true), style, true);
    }

    /** Writes to standard output. */
    public static AccessLog toStdout(Style style) {
        return new AccessLog(System.out, style, false);
    }

    /** Writes to standard error, beside the server's other log lines. */
    public static AccessLog toStderr(Style style) {
        return new AccessLog(System.err, style, false);
    }

    /** Writes to {@code stream} (tests); the stream is left open on close. */
    static AccessLog to(OutputStream stream, Style style) {
        return new AccessLog(stream, style, false);
    }

    /** Queues one line; never blocks. */
    void log(Entry e) {
        if (!queue.offer(e)) dropped.increment();
    }

    /** Lines dropped because the queue was full. */
    public long dropped() {
        return dropped.sum();
    }

    private void drain() {
        List<Entry> batch = new ArrayList<>(256);
        StringBuilder sb = new StringBuilder(256);
        try {
            while (true) {
                batch.add(queue.take());
                queue.drainTo(batch, 1023);
                for (Entry e : batch) {
                    if (e == STOP) {
                        out.flush();
                        return;
                    }
                    sb.setLength(0);
                    if (style == Style.JSON) formatJson(e, sb);
                    else format(e, sb);
                    out.write(sb.toString());
                }
                batch.clear();
                if (queue.isEmpty()) out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.error("access log stopped: {}", e.toString());
        }
    }

    static void format(Entry e, StringBuilder sb) {
        sb.append(e.host).append(" - - [").append(TIME.format(Instant.ofEpochMilli(e.epochMillis))).append("] \"");
        quote(e.requestLine, sb);
        sb.append("\" ").append(e.status).append(' ').append(e.bytes == 0 ? "-" : Long.toString(e.bytes)).append(" \"");
        quote(e.referer == null ? "-" : e.referer, sb);
        sb.append("\" \"");
        quote(e.userAgent == null ? "-" : e.userAgent, sb);
        sb.append("\"\n");
    }

    static void formatJson(Entry e, StringBuilder sb) {
        sb.append("{\"time\":\"").append(Instant.ofEpochMilli(e.epochMillis)).append("\",\"type\":\"access\",\"remote\":");
        jsonString(e.host, sb);
        sb.append(",\"request\":");
        jsonString(e.requestLine, sb);
        sb.append(",\"status\":").append(e.status).append(",\"bytes\":").append(e.bytes).append(",\"referer\":");
        jsonString(e.referer, sb);
        sb.append(",\"user_agent\":");
        jsonString(e.userAgent, sb);
        sb.append("}\n");
    }

    /** {@code s} as a JSON string, escaped (RFC 8259 section 7), or {@code null}. */
    private static void jsonString(String s, StringBuilder sb) {
        if (s == null) {
            sb.append("null");
            return;
        }
        sb.append('"');
        JsonStringEncoder.getInstance().quoteAsString(s, sb);
        sb.append('"');
    }

    /** Escapes quotes, backslashes and control bytes so a client cannot forge log lines (as nginx does). */
    private static void quote(String s, StringBuilder sb) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02X", (int) c));
            } else {
                sb.append(c);
            }
        }
    }

    /** Writes what is queued (waiting a bounded time) and stops the writer. */
    @Override
    public void close() throws IOException {
        try {
            if (!queue.offer(STOP, CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) writer.interrupt();
            writer.join(CLOSE_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (dropped.sum() > 0) log.warn("access log dropped {} lines because the writer fell behind", dropped.sum());
        if (closeOut) out.close();
        else out.flush();
    }
}

package dev.polyserve.cli.log;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.event.Level;

/**
 * Where polyserve's log lines go and how they look: one line a record on stderr (stdout belongs to the
 * {@code listening on} line and to clients), at or above a threshold, as text for people or as one JSON object a
 * line for log shippers. Set from {@code --log-level}, {@code --quiet} and {@code --log-format} while the command
 * line is parsed, before the server starts; a prefork worker re-runs the same command line and so logs alike.
 */
public final class ConsoleLog {
    /** How a record is written. */
    public enum Format {
        /** {@code 2025-01-31T12:00:00.000 [thread] INFO Logger - message}, local time. */
        TEXT,
        /** {@code {"time":"...Z","level":"INFO","logger":"...","thread":"...","pid":N,"message":"..."}}, UTC. */
        JSON
    }

    /** The threshold when nothing says otherwise; a system property so test JVMs can lower the noise. */
    public static final String LEVEL_PROPERTY = "polyserve.log.level";

    /**
     * Loggers held above the threshold: the Redis client's watchdog logs each reconnect attempt, while the chat bus
     * already says once that Redis is gone and once that it is back.
     */
    private static final Map<String, Level> FLOORS = Map.of("io.lettuce.core.protocol.ConnectionWatchdog", Level.ERROR);

    private static final DateTimeFormatter LOCAL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS", Locale.ROOT);
    private static final long PID = ProcessHandle.current().pid();

    static {
        // The zone rules are read from a file on first use; a first line written while the process is out of
        // descriptors (the engines log exactly then) would otherwise fail, and take the logging thread with it.
        ZoneId.systemDefault().getRules();
    }

    private static volatile Level threshold = parseLevel(System.getProperty(LEVEL_PROPERTY, "info"));
    private static volatile Format format = Format.TEXT;
    private static volatile PrintStream out = System.err;

    private ConsoleLog() {}

    /** Records below {@code level} are dropped. */
    public static void threshold(Level level) { threshold = Objects.requireNonNull(level); }

    public static Level threshold() { return threshold; }

    public static void format(Format f) { format = Objects.requireNonNull(f); }

    public static Format format() { return format; }

    /** Writes to {@code stream} instead of stderr (tests). */
    public static void to(PrintStream stream) { out = Objects.requireNonNull(stream); }

    /** True when a record of {@code level} from {@code logger} would be written. */
    public static boolean enabled(String logger, Level level) {
        Level floor = FLOORS.get(logger);
        int min = Math.max(threshold.toInt(), floor == null ? 0 : floor.toInt());
        return level.toInt() >= min;
    }

    /** {@code trace}, {@code debug}, {@code info}, {@code warn} or {@code error}, in any case. */
    public static Level parseLevel(String s) {
        try {
            return Level.valueOf(s.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown log level '" + s + "'; use trace, debug, info, warn or error");
        }
    }

    /** Writes one record as one line (a stack trace stays inside the JSON object, or follows the text line). */
    static void write(String logger, Level level, String message, Throwable error) {
        Instant now = Instant.now();
        String thread = Thread.currentThread().getName();
        String line = format == Format.JSON ? json(now, logger, level, thread, message, error) : text(now, logger, level, thread, message, error);
        PrintStream o = out;
        synchronized (o) {   // one record is never interleaved with another thread's
            try {
                o.print(line);
                o.flush();
            } catch (OutOfMemoryError noThread) {
                // On a virtual thread a console write may first start a spare carrier thread; when the process is
                // out of threads that fails, and the line (or its rest) is lost. Logging must not fail its caller.
            }
        }
    }

    static String text(Instant time, String logger, Level level, String thread, String message, Throwable error) {
        StringBuilder sb = new StringBuilder(128);
        LOCAL_TIME.formatTo(LocalDateTime.ofInstant(time, ZoneId.systemDefault()), sb);
        sb.append(" [").append(thread).append("] ").append(level).append(' ')
                .append(logger.substring(logger.lastIndexOf('.') + 1)).append(" - ").append(message).append('\n');
        if (error != null) sb.append(stackTrace(error));
        return sb.toString();
    }

    static String json(Instant time, String logger, Level level, String thread, String message, Throwable error) {
        StringBuilder sb = new StringBuilder(160);
        sb.append("{\"time\":\"").append(time).append("\",\"level\":\"").append(level).append("\",\"logger\":");
        quote(logger, sb);
        sb.append(",\"thread\":");
        quote(thread, sb);
        sb.append(",\"pid\":").append(PID).append(",\"message\":");
        quote(message, sb);
        if (error != null) {
            sb.append(",\"error\":");
            quote(stackTrace(error), sb);
        }
        return sb.append("}\n").toString();
    }

    /** {@code s} as a JSON string (RFC 8259 section 7): quotes, backslashes and control characters escaped. */
    private static void quote(String s, StringBuilder sb) {
        sb.append('"');
        JsonStringEncoder.getInstance().quoteAsString(s, sb);
        sb.append('"');
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}

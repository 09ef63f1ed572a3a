package dev.polyserve.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

class LogLimiterTest {
    private final AtomicLong now = new AtomicLong();
    private final LogLimiter limiter = new LogLimiter(LoggerFactory.getLogger(LogLimiterTest.class), Duration.ofSeconds(60), 2, now::get);

    @Test
    void aFewLinesPerKeyPerWindowThenACountOfTheRest() {
        assertThat(limiter.admit("10.0.0.1", Level.INFO)).isEqualTo("");
        assertThat(limiter.admit("10.0.0.1", Level.INFO)).isEqualTo("");
        for (int i = 0; i < 5; i++) assertThat(limiter.admit("10.0.0.1", Level.INFO)).isNull();
        assertThat(limiter.admit("10.0.0.2", Level.INFO)).as("another peer is not held back").isEqualTo("");
        now.addAndGet(Duration.ofSeconds(60).toNanos());
        assertThat(limiter.admit("10.0.0.1", Level.INFO)).contains("5 similar lines for 10.0.0.1 were not logged");
        assertThat(limiter.admit("10.0.0.1", Level.INFO)).isEqualTo("");
        assertThat(limiter.admit("10.0.0.1", Level.INFO)).isNull();
    }

    @Test
    void theCountOfHeldBackLinesIsWrittenWhenTheWindowEndsWithoutANextLine() {
        RecordingLogger log = new RecordingLogger();
        LogLimiter shortWindow = new LogLimiter(log, Duration.ofSeconds(2), 1);
        shortWindow.warn("10.0.0.3", "refused {}", 1);
        for (int i = 2; i <= 4; i++) shortWindow.warn("10.0.0.3", "refused {}", i);
        assertThat(log.lines).containsExactly("WARN refused 1");
        Await.until(Duration.ofSeconds(10), () -> "the count line, got " + log.lines, () -> log.lines.size() == 2);
        assertThat(log.lines.get(1)).isEqualTo("WARN 3 similar lines for 10.0.0.3 were not logged in the last 2 s");
        shortWindow.warn("10.0.0.3", "refused {}", 5);
        assertThat(log.lines).as("counted once: the next line opens a new window without repeating it")
                .last().isEqualTo("WARN refused 5");
    }

    /** Keeps each line as {@code LEVEL message}. */
    private static final class RecordingLogger extends LegacyAbstractLogger {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String format, Object[] args, Throwable t) {
            lines.add(level + " " + MessageFormatter.basicArrayFormat(format, args));
        }

        @Override public boolean isTraceEnabled() { return false; }
        @Override public boolean isDebugEnabled() { return false; }
        @Override public boolean isInfoEnabled() { return true; }
        @Override public boolean isWarnEnabled() { return true; }
        @Override public boolean isErrorEnabled() { return true; }
    }

    @Test
    void minimumRatePerWindow() {
        assertThat(new MinimumRate(500, Duration.ofSeconds(20)).bytesPerWindow()).isEqualTo(10_000);
        assertThat(new MinimumRate(1, Duration.ofMillis(1)).bytesPerWindow()).as("never zero").isEqualTo(1);
        assertThat(new MinimumRate(500, Duration.ofSeconds(20))).hasToString("500 B/s over 20 s");
    }
}

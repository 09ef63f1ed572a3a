package dev.polyserve.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LogLimiterTest {
    private final AtomicLong now = new AtomicLong();
    private final LogLimiter limiter = new LogLimiter(LoggerFactory.getLogger(LogLimiterTest.class), Duration.ofSeconds(60), 2, now::get);

    @Test
    void aFewLinesPerKeyPerWindowThenACountOfTheRest() {
        assertThat(limiter.admit("10.0.0.1")).isEqualTo("");
        assertThat(limiter.admit("10.0.0.1")).isEqualTo("");
        for (int i = 0; i < 5; i++) assertThat(limiter.admit("10.0.0.1")).isNull();
        assertThat(limiter.admit("10.0.0.2")).as("another peer is not held back").isEqualTo("");
        now.addAndGet(Duration.ofSeconds(60).toNanos());
        assertThat(limiter.admit("10.0.0.1")).contains("5 similar lines for 10.0.0.1 were not logged");
        assertThat(limiter.admit("10.0.0.1")).isEqualTo("");
        assertThat(limiter.admit("10.0.0.1")).isNull();
    }

    @Test
    void minimumRatePerWindow() {
        assertThat(new MinimumRate(500, Duration.ofSeconds(20)).bytesPerWindow()).isEqualTo(10_000);
        assertThat(new MinimumRate(1, Duration.ofMillis(1)).bytesPerWindow()).as("never zero").isEqualTo(1);
        assertThat(new MinimumRate(500, Duration.ofSeconds(20))).hasToString("500 B/s over 20 s");
    }
}

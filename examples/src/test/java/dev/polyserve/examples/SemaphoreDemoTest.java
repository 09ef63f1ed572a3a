package dev.polyserve.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SemaphoreDemoTest {
    @Test
    void neverMoreThanFiveOfTwentyThreadsAreInside() throws Exception {
        Captured c = new Captured();
        SemaphoreDemo.Result r = SemaphoreDemo.run(c.out);
        assertThat(r.maxInside()).isBetween(1, SemaphoreDemo.SLOTS);
        assertThat(r.finished()).isEqualTo(SemaphoreDemo.THREADS);
        assertThat(c.lastLine()).startsWith("verdict: the semaphore");
    }
}

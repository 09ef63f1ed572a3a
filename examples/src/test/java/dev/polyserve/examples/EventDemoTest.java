package dev.polyserve.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class EventDemoTest {
    @Test
    void carsPassOnlyOnGreenAndAllPass() throws Exception {
        Captured c = new Captured();
        EventDemo.Result r = EventDemo.run(c.out);
        assertThat(r.passedOnRed()).isZero();
        assertThat(r.passages()).hasSize(EventDemo.WAVES * EventDemo.CARS_PER_WAVE)
                .allSatisfy(p -> assertThat(r.greenTurns()).contains(p.greenTurn()));
        assertThat(c.lastLine()).startsWith("verdict: all");
    }

    @Test
    void anEventCanBeClearedAndWaitedForAgain() throws Exception {
        Event e = new Event();
        assertThat(e.await(Duration.ZERO)).isFalse();
        e.set();
        assertThat(e.await(Duration.ZERO)).isTrue();
        e.clear();
        assertThat(e.isSet()).isFalse();
        assertThat(e.await(Duration.ofMillis(1))).isFalse();
    }
}

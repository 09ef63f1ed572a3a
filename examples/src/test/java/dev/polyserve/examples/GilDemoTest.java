package dev.polyserve.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GilDemoTest {
    /** Small work: the lesson is the mechanism (same answer, nobody waits for a lock), never a speed. */
    static final int WORK = 50_000;

    @Test
    void threadsNeverWaitForAGlobalLockAndAgreeOnTheAnswer() throws Exception {
        Captured c = new Captured();
        GilDemo.Result r = GilDemo.run(c.out, WORK);
        assertThat(r.runs()).extracting(GilDemo.Run::answer).containsOnly(5133L); // primes below 50,000
        assertThat(r.runs()).extracting(GilDemo.Run::threads).startsWith(1, 2);
        assertThat(r.statesSeenWhileWorking()).containsOnly(Thread.State.RUNNABLE);
        assertThat(c.lastLine()).startsWith("verdict: Java threads ran");
    }
}

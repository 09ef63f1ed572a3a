package dev.polyserve.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeadlockDemoTest {
    @Test
    void theDeadlockIsDetectedAndBothFixesFinish() throws Exception {
        Captured c = new Captured();
        DeadlockDemo.Result r = DeadlockDemo.run(c.out);
        assertThat(r.cycle()).hasSize(2);
        assertThat(r.cycle()).anySatisfy(l -> assertThat(l).startsWith("thread 1").contains("holds lock A and waits for lock B, which is held by thread 2"));
        assertThat(r.cycle()).anySatisfy(l -> assertThat(l).startsWith("thread 2").contains("holds lock B and waits for lock A, which is held by thread 1"));
        assertThat(r.orderedFinished()).isTrue();
        assertThat(r.tryLockFinished()).isTrue();
        assertThat(r.reentrantHoldCount()).isEqualTo(DeadlockDemo.REENTRY_DEPTH);
        assertThat(r.plainLockRefusedReentry()).isTrue();
        assertThat(c.lastLine()).startsWith("verdict: opposite lock order deadlocked");
    }
}

package dev.polyserve.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PoolDemoTest {
    @Test
    void bothPoolsRunEveryTaskWithACallbackAndShutDown() throws Exception {
        Captured c = new Captured();
        PoolDemo.Result r = PoolDemo.run(c.out, true);
        assertThat(r.processAnswers()).hasSize(PoolDemo.TASKS).allSatisfy((n, sq) -> assertThat(sq).isEqualTo(n * n));
        assertThat(r.threadAnswers()).hasSize(PoolDemo.TASKS).allSatisfy((n, sq) -> assertThat(sq).isEqualTo(n * n));
        assertThat(r.workerPids()).hasSize(PoolDemo.PROCESS_WORKERS).containsAll(r.answeringPids());
        assertThat(r.answeringPids()).doesNotContain(ProcessHandle.current().pid());
        assertThat(r.processCallbacks()).isEqualTo(PoolDemo.TASKS);
        assertThat(r.workersExited()).isTrue();
        assertThat(c.text()).contains("processes (/bin/true)").contains("virtual threads");
        assertThat(c.lastLine()).startsWith("verdict: both pools");
    }

    @Test
    void workersComputeTheNamedFunctions() throws Exception {
        try (ProcessPool pool = new ProcessPool(1)) {
            assertThat(pool.submit("collatz-steps", 27).get().value()).isEqualTo(111);
            assertThat(pool.submit("square", -4).get().value()).isEqualTo(16);
        }
    }
}

package dev.polyserve.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcessesDemoTest {
    @Test
    void childrenAreJoinedTerminatedDieWithTheirParentAndAZombieIsReaped() throws Exception {
        Captured c = new Captured();
        ProcessesDemo.Result r = ProcessesDemo.run(c.out);
        assertThat(r.childSawUsAsParent()).as("child's parent pid is ours").isTrue();
        assertThat(r.aliveAfterJoinTimeout()).as("join with timeout returns while the child runs").isTrue();
        assertThat(r.terminatedExitStatus()).as("SIGTERM").isEqualTo(143);
        assertThat(r.daemonDiedWithParent()).isTrue();
        assertThat(r.zombieSeen()).as("state Z in /proc").isTrue();
        assertThat(r.orphanAdopted()).isTrue();
        assertThat(r.reaped()).isTrue();
        assertThat(c.text()).contains("'Z' (zombie)").contains("no such process (reaped)");
        assertThat(c.lastLine()).startsWith("verdict: processes start");
    }
}

package dev.polyserve.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PipeDemoTest {
    @Test
    void bothEndsSendAndReceiveWholeMessagesInOrder() throws Exception {
        Captured c = new Captured();
        PipeDemo.Result r = PipeDemo.run(c.out);
        assertThat(r.childPid()).isNotEqualTo(ProcessHandle.current().pid());
        assertThat(r.greeting()).isEqualTo("hello from " + r.childPid());
        assertThat(r.answers()).containsExactly("9", "16", "144", "bye");
        assertThat(r.childExitedCleanly()).isTrue();
        assertThat(c.lastLine()).startsWith("verdict: both ends");
    }
}

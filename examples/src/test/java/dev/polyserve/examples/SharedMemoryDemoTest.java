package dev.polyserve.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SharedMemoryDemoTest {
    @Test
    void theParentSeesEveryUpdateOfEveryChildProcess() throws Exception {
        Captured c = new Captured();
        SharedMemoryDemo.Result r = SharedMemoryDemo.run(c.out);
        long total = (long) SharedMemoryDemo.CHILDREN * SharedMemoryDemo.ROUNDS;
        assertThat(r.counter()).isEqualTo(total);
        for (int i = 0; i < SharedMemoryDemo.ARRAY_LENGTH; i++) assertThat(r.array()[i]).isEqualTo(i + total);
        assertThat(c.lastLine()).startsWith("verdict: every update");
    }
}

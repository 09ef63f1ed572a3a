package dev.polyserve.linux;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class IoUringTest {

    @Test
    void aBatchOfNopsCompletesWithTheirUserData() throws Exception {
        var refused = LinuxEngineProvider.uringRefusal();
        assumeTrue(refused.isEmpty(), () -> "io_uring refused here: " + refused.orElse(""));
        try (IoUring ring = IoUring.open(8)) {
            assertThat(ring.sqEntries()).isEqualTo(8);
            for (long id = 1; id <= 5; id++) {
                long sqe = ring.sqe();
                assertThat(sqe).isNotNegative();
                ring.prep(sqe, IoUring.OP_NOP, -1, 0, 0, 0, id * 100);
            }
            assertThat(ring.pending()).isEqualTo(5);
            assertThat(ring.submitAndWait(5)).isEqualTo(5);
            assertThat(ring.pending()).isZero();
            assertThat(ring.cqReady()).isEqualTo(5);
            long sum = 0;
            for (int i = 0; i < 5; i++) {
                assertThat(ring.cqeRes(i)).isZero();
                sum += ring.cqeUserData(i);
            }
            ring.cqAdvance(5);
            assertThat(sum).isEqualTo(1500);
            assertThat(ring.cqReady()).isZero();
        }
    }

    @Test
    void theSubmissionQueueReportsFullInsteadOfOverwriting() throws Exception {
        var refused = LinuxEngineProvider.uringRefusal();
        assumeTrue(refused.isEmpty(), () -> "io_uring refused here: " + refused.orElse(""));
        try (IoUring ring = IoUring.open(4)) {
            for (int i = 0; i < 4; i++) ring.prep(ring.sqe(), IoUring.OP_NOP, -1, 0, 0, 0, i);
            assertThat(ring.sqe()).isEqualTo(-1);
            assertThat(ring.submitAndWait(4)).isEqualTo(4);
            ring.cqAdvance(ring.cqReady());
            assertThat(ring.sqe()).isNotNegative();
        }
    }
}

package dev.polyserve.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TicketsDemoTest {
    @Test
    void withTheProcessLockExactlyTheStockIsSold() throws Exception {
        Captured c = new Captured();
        TicketsDemo.Result r = TicketsDemo.run(c.out, true);
        assertThat(r.sold()).isEqualTo(TicketsDemo.STOCK);
        assertThat(r.stockLeft()).isZero();
        assertThat(c.lastLine()).startsWith("verdict: with the lock");
    }

    /** The barrier forces every buyer to read before anyone writes, so the oversale is certain, not lucky. */
    @Test
    void withoutTheLockTheForcedInterleavingOversells() throws Exception {
        Captured c = new Captured();
        TicketsDemo.Result r = TicketsDemo.run(c.out, false);
        assertThat(r.sold()).isGreaterThanOrEqualTo(TicketsDemo.STOCK + TicketsDemo.BUYERS - 1);
        assertThat(java.util.Arrays.stream(r.soldPerBuyer()).min().orElseThrow()).as("every buyer sold the shared ticket").isPositive();
        assertThat(c.lastLine()).startsWith("verdict: without the lock");
    }

    @Test
    void theCommandLineOptionSelectsTheRacyVersion() throws Exception {
        Captured c = new Captured();
        assertThat(TicketsDemo.main(c.out, java.util.List.of("--no-lock"))).isZero();
        assertThat(c.text()).contains("NO lock");
    }
}

package dev.polyserve.services.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The bandwidth limit's arithmetic on a fake clock: no waiting, no timing. */
class TokenBucketTest {
    private long now = 1_000_000_000L;

    private TokenBucket bucket(long rate) {
        return new TokenBucket(rate, () -> now);
    }

    @Test
    void startsWithItsBurstThenWaitsExactlyForTheOverdraft() {
        TokenBucket b = bucket(1 << 20);
        assertThat(b.burst()).as("50 ms at 1 MiB/s").isEqualTo(52_428);
        assertThat(b.delayNanos()).isZero();
        b.take(b.burst());
        assertThat(b.delayNanos()).as("empty, not overdrawn").isZero();
        b.take(1 << 10);
        assertThat(b.delayNanos()).as("1 KiB at 1 MiB/s").isEqualTo(976_563);
        now += 976_562;
        assertThat(b.delayNanos()).isEqualTo(1);
        now += 1;
        assertThat(b.delayNanos()).isZero();
    }

    @Test
    void anIdleBucketHoldsNoMoreThanItsBurst() {
        TokenBucket b = bucket(64 * 1024);
        assertThat(b.burst()).as("the floor, above 50 ms of 64 KiB/s").isEqualTo(TokenBucket.MIN_BURST);
        now += 3_600_000_000_000L; // an hour
        b.take(TokenBucket.MIN_BURST);
        assertThat(b.delayNanos()).isZero();
        b.take(64);
        assertThat(b.delayNanos()).as("64 bytes at 64 KiB/s, nothing saved from the idle hour").isEqualTo(976_563);
    }

    @Test
    void aSenderThatWakesLateStillGetsTheRateOverTenSeconds() {
        long rate = 10L << 20;
        Throttle t = new Throttle(bucket(rate), null);
        Random late = new Random(15);
        long start = now;
        long end = start + 10_000_000_000L;
        long sent = 0;
        while (true) {
            long wait = t.delayNanos();
            if (wait > 0) now += wait + late.nextInt(20_000_000); // a timer up to 20 ms late (a loaded loop)
            if (now >= end) break;
            t.took(t.chunk());
            sent += t.chunk();
        }
        long burst = (long) (rate * 0.05);
        assertThat(sent).as("never more than the rate plus the burst and one chunk").isLessThanOrEqualTo(rate * 10 + burst + t.chunk());
        assertThat(sent).as("late wake-ups are absorbed by the burst, not lost").isGreaterThanOrEqualTo(rate * 10 - t.chunk());
    }

    @Test
    void aTransferUnderTwoLimitsMovesAtTheSlowerAndSessionsShareTheTotal() {
        TokenBucket total = bucket(100_000);
        Throttle a = new Throttle(bucket(1 << 20), total);
        Throttle b = new Throttle(null, total);
        assertThat(a.chunk()).as("a tenth of a second at the slower rate").isEqualTo(10_000);
        long end = now + 5_000_000_000L;
        long sent = 0;
        for (boolean turnA = true; now < end; turnA = !turnA) {
            Throttle t = turnA ? a : b;
            long wait = t.delayNanos();
            if (wait > 0) {
                now += wait;
                continue;
            }
            t.took(1_000);
            sent += 1_000;
        }
        assertThat(sent).as("both sessions together stay under the total").isBetween(500_000L - 1_000, 500_000L + TokenBucket.MIN_BURST + 1_000);
    }

    @Test
    void ratesBelowTheFloorAreRefusedAndNoneIsUnlimited() {
        assertThatThrownBy(() -> new TransferRates(512, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1024");
        assertThat(Throttle.NONE.limited()).isFalse();
        assertThat(Throttle.NONE.delayNanos()).isZero();
        assertThat(new Throttle(bucket(1024), null).chunk()).isEqualTo(102);
    }
}

package dev.polyserve.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OtherCpuTest {
    @Test
    void machineBusyCountsEveryColumnButIdleAndIowait() {
        // user nice system idle iowait irq softirq steal guest guest_nice
        assertThat(OtherCpu.machineBusy("cpu  100 2 30 5000 70 4 5 6 40 0")).isEqualTo(100 + 2 + 30 + 4 + 5 + 6);
        assertThatThrownBy(() -> OtherCpu.machineBusy("cpu0 1 2 3 4 5 6 7 8"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ownTicksAreUtimeStimeAndReapedChildrensFromAStatLineWhoseCommandHoldsSpaces() {
        String line = "4242 (java (lab) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 310 45 7 3 20 0 40 0 12345 0 0";
        assertThat(OtherCpu.ownTicks(line)).isEqualTo(310 + 45 + 7 + 3);
    }

    @Test
    void othersAreTheMachinesBusyTimeLessThisProcesssOwnPerSecond() {
        var from = new OtherCpu.Reading(1_000, 400, 0);
        var to = new OtherCpu.Reading(1_000 + 300, 400 + 250, Duration.ofSeconds(2).toNanos());
        assertThat(OtherCpu.cores(from, to)).isEqualTo(0.25); // 50 ticks of others in 2 s at 100 ticks a second
        var ownMoreThanMachine = new OtherCpu.Reading(1_000 + 100, 400 + 150, Duration.ofSeconds(2).toNanos());
        assertThat(OtherCpu.cores(from, ownMoreThanMachine)).isZero(); // ticks are sampled apart: never negative
    }

    @Test
    void thisProcesssWorkShowsInItsOwnTicks() {
        OtherCpu.Reading before = OtherCpu.read();
        assertThat(before).as("/proc is readable on Linux").isNotNull();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        long spin = 0;
        OtherCpu.Reading now = OtherCpu.read();
        while (now.own() == before.own() && System.nanoTime() < deadline) {
            for (int i = 0; i < 1_000_000; i++) spin += i ^ spin;
            now = OtherCpu.read();
        }
        assertThat(now.own()).as("spun " + spin).isGreaterThan(before.own());
        assertThat(now.machineBusy()).isGreaterThanOrEqualTo(before.machineBusy());
    }
}

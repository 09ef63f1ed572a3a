package dev.polyserve.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How much CPU the rest of the machine used while a lab run went on: the machine's busy time (/proc/stat) minus this
 * process's own, its reaped children's included (/proc/self/stat: the lab's servers are child JVMs, waited for
 * before the run ends). The load average cannot say this: a quiet window still carries the builds that just ended
 * in its 1-minute figure, and the lab's own server and load generator keep it above 2 on two cores.
 */
final class OtherCpu {
    /** Above this many cores of other processes' CPU on average, the lab's figures are marked "loaded machine". */
    static final double LOADED_CORES = 0.25;

    /** /proc/stat and /proc/self/stat count in USER_HZ, 100 on Linux. */
    private static final double TICKS_PER_SECOND = 100.0;

    /** One reading: clock ticks the whole machine was busy, and ticks this process and its reaped children used. */
    record Reading(long machineBusy, long own, long nanoTime) {}

    private OtherCpu() {}

    /** Now, or null where /proc cannot be read (not Linux). */
    static Reading read() {
        try {
            return new Reading(machineBusy(Files.readAllLines(Path.of("/proc/stat")).getFirst()),
                    ownTicks(Files.readAllLines(Path.of("/proc/self/stat")).getFirst()), System.nanoTime());
        } catch (IOException | RuntimeException notLinux) {
            return null;
        }
    }

    /** Cores other processes kept busy on average between {@code from} and {@code to}; never below zero. */
    static double cores(Reading from, Reading to) {
        double seconds = (to.nanoTime() - from.nanoTime()) / 1e9;
        if (seconds <= 0) return 0;
        long others = (to.machineBusy() - from.machineBusy()) - (to.own() - from.own());
        return Math.max(0, others / TICKS_PER_SECOND / seconds);
    }

    /** Busy ticks from /proc/stat's "cpu" line: every column but idle and iowait (guest time is inside user already). */
    static long machineBusy(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        if (!f[0].equals("cpu")) throw new IllegalArgumentException("not the cpu line of /proc/stat: " + cpuLine);
        long busy = 0;
        // user nice system idle iowait irq softirq steal [guest guest_nice]
        for (int i = 1; i <= Math.min(8, f.length - 1); i++) {
            if (i != 4 && i != 5) busy += Long.parseLong(f[i]);
        }
        return busy;
    }

    /** utime + stime + cutime + cstime from a /proc/PID/stat line (fields 14 to 17; the command may hold spaces). */
    static long ownTicks(String statLine) {
        String[] f = statLine.substring(statLine.lastIndexOf(')') + 2).split(" ");
        // f[0] is field 3 (state), so field n is f[n - 3]
        return List.of(14, 15, 16, 17).stream().mapToLong(n -> Long.parseLong(f[n - 3])).sum();
    }
}

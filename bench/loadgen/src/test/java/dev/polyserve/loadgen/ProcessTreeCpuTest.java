package dev.polyserve.loadgen;

import dev.polyserve.core.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class ProcessTreeCpuTest {

    /** A /proc/PID/stat line with the given ids and times; other fields are plausible filler. */
    private static String stat(long pid, String comm, long ppid, long utime, long stime, long cutime, long cstime) {
        return pid + " (" + comm + ") S " + ppid + " " + pid + " " + pid + " 0 -1 4194560 100 0 0 0 "
                + utime + " " + stime + " " + cutime + " " + cstime + " 20 0 12 0 1234 5678 90 18446744073709551615\n";
    }

    private static void process(Path proc, long pid, String comm, long ppid, long utime, long stime, long cutime, long cstime)
            throws IOException {
        Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(dir.resolve("stat"), stat(pid, comm, ppid, utime, stime, cutime, cstime));
    }

    @Test
    void parsesCommandNamesWithSpacesAndParentheses() {
        var parsed = ProcessTreeCpu.ProcStat.parse(stat(4321, "java (worker) 1", 77, 150, 30, 4, 2));

        assertThat(parsed).isEqualTo(new ProcessTreeCpu.ProcStat(4321, 77, 150, 30, 4, 2));
        assertThat(parsed.totalTicks()).isEqualTo(186);
    }

    @Test
    void sumsTheWholeTreeAndNothingElse(@TempDir Path proc) throws IOException {
        process(proc, 1, "init", 0, 1000, 1000, 0, 0);
        process(proc, 10, "polyserve", 1, 100, 20, 5, 1);     // root: 126
        process(proc, 11, "java", 10, 300, 40, 0, 0);          // child: 340
        process(proc, 12, "worker (x)", 11, 7, 3, 0, 0);       // grandchild: 10
        process(proc, 20, "unrelated", 1, 999, 999, 0, 0);
        process(proc, 21, "unrelated child", 20, 5, 5, 0, 0);
        Files.createDirectories(proc.resolve("30"));           // exited while we listed /proc: no stat
        Files.createDirectories(proc.resolve("self"));         // not a process id
        ProcessTreeCpu cpu = new ProcessTreeCpu(proc, 100);

        assertThat(cpu.treeTicks(10)).isEqualTo(126 + 340 + 10);
        assertThat(cpu.treeSeconds(10)).isEqualTo(4.76);
        assertThat(cpu.ownTicks(10)).isEqualTo(126);
        assertThat(cpu.treeTicks(12)).isEqualTo(10);
        assertThat(cpu.exists(11)).isTrue();
        assertThat(cpu.exists(30)).isFalse();
    }

    @Test
    void aMissingRootIsAnErrorNotZero(@TempDir Path proc) throws IOException {
        process(proc, 1, "init", 0, 1, 1, 0, 0);
        ProcessTreeCpu cpu = new ProcessTreeCpu(proc, 100);

        assertThatThrownBy(() -> cpu.treeTicks(99)).isInstanceOf(IllegalStateException.class).hasMessageContaining("99");
    }

    @Test
    void chargesTheCpuOfAGrandchildToTheRoot() throws Exception {
        // The root shell only waits; a grandchild shell spins. Only tree accounting sees the spinning.
        Process root = new ProcessBuilder("sh", "-c", "sh -c 'while :; do :; done' & wait").start();
        try {
            ProcessTreeCpu cpu = ProcessTreeCpu.system();
            long pid = root.pid();
            Await.until(Duration.ofSeconds(20), "the spinning grandchild to show in the tree", () -> cpu.treeTicks(pid) > cpu.ownTicks(pid));

            assertThat(cpu.treeSeconds(pid)).isPositive();
        } finally {
            root.descendants().forEach(ProcessHandle::destroyForcibly);
            root.destroyForcibly();
            assertThat(root.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void seesThisJvmWorking() throws Exception {
        ProcessTreeCpu cpu = ProcessTreeCpu.system();
        long self = ProcessHandle.current().pid();
        long before = cpu.treeTicks(self);
        long[] sink = {0};
        Await.until(Duration.ofSeconds(20), "this JVM's own CPU time to grow", () -> {
            for (int i = 0; i < 1_000_000; i++) sink[0] += Long.hashCode(sink[0] * 31 + i);
            return cpu.treeTicks(self) > before;
        });
        assertThat(cpu.treeTicks(self)).isGreaterThan(before);
    }

}

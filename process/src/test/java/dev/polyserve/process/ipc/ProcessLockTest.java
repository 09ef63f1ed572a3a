package dev.polyserve.process.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessLockTest {
    static final int PROCESSES = 4;
    static final int ROUNDS = 5_000;

    @TempDir Path dir;

    @Test
    void aNonAtomicReadModifyWriteUnderTheLockIsExactAcrossProcesses() throws Exception {
        Path shm = dir.resolve("counter.shm");
        Path lockFile = dir.resolve("counter.lock");
        try (SharedMemory mem = SharedMemory.create(shm, 3); Children children = new Children()) {
            for (int i = 0; i < PROCESSES; i++) {
                children.start(LockedCounterChild.class, shm.toString(), lockFile.toString(), Integer.toString(ROUNDS));
            }
            children.awaitAllSucceeded();
            assertThat(mem.get(0)).as("no lost updates").isEqualTo((long) PROCESSES * ROUNDS);
            assertThat(mem.get(2)).as("never two processes inside at once").isEqualTo(1);
        }
    }

    @Test
    void theKernelReleasesTheLockOfAKilledProcess() throws Exception {
        Path lockFile = dir.resolve("held.lock");
        try (Children children = new Children(); ProcessLock lock = ProcessLock.open(lockFile)) {
            Process holder = children.start(HoldLockChild.class, lockFile.toString());
            assertThat(Children.readLine(holder)).isEqualTo("held");
            assertThat(lock.tryLock(Duration.ZERO)).as("held by the child").isFalse();

            holder.destroyForcibly(); // SIGKILL: no chance to unlock
            assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(lock.tryLock(Duration.ofSeconds(30))).as("released by the kernel").isTrue();
            lock.unlock();
        }
    }

    @Test
    void threadsOfOneProcessTakeTurnsAndReentryIsRefused() throws Exception {
        try (ProcessLock lock = ProcessLock.open(dir.resolve("t.lock"))) {
            lock.lock();
            assertThat(lock.isHeldByCurrentThread()).isTrue();
            assertThatThrownBy(lock::lock).isInstanceOf(IllegalStateException.class).hasMessageContaining("re-entrant");
            boolean[] otherGotIt = new boolean[1];
            Thread other = Thread.ofPlatform().start(() -> {
                try {
                    otherGotIt[0] = lock.tryLock(Duration.ZERO);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            other.join();
            assertThat(otherGotIt[0]).isFalse();
            lock.unlock();
            assertThatThrownBy(lock::unlock).isInstanceOf(IllegalMonitorStateException.class);
        }
    }

    @Test
    void aSecondInstanceOnTheSameFileInOneJvmIsRefused() throws Exception {
        Path f = dir.resolve("one.lock");
        try (ProcessLock first = ProcessLock.open(f)) {
            assertThat(first.file()).isEqualTo(f.toAbsolutePath().normalize());
            assertThatThrownBy(() -> ProcessLock.open(f)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already open");
        }
        ProcessLock.open(f).close(); // free again once the first is closed
    }
}

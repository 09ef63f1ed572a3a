package dev.polyserve.process.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessSemaphoreTest {
    static final int PERMITS = 2;

    @TempDir Path dir;

    @Test
    void anotherProcessGetsNoPermitWhileAllAreTakenAndOneAfterARelease() throws Exception {
        Path f = dir.resolve("sem");
        try (ProcessSemaphore sem = ProcessSemaphore.open(f, PERMITS); Children children = new Children()) {
            List<ProcessSemaphore.Permit> held = new ArrayList<>();
            for (int i = 0; i < PERMITS; i++) held.add(sem.acquire());
            assertThat(held).extracting(ProcessSemaphore.Permit::slot).doesNotHaveDuplicates();
            assertThat(sem.tryAcquire(Duration.ZERO)).as("none left in this process either").isEmpty();

            Process refused = children.start(SemaphoreChild.class, "try", f.toString(), Integer.toString(PERMITS));
            assertThat(refused.waitFor(Children.DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(refused.exitValue()).isEqualTo(SemaphoreChild.NO_PERMIT);

            held.getFirst().close();
            Process admitted = children.start(SemaphoreChild.class, "try", f.toString(), Integer.toString(PERMITS));
            assertThat(admitted.waitFor(Children.DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(admitted.exitValue()).isZero();
            held.getLast().close();
        }
    }

    @Test
    void processesTogetherNeverHoldMoreThanThePermits() throws Exception {
        Path f = dir.resolve("sem");
        Path shm = dir.resolve("inside.shm");
        try (SharedMemory mem = SharedMemory.create(shm, 2); Children children = new Children()) {
            for (int i = 0; i < 5; i++) {
                children.start(SemaphoreChild.class, "loop", f.toString(), Integer.toString(PERMITS), "300", shm.toString());
            }
            children.awaitAllSucceeded();
            assertThat(mem.get(1)).as("most processes inside at once").isBetween(1L, (long) PERMITS);
            assertThat(mem.get(0)).as("all left").isZero();
        }
    }

    @Test
    void permitsOfAKilledProcessComeBack() throws Exception {
        Path f = dir.resolve("sem");
        try (Children children = new Children(); ProcessSemaphore sem = ProcessSemaphore.open(f, PERMITS)) {
            Process holder = children.start(HoldLockChild.class, f.toString(), Integer.toString(PERMITS));
            assertThat(Children.readLine(holder)).isEqualTo("held");
            assertThat(sem.tryAcquire(Duration.ZERO)).isEmpty();
            holder.destroyForcibly();
            assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
            try (var a = sem.tryAcquire(Duration.ofSeconds(30)).orElseThrow();
                 var b = sem.tryAcquire(Duration.ofSeconds(30)).orElseThrow()) {
                assertThat(a.slot()).isNotEqualTo(b.slot());
            }
        }
    }

    @Test
    void threadsOfOneProcessShareThePermits() throws Exception {
        try (ProcessSemaphore sem = ProcessSemaphore.open(dir.resolve("sem"), PERMITS)) {
            var a = sem.acquire();
            var other = new java.util.concurrent.atomic.AtomicReference<ProcessSemaphore.Permit>();
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    other.set(sem.acquire());
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            t.join();
            assertThat(other.get().slot()).isNotEqualTo(a.slot());
            assertThat(sem.tryAcquire(Duration.ZERO)).isEmpty();
            a.close();
            a.close(); // idempotent
            assertThat(sem.tryAcquire(Duration.ZERO)).isPresent();
        }
    }
}

package dev.polyserve.process.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedMemoryTest {
    static final int PROCESSES = 8;
    static final int INCREMENTS = 100_000;

    @TempDir Path dir;

    @Test
    void eightProcessesIncrementingOneCounterEndExactlyAtTheirSum() throws Exception {
        Path file = dir.resolve("counter.shm");
        try (SharedMemory mem = SharedMemory.create(file, 1); Children children = new Children()) {
            for (int i = 0; i < PROCESSES; i++) {
                children.start(CounterChild.class, file.toString(), Integer.toString(INCREMENTS));
            }
            children.awaitAllSucceeded();
            assertThat(mem.value(0).get()).isEqualTo((long) PROCESSES * INCREMENTS);
        }
    }

    @Test
    void aSecondMappingSeesTheFirstOnesWritesAndAtomicsBehave() throws Exception {
        Path file = dir.resolve("seg.shm");
        try (SharedMemory a = SharedMemory.create(file, 4); SharedMemory b = SharedMemory.attach(file)) {
            assertThat(b.slots()).isEqualTo(4);
            SharedLongArray arr = a.array(1, 3);
            arr.set(0, 10);
            arr.addAndGet(2, 5);
            assertThat(b.array(1, 3).toArray()).containsExactly(10, 0, 5);
            assertThat(b.compareAndSet(1, 10, 11)).isTrue();
            assertThat(a.compareAndSet(1, 10, 12)).isFalse();
            assertThat(a.get(1)).isEqualTo(11);
            assertThat(a.getAndSet(0, 7)).isZero();
            assertThat(b.value(0).getAndAdd(3)).isEqualTo(7);
            assertThat(a.value(0).get()).isEqualTo(10);
        }
    }

    @Test
    void createZeroesAnOldSegmentAndBoundsAreChecked() throws Exception {
        Path file = dir.resolve("seg.shm");
        try (SharedMemory a = SharedMemory.create(file, 2)) {
            a.set(1, 99);
            assertThatThrownBy(() -> a.get(2)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> a.array(1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        }
        try (SharedMemory again = SharedMemory.create(file, 2)) {
            assertThat(again.get(1)).isZero();
        }
        assertThat(Files.size(file)).isEqualTo(2L * SharedMemory.SLOT_BYTES);
    }

    @Test
    void attachRefusesMissingOrMisshapenFiles() throws Exception {
        assertThatThrownBy(() -> SharedMemory.attach(dir.resolve("absent"))).isInstanceOf(NoSuchFileException.class);
        Path odd = Files.write(dir.resolve("odd"), new byte[5]);
        assertThatThrownBy(() -> SharedMemory.attach(odd)).hasMessageContaining("not a shared memory segment");
        assertThatThrownBy(() -> SharedMemory.create(dir.resolve("x"), 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void accessAfterCloseFailsInsteadOfTouchingUnmappedMemory() throws Exception {
        SharedMemory mem = SharedMemory.create(dir.resolve("seg.shm"), 1);
        mem.close();
        assertThatThrownBy(() -> mem.get(0)).isInstanceOf(IllegalStateException.class);
    }
}

package dev.polyserve.examples;

import dev.polyserve.process.ipc.ChildJvm;
import dev.polyserve.process.ipc.SharedLong;
import dev.polyserve.process.ipc.SharedLongArray;
import dev.polyserve.process.ipc.SharedMemory;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Lesson: memory shared between processes, the course's {@code Value} and {@code Array}. The parent maps a
 * {@link SharedMemory} segment holding one counter and an array of ten numbers (0..9); every child process maps
 * the same file, bumps the counter and adds one to each element, many times. Because each update is an atomic
 * instruction on the shared page, the parent sees every child's updates, none lost.
 */
final class SharedMemoryDemo {
    static final int CHILDREN = 4;
    static final int ROUNDS = 1_000;
    static final int ARRAY_LENGTH = 10;
    static final int COUNTER_SLOT = 0;
    static final int ARRAY_SLOT = 1;

    record Result(long counter, long[] array) {
        boolean lessonHeld() {
            long[] expected = new long[ARRAY_LENGTH];
            for (int i = 0; i < ARRAY_LENGTH; i++) expected[i] = i + (long) CHILDREN * ROUNDS;
            return counter == (long) CHILDREN * ROUNDS && Arrays.equals(array, expected);
        }
    }

    private SharedMemoryDemo() {}

    static int main(PrintStream out, List<String> args) throws Exception {
        return run(out).lessonHeld() ? 0 : 1;
    }

    static Result run(PrintStream out) throws Exception {
        Path file = Files.createTempFile("polyserve-shm", ".seg");
        try (SharedMemory mem = SharedMemory.create(file, ARRAY_SLOT + ARRAY_LENGTH)) {
            SharedLong counter = mem.value(COUNTER_SLOT);
            SharedLongArray array = mem.array(ARRAY_SLOT, ARRAY_LENGTH);
            for (int i = 0; i < ARRAY_LENGTH; i++) array.set(i, i);
            out.println("Parent: counter = " + counter + ", array = " + array + "  (mapped from " + file + ")");
            Process[] children = new Process[CHILDREN];
            for (int c = 0; c < CHILDREN; c++) children[c] = ChildJvm.start(Child.class, file.toString());
            try {
                for (Process p : children) {
                    if (!p.waitFor(ProcessesDemo.STEP_LIMIT.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
                        throw new IllegalStateException("child " + p.pid() + " did not finish cleanly");
                    }
                }
            } finally {
                for (Process p : children) p.destroyForcibly();
            }
            out.println(CHILDREN + " child processes each added 1 to the counter and to every element, " + ROUNDS + " times.");
            Result r = new Result(counter.get(), array.toArray());
            out.println("Parent: counter = " + r.counter() + ", array = " + Arrays.toString(r.array()));
            out.println("verdict: " + (r.lessonHeld()
                    ? "every update made by every process is visible in the parent, none lost (" + CHILDREN + " x " + ROUNDS + " = " + r.counter() + ")"
                    : "UNEXPECTED: expected " + (long) CHILDREN * ROUNDS + " and 0..9 plus that, got " + r.counter()));
            return r;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** A child: maps the parent's segment and updates it. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            try (SharedMemory mem = SharedMemory.attach(Path.of(args[0]))) {
                SharedLong counter = mem.value(COUNTER_SLOT);
                SharedLongArray array = mem.array(ARRAY_SLOT, ARRAY_LENGTH);
                for (int r = 0; r < ROUNDS; r++) {
                    counter.incrementAndGet();
                    for (int i = 0; i < ARRAY_LENGTH; i++) array.incrementAndGet(i);
                }
            }
        }
    }
}

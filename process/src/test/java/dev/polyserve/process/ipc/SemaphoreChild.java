package dev.polyserve.process.ipc;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Child: mode "try": tries once to take a permit of semaphore {@code args[1]} ({@code args[2]} permits) and
 * exits 0 if it got one, 3 if not. Mode "loop": {@code args[3]} times takes a permit, counts itself into slot 0
 * of segment {@code args[4]} while inside, records the maximum in slot 1.
 */
public final class SemaphoreChild {
    static final int NO_PERMIT = 3;

    public static void main(String[] args) throws Exception {
        try (ProcessSemaphore sem = ProcessSemaphore.open(Path.of(args[1]), Integer.parseInt(args[2]))) {
            if (args[0].equals("try")) {
                var permit = sem.tryAcquire(Duration.ZERO);
                System.exit(permit.isPresent() ? 0 : NO_PERMIT);
            }
            int rounds = Integer.parseInt(args[3]);
            try (SharedMemory mem = SharedMemory.attach(Path.of(args[4]))) {
                for (int i = 0; i < rounds; i++) {
                    ProcessSemaphore.Permit permit = sem.acquire();
                    try {
                        long inside = mem.incrementAndGet(0);
                        long max;
                        while (inside > (max = mem.get(1)) && !mem.compareAndSet(1, max, inside)) { }
                        for (int k = 0; k < 50; k++) Thread.yield(); // stay inside a moment so others pile up
                        mem.addAndGet(0, -1);
                    } finally {
                        permit.close();
                    }
                }
            }
        }
    }
}

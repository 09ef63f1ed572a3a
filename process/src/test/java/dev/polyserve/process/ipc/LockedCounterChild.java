package dev.polyserve.process.ipc;

import java.nio.file.Path;

/**
 * Child: {@code args[2]} times, reads slot 0, then writes it back plus one (a read-modify-write that is NOT
 * atomic on its own) while holding the process lock {@code args[1]}. Also counts how many processes are inside
 * the critical section (slot 1) and records the most ever seen (slot 2).
 */
public final class LockedCounterChild {
    public static void main(String[] args) throws Exception {
        int times = Integer.parseInt(args[2]);
        try (SharedMemory mem = SharedMemory.attach(Path.of(args[0]));
             ProcessLock lock = ProcessLock.open(Path.of(args[1]))) {
            for (int i = 0; i < times; i++) {
                lock.lock();
                try {
                    long inside = mem.incrementAndGet(1);
                    if (inside > mem.get(2)) mem.set(2, inside);
                    long v = mem.get(0);
                    Thread.yield(); // widen the window a racing process would need
                    mem.set(0, v + 1);
                    mem.addAndGet(1, -1);
                } finally {
                    lock.unlock();
                }
            }
        }
    }
}

package dev.polyserve.process.ipc;

import java.nio.file.Path;

/** Child: adds 1 to slot 0 of a shared segment {@code args[1]} times, atomically. */
public final class CounterChild {
    public static void main(String[] args) throws Exception {
        int times = Integer.parseInt(args[1]);
        try (SharedMemory mem = SharedMemory.attach(Path.of(args[0]))) {
            SharedLong counter = mem.value(0);
            for (int i = 0; i < times; i++) counter.incrementAndGet();
        }
    }
}

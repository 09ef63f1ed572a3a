package dev.polyserve.process.ipc;

import java.nio.file.Path;

/**
 * Child: takes the process lock {@code args[0]} (or, with {@code args[1]} = N, N permits of a semaphore with N
 * permits), prints "held", then waits until killed or its standard input closes.
 */
public final class HoldLockChild {
    public static void main(String[] args) throws Exception {
        if (args.length == 1) {
            ProcessLock lock = ProcessLock.open(Path.of(args[0]));
            lock.lock();
        } else {
            int n = Integer.parseInt(args[1]);
            ProcessSemaphore sem = ProcessSemaphore.open(Path.of(args[0]), n);
            for (int i = 0; i < n; i++) sem.acquire();
        }
        System.out.println("held");
        System.out.flush();
        System.in.read(); // returns when the parent closes our stdin or we are killed; exit releases everything
    }
}

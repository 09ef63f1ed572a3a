package dev.polyserve.process.ipc;

import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * A counting semaphore shared by processes: the course's {@code multiprocessing.Semaphore(n)}.
 *
 * <p><b>How: {@code n} permits are {@code n} lockable bytes of a lock file.</b> Holding a permit means holding an
 * exclusive POSIX record lock on one of bytes {@code 0..n-1}. {@link #acquire()} tries each byte (starting at a
 * random one to spread contention) and, when all are taken, waits with exponential back-off and tries again.
 * Why this rather than a counter decremented by CAS in {@link SharedMemory}: a process killed while holding
 * permits would leak them from a shared counter for ever, whereas the kernel releases its record locks when it
 * dies, so the permits come back by themselves. The price is polling (there is no cross-process futex in the
 * JDK), bounded by {@link Backoff#MAX_PAUSE_NANOS}: a freed permit is noticed within about 2 ms.
 *
 * <p>Rules: every process opens the same file with the same {@code permits}; one instance per file per JVM,
 * shared by its threads (they take distinct bytes, tracked locally). A {@link Permit} is released by closing it,
 * so try-with-resources keeps acquire and release paired.
 */
public final class ProcessSemaphore implements AutoCloseable {

    /** Upper bound on permits: each is a byte-range lock the kernel tracks; thousands is already unusual. */
    public static final int MAX_PERMITS = 65_536;

    private final LockFile file;
    private final int permits;
    /** 1 where a thread of this JVM holds or is claiming that byte (a second lock on it would throw). */
    private final AtomicIntegerArray claimedHere;

    private ProcessSemaphore(LockFile file, int permits) {
        this.file = file;
        this.permits = permits;
        this.claimedHere = new AtomicIntegerArray(permits);
    }

    /** Opens (creating if needed) the semaphore file every cooperating process names, with {@code permits} slots. */
    public static ProcessSemaphore open(Path file, int permits) throws IOException {
        if (permits < 1 || permits > MAX_PERMITS) {
            throw new IllegalArgumentException("permits must be between 1 and " + MAX_PERMITS + ", got " + permits);
        }
        return new ProcessSemaphore(LockFile.open(file), permits);
    }

    public int permits() {
        return permits;
    }

    /** Waits until a permit is free across all processes and takes it. */
    public Permit acquire() throws IOException, InterruptedException {
        return tryAcquire(Duration.ofNanos(Long.MAX_VALUE)).orElseThrow(); // ~292 years: never empty
    }

    /** Takes a permit if one frees up within {@code timeout}; empty otherwise. */
    public Optional<Permit> tryAcquire(Duration timeout) throws IOException, InterruptedException {
        long start = System.nanoTime();
        long deadline = start + Math.min(timeout.toNanos(), Long.MAX_VALUE / 2);
        Backoff backoff = new Backoff();
        while (true) {
            Permit p = tryOnce();
            if (p != null) {
                return Optional.of(p);
            }
            if (System.nanoTime() - deadline >= 0) {
                return Optional.empty();
            }
            backoff.pause(deadline);
        }
    }

    private Permit tryOnce() throws IOException, InterruptedException {
        int first = ThreadLocalRandom.current().nextInt(permits);
        for (int k = 0; k < permits; k++) {
            int slot = (first + k) % permits;
            if (!claimedHere.compareAndSet(slot, 0, 1)) {
                continue; // another thread of this JVM has it
            }
            FileLock lock = null;
            try {
                lock = file.tryLock(slot);
            } finally {
                if (lock == null) claimedHere.set(slot, 0);
            }
            if (lock != null) {
                return new Permit(slot, lock);
            }
        }
        return null;
    }

    /** The semaphore file. */
    public Path file() {
        return file.path();
    }

    /** Closes the semaphore file; permits this process still holds are released by the kernel. */
    @Override
    public void close() throws IOException {
        file.close();
    }

    /** One held permit; {@link #close()} gives it back. */
    public final class Permit implements AutoCloseable {
        private final int slot;
        private final FileLock lock;
        private boolean released;

        private Permit(int slot, FileLock lock) {
            this.slot = slot;
            this.lock = lock;
        }

        /** Which of the {@code permits} bytes this permit holds (for logs and demos). */
        public int slot() {
            return slot;
        }

        /** Releases the permit. Idempotent. */
        @Override
        public synchronized void close() throws IOException {
            if (released) return;
            released = true;
            try {
                lock.release();
            } finally {
                claimedHere.set(slot, 0);
            }
        }
    }
}

package dev.polyserve.process.ipc;

import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A mutual-exclusion lock shared by processes: the course's {@code multiprocessing.Lock}.
 *
 * <p><b>How: an exclusive POSIX record lock ({@code fcntl}) on byte 0 of a lock file</b>, plus an in-JVM
 * {@link ReentrantLock} so that threads of one process queue for the file lock one at a time (the kernel's lock
 * belongs to the process, not the thread). Why file locks rather than a compare-and-set word in
 * {@link SharedMemory}:
 * <ul>
 *   <li><b>crash safety</b>: the kernel releases a record lock when its process dies, even by SIGKILL. A CAS lock
 *       word held by a killed process stays "held" for ever, and every other process hangs;</li>
 *   <li><b>no spinning</b>: {@link #lock()} sleeps in the kernel ({@code F_SETLKW}) and is woken when the lock is
 *       released; a CAS lock needs a futex to sleep, and the JDK offers none across processes;</li>
 *   <li>the cost, a system call per lock and unlock (about a microsecond), is small next to the work a
 *       cross-process critical section usually guards.</li>
 * </ul>
 *
 * <p>Rules: every process opens the same file; one {@code ProcessLock} per file per JVM, shared by its threads
 * (a second one throws, see {@code LockFile}); not re-entrant (re-locking from the holding thread throws, where
 * the course's {@code Lock} would deadlock). {@link #lock()} is not interruptible: a thread interrupted while it
 * waits in the kernel closes the lock's channel (JDK interruptible-channel rule), so use {@link #tryLock(Duration)}
 * where waits must be cancellable.
 */
public final class ProcessLock implements AutoCloseable {
    private static final int LOCK_BYTE = 0;

    private final LockFile file;
    private final ReentrantLock local = new ReentrantLock(true);
    private FileLock held; // guarded by local

    private ProcessLock(LockFile file) {
        this.file = file;
    }

    /** Opens (creating if needed) the lock file every cooperating process names. */
    public static ProcessLock open(Path file) throws IOException {
        return new ProcessLock(LockFile.open(file));
    }

    /** Blocks until this thread holds the lock across all processes. */
    public void lock() throws IOException {
        refuseReentry();
        local.lock();
        try {
            held = file.lock(LOCK_BYTE);
        } catch (IOException | RuntimeException e) {
            local.unlock();
            throw e;
        }
    }

    /**
     * Tries for up to {@code timeout} (polling the file lock with back-off); true if this thread now holds the
     * lock. The course's {@code lock.acquire(timeout=...)}.
     */
    public boolean tryLock(Duration timeout) throws IOException, InterruptedException {
        refuseReentry();
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!local.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            return false;
        }
        try {
            Backoff backoff = new Backoff();
            while (true) {
                FileLock l = file.tryLock(LOCK_BYTE);
                if (l != null) {
                    held = l;
                    return true;
                }
                if (System.nanoTime() - deadline >= 0) {
                    local.unlock();
                    return false;
                }
                backoff.pause(deadline);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            local.unlock();
            throw e;
        }
    }

    /** Releases the lock; only the holding thread may call it. */
    public void unlock() throws IOException {
        if (!local.isHeldByCurrentThread()) {
            throw new IllegalMonitorStateException("this thread does not hold " + this);
        }
        try {
            held.release();
        } finally {
            held = null;
            local.unlock();
        }
    }

    /** True if the calling thread holds the lock. */
    public boolean isHeldByCurrentThread() {
        return local.isHeldByCurrentThread();
    }

    /** The lock file. */
    public Path file() {
        return file.path();
    }

    private void refuseReentry() {
        if (local.isHeldByCurrentThread()) {
            throw new IllegalStateException("ProcessLock is not re-entrant: this thread already holds " + file.path());
        }
    }

    /** Closes the lock file; a lock still held by this process is released by the kernel. */
    @Override
    public void close() throws IOException {
        file.close();
    }

    @Override
    public String toString() {
        return "ProcessLock[" + file.path() + "]";
    }
}

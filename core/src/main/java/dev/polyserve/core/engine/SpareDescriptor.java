package dev.polyserve.core.engine;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * One descriptor held in reserve, so that an accept loop out of descriptors (EMFILE) can still answer the client
 * at the head of the listen queue: close the spare, accept into the freed slot, send the refusal, close, take
 * the spare back. Without it the client waits in the queue until it gives up, and a level-triggered loop spins
 * on a listening socket that stays readable. nginx and libuv ({@code uv__emfile_trick}) do the same. When the
 * spare is gone (another thread took the freed slot first, or the whole system is out: ENFILE) the loop backs
 * off instead. Thread-safe; one per engine.
 */
public final class SpareDescriptor implements AutoCloseable {
    private static final Path SPARE = Path.of("/dev/null");

    private FileChannel spare = open();
    private boolean lent;   // between release() and restore(): the freed slot is someone's to use
    private boolean closed;

    /**
     * Whether a JDK call failed with EMFILE or ENFILE. The JDK reports errno only as strerror's text, which glibc
     * and musl spell the same: "Too many open files" (EMFILE) and "Too many open files in system" (ENFILE).
     */
    public static boolean outOfDescriptors(IOException e) {
        String m = e.getMessage();
        return m != null && m.startsWith("Too many open files");
    }

    private static FileChannel open() {
        try {
            return FileChannel.open(SPARE);
        } catch (IOException outOfDescriptorsAlready) {
            return null;
        }
    }

    /**
     * Gives the spare's descriptor back to the process; true if there was one. The caller then accepts and refuses
     * one connection and calls {@link #restore}; meanwhile other callers get false.
     */
    public synchronized boolean release() {
        if (lent || closed) return false;
        if (spare == null) {
            spare = open(); // lost to another thread earlier: take a slot back now, use it next time
            return false;
        }
        closeQuietly(spare);
        spare = null;
        lent = true;
        return true;
    }

    /** Takes a descriptor back into reserve; when none is free, the next {@link #release} tries again. */
    public synchronized void restore() {
        lent = false;
        if (spare == null && !closed) spare = open();
    }

    /** The engine stopped: release the spare for good. */
    @Override
    public synchronized void close() {
        closed = true;
        if (spare != null) closeQuietly(spare);
        spare = null;
    }

    private static void closeQuietly(FileChannel f) {
        try {
            f.close();
        } catch (IOException ignored) {
            // /dev/null: closing cannot lose data
        }
    }
}

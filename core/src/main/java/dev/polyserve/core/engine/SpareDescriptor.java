package dev.polyserve.core.engine;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * One descriptor held in reserve, so that an accept loop out of descriptors (EMFILE) can still answer the client
 * at the head of the listen queue: free the spare, accept into the freed slot, send the refusal and shut the
 * socket down, and keep that socket as the new spare. Without it the client waits in the queue until it gives
 * up, and a level-triggered loop spins on a listening socket that stays readable. nginx and libuv
 * ({@code uv__emfile_trick}) close and reopen a spare; keeping the refused socket instead leaves no moment in
 * which another thread can take the slot between our close and reopen (with two loops accepting, that moment
 * lost the spare within seconds, and the clients waiting then hung until a connection closed). When the spare is
 * gone anyway (another thread won the freed slot, or the whole system is out: ENFILE) the loop backs off
 * instead. Thread-safe; one per engine.
 */
public final class SpareDescriptor implements AutoCloseable {
    private static final Path DEV_NULL = Path.of("/dev/null");

    private Closeable spare = openDevNull();
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

    private static Closeable openDevNull() {
        try {
            return FileChannel.open(DEV_NULL);
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
            spare = openDevNull(); // lost earlier: take a slot back if one is free now, use it next time
            return false;
        }
        closeQuietly(spare);
        spare = null;
        lent = true;
        return true;
    }

    /**
     * Ends a {@link #release}: {@code refused} (the socket just accepted, refused and shut down, or null if none was
     * accepted) becomes the spare, so its descriptor never returns to the process. Without one, /dev/null is opened
     * into a free slot if there is one; else the next {@link #release} tries again.
     */
    public synchronized void restore(Closeable refused) {
        lent = false;
        if (closed) {
            if (refused != null) closeQuietly(refused);
            return;
        }
        spare = refused != null ? refused : openDevNull();
    }

    /** The engine stopped: release the spare for good. */
    @Override
    public synchronized void close() {
        closed = true;
        if (spare != null) closeQuietly(spare);
        spare = null;
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // /dev/null, or a refused socket: closing cannot lose data we still want
        }
    }
}

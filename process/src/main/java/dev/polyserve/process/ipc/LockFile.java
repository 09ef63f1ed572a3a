package dev.polyserve.process.ipc;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one channel this JVM holds on a lock file. POSIX record locks belong to the process, and closing any
 * descriptor of a file drops every lock the process holds on it, so the JDK asks for a single channel per file
 * per program ({@link FileChannel#lock} javadoc). This class enforces that: a second open of the same file in
 * the same JVM fails loudly instead of silently losing locks later.
 */
final class LockFile implements AutoCloseable {
    private static final Set<Path> OPEN = ConcurrentHashMap.newKeySet();

    private final Path path;
    private final FileChannel channel;

    private LockFile(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    static LockFile open(Path file) throws IOException {
        Path key = file.toAbsolutePath().normalize();
        if (!OPEN.add(key)) {
            throw new IllegalStateException(key + " is already open as a lock in this JVM; share that instance "
                    + "between threads (a second descriptor would drop the first one's locks when closed)");
        }
        try {
            return new LockFile(key, FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE));
        } catch (IOException | RuntimeException e) {
            OPEN.remove(key);
            throw e;
        }
    }

    Path path() {
        return path;
    }

    /** Blocks in the kernel (fcntl F_SETLKW) until byte {@code index} is locked. */
    FileLock lock(int index) throws IOException {
        return channel.lock(index, 1, false);
    }

    /** Locks byte {@code index} if no other process holds it; null otherwise. Never blocks. */
    FileLock tryLock(int index) throws IOException, InterruptedException {
        if (Thread.interrupted()) {
            // An interrupted thread entering a channel operation closes the channel (dropping every lock): stop first.
            throw new InterruptedException();
        }
        return channel.tryLock(index, 1, false);
    }

    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            OPEN.remove(path);
        }
    }
}

package dev.polyserve.linux;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileDescriptor;
import java.lang.reflect.Field;
import java.nio.channels.FileChannel;
import java.util.OptionalInt;

/**
 * The kernel descriptor behind a JDK {@link FileChannel}, which sendfile(2) needs as its source. The JDK keeps
 * it private, so this reads it reflectively; that works when the JVM runs with
 * {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.io=ALL-UNNAMED} (the polyserve
 * launcher and the tests pass both). Without them engines fall back to reading the file and sending the bytes.
 */
final class FileDescriptors {
    private static final Logger log = LoggerFactory.getLogger(FileDescriptors.class);
    private static final Field CHANNEL_FD;
    private static final Field DESCRIPTOR_FD;

    static {
        Field channelFd = null;
        Field descriptorFd = null;
        try {
            Field c = Class.forName("sun.nio.ch.FileChannelImpl").getDeclaredField("fd");
            Field d = FileDescriptor.class.getDeclaredField("fd");
            c.setAccessible(true);
            d.setAccessible(true);
            channelFd = c;
            descriptorFd = d;
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.info("sendfile(2) unavailable, file transfers use read + send instead ({}); run with "
                    + "--add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.io=ALL-UNNAMED", e.toString());
        }
        CHANNEL_FD = channelFd;
        DESCRIPTOR_FD = descriptorFd;
    }

    private FileDescriptors() {}

    /** The descriptor of {@code channel}, or empty when it is not a plain file channel or cannot be read. */
    static OptionalInt of(FileChannel channel) {
        if (CHANNEL_FD == null || !CHANNEL_FD.getDeclaringClass().isInstance(channel)) return OptionalInt.empty();
        try {
            int fd = DESCRIPTOR_FD.getInt(CHANNEL_FD.get(channel));
            return fd >= 0 ? OptionalInt.of(fd) : OptionalInt.empty();
        } catch (IllegalAccessException e) {
            return OptionalInt.empty();
        }
    }
}

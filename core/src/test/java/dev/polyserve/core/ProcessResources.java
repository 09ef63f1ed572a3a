package dev.polyserve.core;

import java.io.File;
import java.util.Arrays;
import java.util.List;

/** What this test JVM holds: open descriptors (from /proc/self/fd) and live polyserve platform threads. */
public final class ProcessResources {
    private ProcessResources() {}

    public static int openFileDescriptors() {
        String[] fds = new File("/proc/self/fd").list();
        if (fds == null) {
            throw new IllegalStateException("/proc/self/fd is not readable: these checks need Linux");
        }
        return fds.length;
    }

    public static List<String> polyserveThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith("polyserve-"))
                .sorted()
                .toList();
    }

    public static String describeFds() {
        File[] fds = new File("/proc/self/fd").listFiles();
        if (fds == null) {
            return "?";
        }
        return Arrays.stream(fds).map(f -> {
            try {
                return f.getName() + "->" + java.nio.file.Files.readSymbolicLink(f.toPath());
            } catch (Exception e) {
                return f.getName();
            }
        }).toList().toString();
    }
}

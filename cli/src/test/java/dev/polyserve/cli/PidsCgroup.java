package dev.polyserve.cli;

import dev.polyserve.core.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A pids cgroup that caps how many tasks (threads) its processes may have: a real thread limit for a child server
 * when the tests run as root (root ignores {@code ulimit -u}). Thread creation past the cap fails with EAGAIN, as
 * it does at the kernel's pid limit. cgroup v1 ({@code /sys/fs/cgroup/pids}) or v2 with the pids controller.
 */
final class PidsCgroup {
    private static final Path V1 = Path.of("/sys/fs/cgroup/pids");
    private static final Path V2 = Path.of("/sys/fs/cgroup");

    private PidsCgroup() {}

    /** A new cgroup {@code name} holding at most {@code maxTasks} tasks, or null if this machine lets us make none. */
    static Path create(String name, int maxTasks) {
        for (Path base : new Path[] {V1, V2}) {
            try {
                if (base == V2) {
                    if (!Files.readString(V2.resolve("cgroup.controllers")).contains("pids")) continue;
                    Files.writeString(V2.resolve("cgroup.subtree_control"), "+pids");
                } else if (!Files.isDirectory(V1)) {
                    continue;
                }
                Path dir = Files.createDirectories(base.resolve(name));
                Files.writeString(dir.resolve("pids.max"), Integer.toString(maxTasks));
                return dir;
            } catch (IOException | RuntimeException notHere) {
                // read-only cgroup file system, no pids controller: try the other layout
            }
        }
        return null;
    }

    /** Removes the cgroup once its processes are gone (a cgroup with tasks cannot be removed). */
    static void remove(Path dir) {
        if (dir == null) return;
        Await.until(Duration.ofSeconds(30), "the cgroup " + dir + " to empty and be removed", () -> {
            try {
                Files.delete(dir);
                return true;
            } catch (IOException stillBusy) {
                return !Files.exists(dir);
            }
        });
    }
}

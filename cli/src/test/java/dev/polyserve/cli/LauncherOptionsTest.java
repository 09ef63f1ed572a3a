package dev.polyserve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The JVM options the {@code polyserve} launcher passes, checked in a child JVM: with
 * {@code -XX:+ExitOnOutOfMemoryError} a heap out of memory ends the process (a JVM that cannot allocate stops serving
 * and may ignore SIGTERM; a supervisor restarts an exited one), while a thread that cannot start, which HotSpot also
 * reports as an {@code OutOfMemoryError} ("unable to create native thread"), stays a catchable error the engines turn
 * into a refusal. HotSpot's flag covers only its own allocation failures (heap, metaspace), not that one, nor direct
 * buffer memory, which the JDK throws from Java code.
 */
class LauncherOptionsTest {
    /** HotSpot's exit status under ExitOnOutOfMemoryError. */
    private static final int OOM_EXIT_STATUS = 3;
    /** A stack no machine can reserve: pthread_create fails at once, the way it does at a pids or memory limit. */
    private static final long IMPOSSIBLE_STACK_BYTES = 1L << 44;
    private static final String SURVIVED = "survived: ";
    private static final int CHILD_TIMEOUT_SECONDS = 60;

    @Test
    void theLauncherPassesTheOptionsTheEnginesAreTestedWith() throws IOException {
        Path launcher = Path.of(System.getProperty("user.dir")).getParent().resolve("polyserve");
        String script = Files.readString(launcher);
        for (String option : ResourceExhaustionTest.LAUNCHER_OPTIONS) {
            assertThat(script).as("launcher %s", launcher).contains("  " + option + " \\\n");
        }
    }

    @Test
    void aThreadThatCannotStartIsACatchableErrorUnderTheLauncherOptions() throws Exception {
        Child child = run("thread");
        assertThat(child.status).as(child.output).isZero();
        assertThat(child.output).contains(SURVIVED + "unable to create native thread");
    }

    @Test
    void aHeapOutOfMemoryEndsTheProcessUnderTheLauncherOptions() throws Exception {
        Child child = run("heap");
        assertThat(child.status).as(child.output).isEqualTo(OOM_EXIT_STATUS);
        assertThat(child.output).contains("Terminating due to java.lang.OutOfMemoryError: Java heap space")
                .doesNotContain(SURVIVED);
    }

    private record Child(int status, String output) {}

    private static Child run(String what) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ResourceExhaustionTest.LAUNCHER_OPTIONS);
        cmd.addAll(List.of("-Xmx32m", "-Xshare:off", "-cp", System.getProperty("java.class.path"),
                OutOfMemory.class.getName(), what));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("child exited").isTrue();
        return new Child(p.exitValue(), output);
    }

    /** The child: runs out of what its argument names, and says so if it lives on. */
    public static final class OutOfMemory {
        public static void main(String[] args) throws InterruptedException {
            try {
                if (args[0].equals("thread")) {
                    Thread t = new Thread(null, () -> {}, "impossible-stack", IMPOSSIBLE_STACK_BYTES);
                    t.start();
                    t.join();
                    System.out.println("started a thread with an impossible stack");
                } else {
                    List<long[]> held = new ArrayList<>();
                    while (true) held.add(new long[1 << 20]);
                }
            } catch (OutOfMemoryError e) {
                System.out.println(SURVIVED + e.getMessage());
            }
        }
    }
}

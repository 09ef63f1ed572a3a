package dev.polyserve.process.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Child JVMs for tests: start several, wait for all with a deadline, never leave one running. */
final class Children implements AutoCloseable {
    /** Generous: a cold JVM on a loaded 2-core machine can take seconds to start. */
    static final Duration DEADLINE = Duration.ofSeconds(90);

    private final List<Process> started = new ArrayList<>();

    Process start(Class<?> main, String... args) throws IOException {
        Process p = ChildJvm.start(main, args);
        started.add(p);
        return p;
    }

    /** Waits for every started child; asserts each exited 0; returns their standard outputs in start order. */
    List<String> awaitAllSucceeded() throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        List<String> outputs = new ArrayList<>();
        for (Process p : started) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            long left = deadline - System.nanoTime();
            assertThat(p.waitFor(Math.max(left, 0), TimeUnit.NANOSECONDS)).as("child %d finished in time", p.pid()).isTrue();
            assertThat(p.exitValue()).as("child %d exit status; output: %s", p.pid(), out).isZero();
            outputs.add(out);
        }
        return outputs;
    }

    /** Reads one line of a child's standard output (blocking; bounded by the child's own deadline). */
    static String readLine(Process p) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = p.getInputStream().read()) != -1 && c != '\n') sb.append((char) c);
        return sb.toString();
    }

    @Override
    public void close() {
        for (Process p : started) {
            if (p.isAlive()) {
                p.destroyForcibly();
                try {
                    p.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}

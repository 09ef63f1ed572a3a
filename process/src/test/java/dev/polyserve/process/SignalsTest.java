package dev.polyserve.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.polyserve.process.ipc.ChildJvm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SIGHUP in a real child JVM: the registered action runs, or, when the process was started with it ignored, a warning says so. */
@Timeout(120)
class SignalsTest {
    /** The child: registers a hangup action, says it is ready, and exits once the action ran (or its stdin closes). */
    public static final class Child {
        public static void main(String[] args) throws IOException {
            Signals.onHangup(() -> {
                System.out.println("hangup");
                System.exit(0);
            });
            System.out.println("ready");
            System.in.read();
        }
    }

    /** Whether this JVM was started with SIGHUP ignored (bit 0 of SigIgn in /proc/self/status): its children are too. */
    static boolean hangupIgnoredHere() throws IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) return (Long.parseLong(line.substring(7).trim(), 16) & 1) != 0;
        }
        return false;
    }

    @Test
    void aHangupRunsTheRegisteredAction() throws Exception {
        assumeFalse(hangupIgnoredHere(), "the tests run with SIGHUP ignored (under nohup): so would the child");
        Process child = new ProcessBuilder(ChildJvm.command(Child.class)).start();
        try (var out = reader(child)) {
            assertThat(out.readLine()).isEqualTo("ready");
            new ProcessBuilder("kill", "-HUP", Long.toString(child.pid())).start().waitFor();
            assertThat(out.readLine()).isEqualTo("hangup");
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)).doesNotContain("SIGHUP is ignored");
        } finally {
            child.destroyForcibly();
        }
    }

    /** nohup's way: the shell ignores SIGHUP and execs the JVM, which then keeps it ignored. */
    @Test
    void aProcessStartedWithHangupIgnoredSaysSoInsteadOfWaitingForNothing() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "trap '' HUP; exec \"$@\"", "sh"));
        cmd.addAll(ChildJvm.command(Child.class));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (var out = reader(child)) {
            List<String> lines = new ArrayList<>();
            String line;
            while ((line = out.readLine()) != null && !line.equals("ready")) lines.add(line);
            assertThat(String.join("\n", lines)).contains("SIGHUP is ignored in this process (started under nohup?)");
            child.getOutputStream().close(); // the child ends on stdin's end
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
    }

    private static BufferedReader reader(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }
}

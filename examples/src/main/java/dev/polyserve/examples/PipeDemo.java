package dev.polyserve.examples;

import dev.polyserve.process.ipc.ChildJvm;
import dev.polyserve.process.ipc.MessageChannel;
import dev.polyserve.process.ipc.MessageListener;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Lesson: a duplex pipe between two processes, the course's {@code Pipe()}. Python builds a duplex pipe from a
 * Unix socket pair; here the two ends are a {@link MessageChannel} over a Unix domain socket, so both sides send
 * and receive whole messages. The child speaks first, the parent asks, the child answers, and the parent says
 * goodbye.
 */
final class PipeDemo {
    static final List<Long> QUESTIONS = List.of(3L, 4L, 12L);

    record Result(String greeting, long childPid, List<String> answers, boolean childExitedCleanly) {
        boolean lessonHeld() {
            return greeting.equals("hello from " + childPid) && childPid != ProcessHandle.current().pid()
                    && answers.equals(List.of("9", "16", "144", "bye")) && childExitedCleanly;
        }
    }

    private PipeDemo() {}

    static int main(PrintStream out, List<String> args) throws Exception {
        return run(out).lessonHeld() ? 0 : 1;
    }

    static Result run(PrintStream out) throws Exception {
        Path dir = Files.createTempDirectory("polyserve-pipe");
        Path sock = dir.resolve("pipe.sock");
        try (MessageListener listener = MessageListener.bind(sock)) {
            Process child = ChildJvm.start(Child.class, sock.toString());
            try (MessageChannel end = listener.accept()) {
                String hello = end.receiveText().orElseThrow();
                out.println("parent <- child: \"" + hello + "\"");
                List<String> answers = new ArrayList<>();
                for (long q : QUESTIONS) {
                    end.send(Long.toString(q));
                    String a = end.receiveText().orElseThrow();
                    out.println("parent -> child: \"" + q + "\"   parent <- child: \"" + a + "\"");
                    answers.add(a);
                }
                end.send("done");
                String bye = end.receiveText().orElseThrow();
                answers.add(bye);
                out.println("parent -> child: \"done\"   parent <- child: \"" + bye + "\"");
                boolean exited = child.waitFor(ProcessesDemo.STEP_LIMIT.toSeconds(), TimeUnit.SECONDS) && child.exitValue() == 0;
                out.println("the child closed its end and exited with status " + (exited ? 0 : "(not yet)"));
                Result r = new Result(hello, child.pid(), answers, exited);
                out.println("verdict: " + (r.lessonHeld()
                        ? "both ends of the pipe sent and received whole messages, in order"
                        : "UNEXPECTED: " + r));
                return r;
            } finally {
                child.destroyForcibly();
            }
        } finally {
            Files.deleteIfExists(sock);
            Files.deleteIfExists(dir);
        }
    }

    /** The child end: greets, squares numbers, says "bye" to "done". */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            try (MessageChannel end = MessageChannel.connect(Path.of(args[0]))) {
                end.send("hello from " + ProcessHandle.current().pid());
                for (Optional<String> m = end.receiveText(); m.isPresent(); m = end.receiveText()) {
                    if (m.get().equals("done")) {
                        end.send("bye");
                        return;
                    }
                    long n = Long.parseLong(m.get());
                    end.send(Long.toString(n * n));
                }
            }
        }
    }
}

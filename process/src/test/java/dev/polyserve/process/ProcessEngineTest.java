package dev.polyserve.process;

import dev.polyserve.core.Server;
import dev.polyserve.core.Await;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessEngineTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @Test
    void eachConnectionIsServedByItsOwnChildJvm() throws Exception {
        long self = ProcessHandle.current().pid();
        try (Server server = Server.tcp(0).model("process").service(new LineEchoService()).start()) {
            int port = server.localAddress().getPort();
            String pidA, pidB;
            try (Socket a = new Socket("127.0.0.1", port); Socket b = new Socket("127.0.0.1", port)) {
                a.setSoTimeout((int) LIMIT.toMillis());
                b.setSoTimeout((int) LIMIT.toMillis());
                pidA = ask(a, "whoami\n");
                pidB = ask(b, "whoami\n");
                assertThat(ask(a, "hello\n")).isEqualTo("hello");
            }
            assertThat(pidA).isNotEqualTo(pidB).isNotEqualTo(Long.toString(self));
            Await.until(LIMIT, "children exit", () -> server.stats().open() == 0);
            assertThat(ProcTable.stat(Long.parseLong(pidA))).isEmpty();
            assertThat(server.stats().accepted()).isEqualTo(2);
        }
        assertThat(ProcTable.zombiesOf(self)).isEmpty();
    }

    @Test
    void aPerConnectionChildAndAPreforkWorkerAreStartedWithExitOnOutOfMemoryError() throws Exception {
        for (String model : new String[] {"process", "prefork"}) {
            try (Server server = Server.tcp(0).model(model).workers(1).workerModel("threads")
                    .service(new LineEchoService()).start();
                 Socket s = new Socket("127.0.0.1", server.localAddress().getPort())) {
                s.setSoTimeout((int) LIMIT.toMillis());
                long child = Long.parseLong(ask(s, "whoami\n"));
                assertThat(child).isNotEqualTo(ProcessHandle.current().pid());
                assertThat(commandLine(child)).as(model + " child's command line").contains("-XX:+ExitOnOutOfMemoryError");
            }
        }
    }

    /** The arguments a process was started with, from /proc (ProcessHandle.Info truncates long ones on Linux). */
    private static java.util.List<String> commandLine(long pid) throws java.io.IOException {
        byte[] raw = java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc", Long.toString(pid), "cmdline"));
        return java.util.List.of(new String(raw, StandardCharsets.UTF_8).split("\0"));
    }

    private static String ask(Socket s, String line) throws Exception {
        s.getOutputStream().write(line.getBytes(StandardCharsets.US_ASCII));
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = s.getInputStream().read()) != '\n') {
            if (c < 0) throw new AssertionError("closed after " + sb);
            sb.append((char) c);
        }
        return sb.toString();
    }
}

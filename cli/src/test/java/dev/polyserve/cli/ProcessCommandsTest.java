package dev.polyserve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The process models as a user runs them: {@code serve exec} with nc, {@code serve echo --model prefork|process}
 * (children re-run this very command line), {@code status}, and no process left behind after SIGTERM.
 */
class ProcessCommandsTest {

    private static String nc(int port, String input) throws IOException, InterruptedException {
        // nc -N: shut down the socket after stdin's EOF, so the per-connection program sees EOF too.
        Process nc = new ProcessBuilder("nc", "-N", "127.0.0.1", Integer.toString(port))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        nc.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        nc.getOutputStream().close();
        String out = new String(nc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(nc.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void execCatEchoesThroughNetcat() throws Exception {
        try (PolyserveProcess p = PolyserveProcess.start("serve", "exec", "--port", "0", "--", "/bin/cat")) {
            int port = PolyserveProcess.port(p.awaitListening());
            assertThat(nc(port, "hello through cat\n")).isEqualTo("hello through cat\n");
            assertThat(p.terminate()).isZero();
            assertThat(p.children()).isEmpty();
        }
    }

    @Test
    void execEnvShowsThePeer() throws Exception {
        try (PolyserveProcess p = PolyserveProcess.start("serve", "exec", "--port", "0", "--", "/usr/bin/env")) {
            int port = PolyserveProcess.port(p.awaitListening());
            assertThat(nc(port, "").lines()).contains("TCPREMOTEIP=127.0.0.1", "TCPLOCALPORT=" + port);
            assertThat(p.terminate()).isZero();
        }
    }

    @Test
    void execOfAMissingCommandFailsAtStartUp() throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "serve", "exec", "--port", "0", "--", "/no/such/program");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(output).contains("polyserve: exec: command not found: /no/such/program").doesNotContain("listening");
    }

    @Test
    void preforkAnnouncesOnceShowsStatusAndStopsEveryWorker() throws Exception {
        try (PolyserveProcess p = PolyserveProcess.start("serve", "echo", "--model", "prefork", "--workers", "2", "--port", "0")) {
            String line = p.awaitListening();
            assertThat(line).endsWith("(service=echo, model=prefork, transport=tcp)");
            int port = PolyserveProcess.port(line);
            // Two serving workers, and a warm spare that may still be starting.
            List<Long> workers = p.children();
            assertThat(workers).hasSizeBetween(2, 3);
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(new DataInputStream(s.getInputStream()).readNBytes(6)).asString(StandardCharsets.US_ASCII).isEqualTo("hello\n");
            }
            StringBuilder status = new StringBuilder();
            // `polyserve status` as its own process: it finds the server through the shared segment only.
            try (PolyserveProcess st = PolyserveProcess.start("status", "--port", Integer.toString(port))) {
                status.append(st.remainingStdout());
                assertThat(st.process.waitFor()).isZero();
            }
            assertThat(status).contains("port " + port).contains("workers 2");
            for (long w : workers) assertThat(status).contains(Long.toString(w));
            workers = p.children();
            assertThat(p.terminate()).isZero();
            assertThat(p.remainingStdout()).as("one listening line, nothing else").isEmpty();
            assertThat(workers).allMatch(w -> ProcessHandle.of(w).isEmpty());
        }
    }

    @Test
    void processModelServesEachConnectionInItsOwnJvm() throws Exception {
        try (PolyserveProcess p = PolyserveProcess.start("serve", "echo", "--model", "process", "--upper", "--port", "0")) {
            int port = PolyserveProcess.port(p.awaitListening());
            for (int i = 0; i < 3; i++) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.setSoTimeout(60_000);
                    s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                    assertThat(new DataInputStream(s.getInputStream()).readNBytes(6)).asString(StandardCharsets.US_ASCII).isEqualTo("HELLO\n");
                }
            }
            assertThat(p.terminate()).isZero();
            assertThat(p.remainingStdout()).isEmpty();
            assertThat(p.children()).isEmpty();
        }
    }
}

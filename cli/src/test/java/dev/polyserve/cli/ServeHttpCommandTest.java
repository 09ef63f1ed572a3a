package dev.polyserve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code polyserve serve http} as a user runs it: the welcome site, --root, the access log, SIGTERM exits 0. */
class ServeHttpCommandTest {

    private static HttpResponse<String> get(HttpClient c, int port, String path) throws Exception {
        return c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withoutRootServesTheBundledWelcomeSite() throws Exception {
        try (PolyserveProcess p = PolyserveProcess.start("serve", "http", "--port", "0", "--access-log", "off");
             HttpClient c = HttpClient.newHttpClient()) {
            String line = p.awaitListening();
            assertThat(line).matches("listening on 127\\.0\\.0\\.1:\\d+ \\(service=http, model=nio, transport=tcp\\)");
            int port = PolyserveProcess.port(line);
            var page = get(c, port, "/");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("polyserve is running");
            assertThat(get(c, port, "/api/time").body()).contains("\"model\":\"nio\"");
            assertThat(get(c, port, "/healthz").body()).isEqualTo("{\"status\":\"ok\"}");
            assertThat(p.terminate()).as("exit code after SIGTERM").isZero();
            assertThat(p.remainingStdout()).as("access log off: nothing else on stdout").isEmpty();
        }
    }

    @Test
    void logsAccessToStderrByDefaultSoStdoutKeepsItsOneLine(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("stderr.log");
        try (PolyserveProcess p = PolyserveProcess.startLoggingTo(log, "serve", "http", "--port", "0");
             HttpClient c = HttpClient.newHttpClient()) {
            int port = PolyserveProcess.port(p.awaitListening());
            assertThat(get(c, port, "/healthz").statusCode()).isEqualTo(200);
            assertThat(p.terminate()).isZero();
            assertThat(p.remainingStdout()).as("stdout after the listening line").isEmpty();
            assertThat(Files.readString(log)).contains("\"GET /healthz HTTP/1.1\" 200 ");
        }
    }

    @Test
    void preforkWorkersAccessLogsReachTheMastersStdoutBelowItsOneListeningLine() throws Exception {
        try (PolyserveProcess p = PolyserveProcess.start("serve", "http", "--port", "0", "--model", "prefork",
                "--workers", "2", "--access-log", "-");
             HttpClient c = HttpClient.newHttpClient()) {
            int port = PolyserveProcess.port(p.awaitListening());
            for (int i = 0; i < 4; i++) assertThat(get(c, port, "/healthz?n=" + i).statusCode()).isEqualTo(200);
            assertThat(p.terminate()).isZero();
            String rest = p.remainingStdout();
            assertThat(rest).as("workers announce nothing themselves").doesNotContain("listening on");
            for (int i = 0; i < 4; i++) assertThat(rest).contains("\"GET /healthz?n=" + i + " HTTP/1.1\" 200 ");
        }
    }

    /**
     * The welcome site's /dashboard under prefork shows the whole server: whichever worker serves the socket reads
     * every worker's row of the shared segment, and each worker's CPU time.
     */
    @Test
    void preforkDashboardShowsEveryWorker() throws Exception {
        try (PolyserveProcess p = PolyserveProcess.start("serve", "http", "--port", "0", "--model", "prefork",
                "--workers", "2", "--access-log", "off");
             HttpClient c = HttpClient.newHttpClient()) {
            int port = PolyserveProcess.port(p.awaitListening());
            java.util.concurrent.LinkedBlockingQueue<String> messages = new java.util.concurrent.LinkedBlockingQueue<>();
            java.net.http.WebSocket ws = c.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/dashboard/ws"),
                    new java.net.http.WebSocket.Listener() {
                        final StringBuilder text = new StringBuilder();

                        @Override
                        public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
                            text.append(data);
                            if (last) {
                                messages.add(text.toString());
                                text.setLength(0);
                            }
                            w.request(1);
                            return null;
                        }
                    }).get(20, java.util.concurrent.TimeUnit.SECONDS);
            String point = null;
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (point == null && System.nanoTime() < deadline) {
                    String m = messages.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS);
                    // Both serving workers with a CPU line: the whole server, not just the worker at hand.
                    if (m != null && m.contains("\"type\":\"point\"") && m.split("\"worker ").length - 1 == 2) point = m;
                }
            } finally {
                ws.abort();   // else closing the client waits for the socket
            }
            assertThat(point).as("a point naming both workers").isNotNull().contains("\"model\":\"prefork\"")
                    .containsPattern("\"open\":[1-9]").doesNotContain("\"requests\":null");
            assertThat(p.terminate()).isZero();
        }
    }

    @Test
    void servesRootAndLogsToStdoutWhenAsked(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.txt"), "file a");
        try (PolyserveProcess p = PolyserveProcess.start("serve", "http", "--port", "0", "--model", "virtual",
                "--root", dir.toString(), "--access-log", "-");
             HttpClient c = HttpClient.newHttpClient()) {
            int port = PolyserveProcess.port(p.awaitListening());
            assertThat(get(c, port, "/a.txt").body()).isEqualTo("file a");
            assertThat(get(c, port, "/b.txt").statusCode()).isEqualTo(404);
            assertThat(get(c, port, "/api/time").statusCode()).as("no demo routes on a user's own site").isEqualTo(404);
            assertThat(p.terminate()).isZero();
            assertThat(p.remainingStdout()).contains("\"GET /a.txt HTTP/1.1\" 200 6 ").contains("\"GET /b.txt HTTP/1.1\" 404 ");
        }
    }

    @Test
    void demoRoutesOnAUsersSiteWhenAskedFor(@TempDir Path dir) throws Exception {
        try (PolyserveProcess p = PolyserveProcess.start("serve", "http", "--port", "0", "--access-log", "off",
                "--root", dir.toString(), "--demo-routes");
             HttpClient c = HttpClient.newHttpClient()) {
            int port = PolyserveProcess.port(p.awaitListening());
            assertThat(get(c, port, "/api/hello").body()).contains("hello, world");
            assertThat(p.terminate()).isZero();
        }
    }

    @Test
    void rootThatIsNotADirectoryIsRefusedInOneLine(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("file.txt"), "x");
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cl = Main.commandLine();
        cl.setErr(new java.io.PrintWriter(err, true));
        int code = cl.execute("serve", "http", "--port", "0", "--root", file.toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("polyserve: --root " + file + " is not a directory (see 'polyserve serve http --help')");
    }

    @Test
    void missingRootIsAUsageError(@TempDir Path dir) throws Exception {
        try (PolyserveProcess p = PolyserveProcess.start("serve", "http", "--port", "0", "--root", dir.resolve("nope").toString())) {
            assertThat(p.process.waitFor()).isEqualTo(2);
            assertThat(p.remainingStdout()).isEmpty();
        }
    }
}

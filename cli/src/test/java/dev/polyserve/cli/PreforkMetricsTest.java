package dev.polyserve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.core.Await;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code serve http --model prefork}: whichever worker answers {@code /metrics}, it counts the whole server (the
 * workers' rows in the shared stats segment), not only its own connections.
 */
class PreforkMetricsTest {
    static final Duration DEADLINE = Duration.ofSeconds(30);
    /** Connections tried before giving up on reaching both workers (SO_REUSEPORT spreads them by a hash). */
    static final int MAX_TRIES = 200;

    /** One response read off a kept-alive connection, and the worker process that served it. */
    record Answer(int status, String body, long servedBy) {}

    @Test
    void metricsFromEitherWorkerCountEveryWorkersRequests() throws Exception {
        try (PolyserveProcess p = PolyserveProcess.start("serve", "http", "--model", "prefork", "--workers", "2",
                "--port", "0", "--quiet")) {
            int port = PolyserveProcess.port(p.awaitListening());
            Await.until(DEADLINE, "two workers and the spare started", () -> children(p).size() >= 2);

            // 404s on fresh connections until both workers have answered some.
            Map<Long, Integer> byWorker = new HashMap<>();
            int notFound = 0;
            while (byWorker.size() < 2 && notFound < MAX_TRIES) {
                Answer a = get(port, "/no-such-page-" + notFound, children(p));
                assertThat(a.status()).isEqualTo(404);
                notFound++;
                byWorker.merge(a.servedBy(), 1, Integer::sum);
            }
            assertThat(byWorker).as("both workers served").hasSize(2).doesNotContainKey(-1L);

            // Scrapes until each worker has answered one that counts all the 404s (rows are published every 100 ms).
            int expected = notFound;
            Map<Long, String> scrapeBy = new HashMap<>();
            Await.until(DEADLINE, () -> "a whole-server scrape from each worker; got " + scrapeBy, () -> {
                try {
                    Answer a = get(port, "/metrics", children(p));
                    if (a.status() == 200 && value(a.body(), "polyserve_http_requests_total", "404") == expected) {
                        scrapeBy.put(a.servedBy(), a.body());
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return scrapeBy.keySet().containsAll(byWorker.keySet());
            });
            for (String body : scrapeBy.values()) {
                assertThat(value(body, "polyserve_processes", null)).isEqualTo(2);
                assertThat(value(body, "polyserve_connections_accepted_total", null)).isGreaterThanOrEqualTo(expected);
            }
            assertThat(p.terminate()).isZero();
        }
    }

    private static List<Long> children(PolyserveProcess p) {
        try {
            return p.children();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** GET {@code path} on a new connection kept open until we know which of {@code workers} holds its server end. */
    private static Answer get(int port, String path, List<Long> workers) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout((int) DEADLINE.toMillis());
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String head = readHead(in);
            int status = Integer.parseInt(head.substring(9, 12));
            Matcher len = Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(head);
            if (!len.find()) throw new AssertionError("no Content-Length in " + head);
            byte[] body = new DataInputStream(in).readNBytes(Integer.parseInt(len.group(1)));
            return new Answer(status, new String(body, StandardCharsets.UTF_8), PolyserveProcess.pidServing(s, workers));
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new IOException("connection closed in the response head: " + sb);
            sb.append((char) b);
        }
        return sb.toString();
    }

    /** The value of {@code metric} (with {@code status="S"} when given) in a Prometheus text body; -1 if absent. */
    private static long value(String body, String metric, String status) {
        String labels = status == null ? "\\{[^}]*\\}" : "\\{[^}]*status=\"" + status + "\"\\}";
        Matcher m = Pattern.compile("(?m)^" + metric + labels + " (\\d+)$").matcher(body);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}

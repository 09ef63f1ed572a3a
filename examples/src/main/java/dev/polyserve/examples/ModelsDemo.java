package dev.polyserve.examples;

import dev.polyserve.core.Engines;
import dev.polyserve.core.Server;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Lesson: one service, every server model. The echo service is started under each model this machine offers
 * ({@link Engines#availableNames()}: iterative, threads, pool, virtual, nonblocking, nio, and the select/poll/
 * epoll/io_uring, prefork and process models when their modules are on the class path), each on a free
 * loopback port; a client connects, sends a line, reads the echo and hangs up, a few times per model, and the
 * median connect+echo time is printed. The handler code is the same every time; only the model changes.
 */
final class ModelsDemo {
    /** Connections per model: enough for a stable median, few enough to keep the walk quick. */
    static final int CONNECTIONS = 20;
    /** At least this many, even for a slow model, so the median means something. */
    static final int MIN_CONNECTIONS = 3;
    /**
     * Stop adding connections to a model after this long: a process-per-connection model starts a JVM per
     * connection, and the whole walk should stay within a few seconds.
     */
    static final Duration TIME_PER_MODEL = Duration.ofSeconds(1);
    static final Duration GRACE = Duration.ofSeconds(2);
    /** A client read that waits longer than this means the model is broken, not slow. */
    static final int READ_TIMEOUT_MILLIS = 10_000;
    static final byte[] LINE = "hello, models\n".getBytes(StandardCharsets.US_ASCII);

    /** One model's outcome: whether every echo came back intact, the median time, or why it failed. */
    record ModelRun(String model, boolean echoed, long medianMicros, int connections, String failure) {}

    record Result(List<ModelRun> runs) {
        boolean lessonHeld() {
            return !runs.isEmpty() && runs.stream().allMatch(ModelRun::echoed);
        }
    }

    private ModelsDemo() {}

    static int main(PrintStream out, List<String> args) throws Exception {
        return run(out).lessonHeld() ? 0 : 1;
    }

    static Result run(PrintStream out) {
        List<String> models = Engines.availableNames();
        out.println("Echo under each of the " + models.size() + " models available here: " + String.join(", ", models));
        List<Engines.Listing> unavailable = Engines.all().stream().filter(l -> !l.available()).toList();
        for (Engines.Listing l : unavailable) out.println("  (" + l.name() + " is not available here: " + l.unavailableReason().orElse("") + ")");
        List<ModelRun> runs = new ArrayList<>();
        for (String model : models) {
            ModelRun r = runOne(model);
            runs.add(r);
            out.printf("  %-12s %s%n", model, r.echoed()
                    ? String.format("connect + echo + close: median %6d us over %d connections", r.medianMicros(), r.connections())
                    : "FAILED: " + r.failure());
        }
        Result result = new Result(runs);
        out.println("verdict: " + (result.lessonHeld()
                ? "the same echo handler served correctly under all " + runs.size() + " models; only the concurrency model changed"
                : "UNEXPECTED: some models did not echo: " + runs.stream().filter(r -> !r.echoed()).map(ModelRun::model).toList()));
        return result;
    }

    private static ModelRun runOne(String model) {
        Server server;
        try {
            server = Server.tcp(0).model(model).service(new RebuildableEcho()).start();
        } catch (IOException | RuntimeException e) {
            return new ModelRun(model, false, 0, 0, "could not start: " + e.getMessage());
        }
        try {
            InetSocketAddress at = server.localAddress();
            long[] micros = new long[CONNECTIONS];
            long budgetEnd = System.nanoTime() + TIME_PER_MODEL.toNanos();
            int n = 0;
            while (n < CONNECTIONS && (n < MIN_CONNECTIONS || System.nanoTime() - budgetEnd < 0)) {
                long t0 = System.nanoTime();
                byte[] back = echoOnce(at);
                micros[n++] = (System.nanoTime() - t0) / 1_000;
                if (!Arrays.equals(back, LINE)) {
                    return new ModelRun(model, false, 0, n, "got back \"" + new String(back, StandardCharsets.US_ASCII).strip() + "\"");
                }
            }
            long[] done = Arrays.copyOf(micros, n);
            Arrays.sort(done);
            return new ModelRun(model, true, done[n / 2], n, null);
        } catch (IOException e) {
            return new ModelRun(model, false, 0, 0, e.toString());
        } finally {
            server.stop(GRACE);
        }
    }

    private static byte[] echoOnce(InetSocketAddress at) throws IOException {
        try (Socket s = new Socket()) {
            s.setSoTimeout(READ_TIMEOUT_MILLIS);
            s.setTcpNoDelay(true);
            s.connect(at, READ_TIMEOUT_MILLIS);
            s.getOutputStream().write(LINE);
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            byte[] got = in.readNBytes(LINE.length);
            return got;
        }
    }
}

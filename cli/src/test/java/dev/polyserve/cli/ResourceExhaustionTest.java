package dev.polyserve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.core.Await;
import dev.polyserve.core.Engines;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every model driven past a resource limit in a child JVM (threads, descriptors, direct memory), the way an
 * overloaded server meets it: new clients are refused with the service's refusal (HTTP 503) or closed, clients
 * already connected go on being served, the log says so in a few lines with no stack traces, and once the load
 * goes away a new client is served again. The limits are lowered so each run takes seconds: a pids cgroup caps
 * the threads a JVM can start (root ignores {@code ulimit -u}), {@code ulimit -n} caps descriptors,
 * {@code -XX:MaxDirectMemorySize} caps direct buffers. For direct memory the refused are the
 * connections whose buffer could not be made (closed mid-response): the limit is met while writing, not on accept.
 */
class ResourceExhaustionTest {
    /** Clients tried at most per run: far past each lowered limit, small enough to take seconds. */
    private static final int MAX_CLIENTS = 150;
    /** Refused or dropped clients that show the limit was reached; the run then stops adding clients. */
    private static final int SHORTAGE_CLIENTS = 10;
    /**
     * Log lines allowed about the shortage: a couple per resource per minute (EngineContext.SHORTAGE_LINES_PER_WINDOW)
     * over the few resources one run can run out of.
     */
    private static final int MAX_SHORTAGE_LINES = 8;
    /**
     * How long one client waits for its answer: a client that gets neither an answer nor a close is a failure. Past
     * TCP's own retransmission schedule (1+2+4+8 s), since a client queued while the server is out of descriptors can
     * be answered only after a retransmission; 10 s failed once for poll in a full-suite run and never alone.
     */
    private static final int CLIENT_TIMEOUT_MILLIS = 30_000;
    /** Longer than any run: held clients stay connected however long filling the server up takes. */
    private static final String KEEP_ALIVE_FOR_THE_RUN = "10m";

    private static final List<String> SMALL_JVM = List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:ReservedCodeCacheSize=32m", "-XX:CompressedClassSpaceSize=64m", "-Xshare:off");
    /**
     * What the polyserve launcher passes: HotSpot's own two lines per thread it cannot start, off; and a heap out of
     * memory fatal, which must leave a thread that cannot start (also an OutOfMemoryError) a handled refusal.
     */
    static final List<String> LAUNCHER_OPTIONS = List.of("-Xlog:os+thread=off", "-XX:+ExitOnOutOfMemoryError");
    /**
     * Tasks (threads) the server's pids cgroup allows: the JVM needs about 20 of its own, so a few dozen connection
     * threads fit. A cgroup, not {@code ulimit -v}: an address-space cap also fails the JVM's own mallocs (it aborts),
     * while a task cap fails only thread creation, as the kernel's thread and pid limits do.
     */
    private static final int THREAD_CGROUP_TASKS = 60;

    @TempDir
    Path dir;

    enum Outcome { SERVED, REFUSED, DROPPED }

    @ParameterizedTest
    @ValueSource(strings = {"threads", "pool"})
    void outOfThreads(String model) throws Exception {
        Path cgroup = PidsCgroup.create("polyserve-test-" + ProcessHandle.current().pid() + "-" + model, THREAD_CGROUP_TASKS);
        Assumptions.assumeTrue(cgroup != null, "no writable pids cgroup (v1 /sys/fs/cgroup/pids, or v2 with pids) here");
        try {
            List<String> jvm = new ArrayList<>(SMALL_JVM);
            jvm.addAll(LAUNCHER_OPTIONS);
            runIntoLimit(model, "echo $$ > " + cgroup.resolve("cgroup.procs"), jvm, List.of());
        } finally {
            PidsCgroup.remove(cgroup);
        }
    }

    /**
     * Not {@code iterative}: it serves one connection at a time, so held connections never reach a descriptor
     * limit. {@code uring} with one ring: with several, a client accepted at the limit can wait about 15 s for its
     * answer (docs/security.md).
     */
    @ParameterizedTest
    @ValueSource(strings = {"threads", "virtual", "nonblocking", "nio", "select", "poll", "epoll", "epoll-et", "uring"})
    void outOfDescriptors(String model) throws Exception {
        Assumptions.assumeTrue(Engines.availableNames().contains(model), model + " does not run here");
        runIntoLimit(model, "ulimit -n 80", SMALL_JVM, model.equals("uring") ? List.of("--workers", "1") : List.of());
    }

    /**
     * Direct memory: the JDK's own temporary I/O buffers are not counted against {@code -XX:MaxDirectMemorySize}, the
     * engines' direct buffers are. The one made per connection is a virtual writer's file chunk (64 KiB, it copies
     * files rather than block a carrier in sendfile), so: downloads on {@code virtual} that do not read, until the
     * limit is reached.
     */
    @org.junit.jupiter.api.Test
    void outOfDirectMemory() throws Exception {
        Path site = Files.createDirectories(dir.resolve("site"));
        byte[] file = new byte[300_000];
        new java.util.Random(16).nextBytes(file);
        Files.write(site.resolve("big.bin"), file);
        Path log = dir.resolve("server.log");
        List<String> jvm = new ArrayList<>(SMALL_JVM);
        jvm.add("-XX:MaxDirectMemorySize=300k");
        try (PolyserveProcess server = PolyserveProcess.startLimited("", jvm, log, "serve", "http", "--model", "virtual",
                "--root", site.toString(), "--port", "0", "--access-log", "off")) {
            int port = PolyserveProcess.port(server.awaitListening());
            List<Socket> downloads = new ArrayList<>();
            try {
                for (int i = 0; i < 12; i++) {
                    Socket s = new Socket();
                    s.setReceiveBufferSize(4096); // the file stays in the server: each writer holds its chunk
                    s.connect(new java.net.InetSocketAddress("127.0.0.1", port));
                    s.getOutputStream().write("GET /big.bin HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    downloads.add(s);
                }
                Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
                for (Socket s : downloads) outcomes.merge(download(s, file.length), 1, Integer::sum);
                assertThat(outcomes).as("what 12 downloads met (log: %s)", tail(log))
                        .containsKey(Outcome.SERVED).containsKey(Outcome.DROPPED);
            } finally {
                for (Socket s : downloads) s.close();
            }
            Await.until(Duration.ofSeconds(30), "a new download to complete once the others are gone", () -> {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.getOutputStream().write("GET /big.bin HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    return download(s, file.length) == Outcome.SERVED;
                } catch (IOException e) {
                    return false;
                }
            });
            assertThat(server.terminate()).as("exit code after SIGTERM").isZero();
        }
        assertQuietLog(log);
    }

    /** Reads one response of a {@code length}-byte body: served if whole, dropped if the connection ended first. */
    private static Outcome download(Socket s, int length) throws IOException {
        s.setSoTimeout(CLIENT_TIMEOUT_MILLIS);
        try {
            String head = readHead(s.getInputStream());
            if (head.isEmpty()) return Outcome.DROPPED;
            assertThat(head).startsWith("HTTP/1.1 200");
            return s.getInputStream().readNBytes(length).length == length ? Outcome.SERVED : Outcome.DROPPED;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("a download neither moved nor ended within " + CLIENT_TIMEOUT_MILLIS + " ms", e);
        } catch (IOException reset) {
            return Outcome.DROPPED;
        }
    }

    private void runIntoLimit(String model, String shellSetup, List<String> jvm, List<String> options) throws Exception {
        Path log = dir.resolve("server.log");
        List<String> args = new ArrayList<>(List.of("serve", "http", "--model", model, "--port", "0", "--access-log", "off"));
        args.addAll(options);
        args.addAll(List.of("--max-per-ip", "0")); // the per-address cap (256) is not what is under test
        // Nor is the keep-alive timeout (15 s): filling the server up can take longer than that on a loaded machine
        // (clients queued at the limit wait for TCP retransmissions), and the first client, idle meanwhile, would
        // then be closed for idleness before it is checked for being served through the shortage.
        args.addAll(List.of("--keep-alive-timeout", KEEP_ALIVE_FOR_THE_RUN));
        try (PolyserveProcess server = PolyserveProcess.startLimited(shellSetup, jvm, log, args.toArray(String[]::new))) {
            int port = PolyserveProcess.port(server.awaitListening());
            List<Socket> held = new ArrayList<>();
            Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
            try {
                for (int i = 0; i < MAX_CLIENTS && outcomes.getOrDefault(Outcome.REFUSED, 0)
                        + outcomes.getOrDefault(Outcome.DROPPED, 0) < SHORTAGE_CLIENTS; i++) {
                    Socket s = new Socket("127.0.0.1", port);
                    held.add(s);
                    outcomes.merge(get(s), 1, Integer::sum);
                }
                assertThat(outcomes).as("what %d clients met (log: %s)", held.size(), tail(log))
                        .containsKey(Outcome.SERVED).containsKey(Outcome.REFUSED);
                // Those already in are still served while the limit holds.
                Socket first = held.getFirst();
                assertThat(get(first)).as("a client connected before the shortage").isEqualTo(Outcome.SERVED);
            } finally {
                for (Socket s : held) s.close();
            }
            AtomicReference<Object> lastMet = new AtomicReference<>();
            try {
                Await.until(Duration.ofSeconds(30), "a new client to be served once the load is gone", () -> {
                    try (Socket s = new Socket("127.0.0.1", port)) {
                        Outcome met = get(s);
                        lastMet.set(met);
                        return met == Outcome.SERVED;
                    } catch (IOException e) {
                        lastMet.set(e);
                        return false;
                    }
                });
            } catch (AssertionError timedOut) {
                throw new AssertionError(timedOut.getMessage() + "; the last client met " + lastMet.get()
                        + " (log: " + tail(log) + ")", timedOut);
            }
            assertThat(server.terminate()).as("exit code after SIGTERM").isZero();
        }
        assertQuietLog(log);
    }

    /** The shortage was logged, in a few lines, with no stack trace. */
    private static void assertQuietLog(Path log) throws IOException {
        String text = Files.readString(log);
        assertThat(text).as("no stack traces").doesNotContain("\tat ").doesNotContain("Exception in thread");
        long lines = text.lines().filter(l -> l.contains(" WARN ")).count();
        assertThat(lines).as("log lines about the shortage:%n%s", text).isBetween(1L, (long) MAX_SHORTAGE_LINES);
    }

    /** One keep-alive GET of /healthz: served (200), refused (503) or dropped (closed or reset with no answer). */
    private static Outcome get(Socket s) throws IOException {
        s.setSoTimeout(CLIENT_TIMEOUT_MILLIS);
        try {
            s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String head = readHead(s.getInputStream());
            if (head.isEmpty()) return Outcome.DROPPED;
            if (head.startsWith("HTTP/1.1 503")) return Outcome.REFUSED;
            assertThat(head).startsWith("HTTP/1.1 200");
            int length = Integer.parseInt(head.lines().filter(l -> l.regionMatches(true, 0, "content-length:", 0, 15))
                    .findFirst().orElseThrow().substring(15).trim());
            s.getInputStream().readNBytes(length);
            return Outcome.SERVED;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("a client got neither an answer nor a close within " + CLIENT_TIMEOUT_MILLIS + " ms", e);
        } catch (IOException reset) {
            return Outcome.DROPPED;
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) >= 0; ) {
            sb.append((char) c);
            if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) return sb.toString();
        }
        return "";
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }
}

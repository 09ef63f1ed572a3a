package dev.polyserve.cli.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code polyserve bench hold}: opens N idle connections, then echoes one line on each (issue #18, C100K). Past
 * {@link #MAX_PER_PROCESS} connections the work is split over child JVMs, because one process may hold at most
 * 20,000 descriptors here; they open in parallel, wait until every share is open, then echo together, so all N
 * are held at once when the echo is checked.
 */
@Command(name = "hold", mixinStandardHelpOptions = true,
        description = {
                "Opens N idle connections to HOST:PORT from rotating source addresses 127.0.x.y, reports the time to open "
                        + "them, then sends one line on every connection and checks each echo, and closes them all (with a reset,"
                        + " so no TIME_WAIT is left). Past --per-process connections it runs child JVMs, each with its share.",
                "Prints connections held, time to open, echoes verified and failures by kind, the server's memory (--server-pid:"
                        + " RSS of its whole process tree, from /proc) and one summary line starting with RESULT.",
                "Bounded by --deadline: what is not done by then counts as failed."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:every connection opened and every echo verified", "1:some connection or echo failed", "2:bad options"})
final class HoldCommand implements Callable<Integer> {
    /** Most connections one client process opens: under the hard cap of 20,000 descriptors, with room for the JVM's own. */
    static final int MAX_PER_PROCESS = 19_000;
    /** Most source addresses: 127.0.1.1 to 127.0.250.250 (see {@link HoldShare#source}). */
    static final int MAX_SOURCES = 250 * 250;
    /** Heap of a child JVM: a share's channels take about a kilobyte each. */
    static final String CHILD_HEAP = "-Xmx256m";

    @Option(paramLabel = "HOST", names = "--host", defaultValue = "127.0.0.1", description = "Server host (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(paramLabel = "PORT", names = "--port", required = true, description = "Server port.")
    int port;

    @Option(paramLabel = "N", names = {"-c", "--connections"}, defaultValue = "1000", description = "Connections to hold (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(paramLabel = "N", names = "--per-process", defaultValue = "" + MAX_PER_PROCESS,
            description = "Most connections per client process; more start child JVMs (default and most: ${DEFAULT-VALUE}).")
    int perProcess;

    @Option(paramLabel = "N", names = "--sources", defaultValue = "64",
            description = "Source addresses 127.0.x.y to rotate over; each has about 28,000 ephemeral ports (default: ${DEFAULT-VALUE}).")
    int sources;

    @Option(paramLabel = "SECONDS", names = "--deadline", defaultValue = "120",
            description = "Seconds for the whole run; what is not done by then counts as failed (default: ${DEFAULT-VALUE}).")
    int deadlineSeconds;

    @Option(paramLabel = "SECONDS", names = "--hold", defaultValue = "0",
            description = "Seconds to keep the connections open after the echo, e.g. to look at the server (default: ${DEFAULT-VALUE}).")
    int holdSeconds;

    @Option(paramLabel = "PID", names = "--server-pid", description = "Server process id: report the RSS of its process tree before, when open, after the echo.")
    Long serverPid;

    @Option(names = "--child", hidden = true, description = "Run one share for a parent: FIRST (the index of its first connection).")
    Integer childFirst;

    @Spec
    CommandSpec command;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = command.commandLine().getOut();
        if (connections < 1) throw new ParameterException(command.commandLine(), "connections must be at least 1");
        if (perProcess < 1 || perProcess > MAX_PER_PROCESS) {
            throw new ParameterException(command.commandLine(), "--per-process must be between 1 and " + MAX_PER_PROCESS);
        }
        if (sources < 1 || sources > MAX_SOURCES) throw new ParameterException(command.commandLine(), "--sources must be between 1 and " + MAX_SOURCES);
        if (deadlineSeconds < 1) throw new ParameterException(command.commandLine(), "--deadline must be at least 1 second");
        InetSocketAddress target = new InetSocketAddress(host, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(deadlineSeconds);
        if (childFirst != null) {
            return child(target, childFirst, deadline, out);
        }
        long rss0 = serverRss();
        Map<String, Long> total = new TreeMap<>();
        long[] rss = new long[2];
        long start = System.nanoTime();
        long[] openWall = new long[1];
        Runnable atOpen = () -> { openWall[0] = System.nanoTime() - start; rss[0] = serverRss(); };
        Runnable atEcho = () -> rss[1] = serverRss();
        int shares = (connections + perProcess - 1) / perProcess;
        if (shares == 1) {
            HoldShare share = new HoldShare(target, 0, connections, sources, deadline);
            try {
                share.openAll();
                atOpen.run();
                share.echoAll();
                atEcho.run();
                pause(deadline);
            } finally {
                share.closeAll();
            }
            total.putAll(HoldShare.parse(share.resultLine()));
        } else {
            runChildren(shares, deadline, total, atOpen, atEcho);
        }
        long opened = total.getOrDefault("opened", 0L);
        long verified = total.getOrDefault("verified", 0L);
        out.printf("connections held: %,d of %,d (%d client process%s, %d source addresses)%n", opened, connections, shares,
                shares == 1 ? "" : "es", Math.min(sources, connections));
        out.printf("time to open: %.2f s (slowest share's connect phase %.2f s)%n", openWall[0] / 1e9, total.getOrDefault("open_ms", 0L) / 1e3);
        out.printf("echo verified: %,d of %,d%n", verified, opened);
        StringBuilder fails = new StringBuilder();
        total.forEach((k, v) -> { if (k.startsWith("fail.")) fails.append(' ').append(k.substring(5)).append('=').append(v); });
        out.println("failures:" + (fails.isEmpty() ? " none" : fails));
        if (serverPid != null) {
            out.printf("server RSS (process tree of %d): %.1f MB before, %.1f MB with %,d open, %.1f MB after the echo: %.2f KB per connection%n",
                    serverPid, rss0 / 1e6, rss[0] / 1e6, opened, rss[1] / 1e6, opened == 0 ? 0 : (rss[1] - rss0) / 1024.0 / opened);
        }
        out.printf("RESULT connections=%d opened=%d open_s=%.3f verified=%d failed=%d%s%n", connections, opened, openWall[0] / 1e9,
                verified, connections - verified, serverPid == null ? "" : String.format(" server_rss_kb_per_conn=%.2f",
                        opened == 0 ? 0 : (rss[1] - rss0) / 1024.0 / opened));
        out.flush();
        return opened == connections && verified == connections ? 0 : 1;
    }

    /** --hold: keep everything open for a while (never past the deadline), saying so on stderr for scripts to wait on. */
    private void pause(long deadline) throws InterruptedException {
        if (holdSeconds > 0) {
            command.commandLine().getErr().printf("polyserve bench hold: echo checked; holding the connections for %d s%n", holdSeconds);
            command.commandLine().getErr().flush();
        }
        long until = Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(holdSeconds));
        long left;
        while ((left = until - System.nanoTime()) > 0) TimeUnit.NANOSECONDS.sleep(left);
    }

    /**
     * A child's side of the conversation with its parent, one line each way per step: SHARE-OPENED, then (after
     * ECHO) the result line, then (after CLOSE, or the parent gone) it closes everything and ends.
     */
    private int child(InetSocketAddress target, int first, long deadline, PrintWriter out) throws IOException {
        HoldShare share = new HoldShare(target, first, connections, sources, deadline);
        BufferedReader parent = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        try {
            share.openAll();
            out.println("OPENED " + share.opened());
            out.flush();
            if ("ECHO".equals(parent.readLine())) {
                share.echoAll();
                out.println(share.resultLine());
                out.flush();
                parent.readLine(); // CLOSE, or EOF when the parent died
            }
        } finally {
            share.closeAll();
        }
        return 0;
    }

    private void runChildren(int shares, long deadline, Map<String, Long> total, Runnable atOpen, Runnable atEcho)
            throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<Process> children = new ArrayList<>();
        List<BufferedReader> replies = new ArrayList<>();
        int lost = 0;
        int secondsLeft = (int) Math.max(1, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime()));
        try {
            for (int s = 0; s < shares; s++) {
                int first = s * perProcess;
                int count = Math.min(perProcess, connections - first);
                List<String> cmd = new ArrayList<>(List.of(java, CHILD_HEAP, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                        "-cp", System.getProperty("java.class.path"), BenchCommand.class.getName(), "hold", "--child", Integer.toString(first),
                        "--host", host, "--port", Integer.toString(port), "--connections", Integer.toString(count),
                        "--sources", Integer.toString(sources), "--deadline", Integer.toString(secondsLeft)));
                Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                children.add(p);
                replies.add(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII)));
            }
            for (BufferedReader r : replies) expect(r, "OPENED");
            atOpen.run();
            for (Process p : children) tell(p, "ECHO");
            for (BufferedReader r : replies) {
                String line = expect(r, "SHARE");
                if (line == null) {
                    lost++;
                    continue;
                }
                // open_ms is the slowest share's; everything else adds up
                HoldShare.parse(line).forEach((k, v) -> total.merge(k, v, k.equals("open_ms") ? Math::max : Long::sum));
            }
            atEcho.run();
            pause(deadline);
        } finally {
            for (Process p : children) tell(p, "CLOSE");
            for (Process p : children) {
                if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
            }
        }
        if (lost > 0) total.merge("fail.child-gone", (long) lost, Long::sum); // in child processes, not connections
    }

    /** The child's next line that starts with {@code prefix}, or null when it ended without one (its stderr says why). */
    private static String expect(BufferedReader r, String prefix) throws IOException {
        for (String line; (line = r.readLine()) != null; ) {
            if (line.startsWith(prefix)) return line;
        }
        return null;
    }

    private static void tell(Process p, String word) {
        try {
            p.getOutputStream().write((word + "\n").getBytes(StandardCharsets.US_ASCII));
            p.getOutputStream().flush();
        } catch (IOException gone) {
            // the child ended; its result (or its absence) speaks for it
        }
    }

    /** Resident bytes of {@code --server-pid} and every descendant (a prefork master and its workers), or 0 without it. */
    long serverRss() {
        if (serverPid == null) return 0;
        Map<Long, List<Long>> children = new HashMap<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    children.computeIfAbsent(Long.parseLong(f[1]), k -> new ArrayList<>()).add(Long.parseLong(p.getFileName().toString()));
                } catch (IOException | RuntimeException gone) {
                    // the process ended while we looked
                }
            }
        } catch (IOException e) {
            return 0;
        }
        long bytes = 0;
        List<Long> todo = new ArrayList<>(List.of(serverPid));
        while (!todo.isEmpty()) {
            long pid = todo.removeLast();
            bytes += rssOf(pid);
            todo.addAll(children.getOrDefault(pid, List.of()));
        }
        return bytes;
    }

    private static long rssOf(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        } catch (IOException | RuntimeException gone) {
            // ended
        }
        return 0;
    }
}

package dev.polyserve.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A {@code polyserve} command run as a real child process, as a user runs it (test class path, same JDK). */
public final class PolyserveProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on (.+):(\\d+) \\((.*)\\)");

    public final Process process;
    private final BufferedReader stdout;

    private PolyserveProcess(Process process) {
        this.process = process;
        this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    public static PolyserveProcess start(String... args) throws IOException {
        return start(ProcessBuilder.Redirect.INHERIT, args);
    }

    /** As {@link #start(String...)}, with the process's stderr (its log) appended to {@code stderrFile}. */
    public static PolyserveProcess startLoggingTo(Path stderrFile, String... args) throws IOException {
        return start(ProcessBuilder.Redirect.appendTo(stderrFile.toFile()), args);
    }

    private static PolyserveProcess start(ProcessBuilder.Redirect stderr, String... args) throws IOException {
        return new PolyserveProcess(new ProcessBuilder(command(List.of(), args)).redirectError(stderr).start());
    }

    /**
     * As {@link #startLoggingTo}, in a shell that first runs {@code shellSetup} (e.g. {@code "ulimit -n 64"}; empty for
     * nothing) and with {@code jvmOptions} before the main class: for running a server into a lowered resource limit.
     */
    public static PolyserveProcess startLimited(String shellSetup, List<String> jvmOptions, Path stderrFile, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", (shellSetup.isEmpty() ? "" : shellSetup + " && ")
                + "exec \"$@\"", "bash"));
        cmd.addAll(command(jvmOptions, args));
        return new PolyserveProcess(new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(stderrFile.toFile())).start());
    }

    private static List<String> command(List<String> jvmOptions, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Reads stdout up to the {@code listening on} line and returns it. */
    public String awaitListening() throws IOException {
        String line = stdout.readLine();
        if (line == null || !LISTENING.matcher(line).matches()) {
            throw new AssertionError("expected the listening line first on stdout, got: " + line);
        }
        return line;
    }

    public static int port(String listeningLine) {
        Matcher m = LISTENING.matcher(listeningLine);
        if (!m.matches()) {
            throw new AssertionError("not a listening line: " + listeningLine);
        }
        return Integer.parseInt(m.group(2));
    }

    public String remainingStdout() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String l; (l = stdout.readLine()) != null; ) {
            sb.append(l).append('\n');
        }
        return sb.toString();
    }

    /** The processes this one started (prefork workers, per-connection children), from /proc. */
    public List<Long> children() throws IOException {
        return childrenOf(process.pid());
    }

    /** Every process whose parent is {@code ppid}, from /proc. */
    public static List<Long> childrenOf(long ppid) throws IOException {
        try (var procs = Files.list(Path.of("/proc"))) {
            return procs.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                    .filter(n -> {
                        try {
                            String stat = Files.readString(Path.of("/proc", n, "stat"));
                            return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]) == ppid;
                        } catch (IOException | RuntimeException gone) {
                            return false;
                        }
                    }).map(Long::parseLong).toList();
        }
    }

    /**
     * Which of {@code pids} holds the server end of {@code client}'s loopback TCP connection (the prefork worker
     * that accepted it), or -1 if none does (yet): the socket's inode from /proc/net/tcp, matched against each
     * process's open file descriptors.
     */
    public static long pidServing(Socket client, List<Long> pids) throws IOException {
        // The kernel's hex spelling of 127.0.0.1 in /proc/net/tcp, and of ::ffff:127.0.0.1 (a JDK dual-stack socket) in tcp6.
        String inode = null;
        for (String[] table : new String[][] {{"/proc/net/tcp", "0100007F"}, {"/proc/net/tcp6", "0000000000000000FFFF00000100007F"}}) {
            String server = String.format("%s:%04X", table[1], client.getPort());
            String peer = String.format("%s:%04X", table[1], client.getLocalPort());
            for (String line : Files.readAllLines(Path.of(table[0]))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[1].equals(server) && f[2].equals(peer)) inode = f[9];
            }
        }
        if (inode == null || inode.equals("0")) return -1;
        String link = "socket:[" + inode + "]";
        for (long pid : pids) {
            try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
                if (fds.anyMatch(fd -> {
                    try {
                        return Files.readSymbolicLink(fd).toString().equals(link);
                    } catch (IOException closedMeanwhile) {
                        return false;
                    }
                })) {
                    return pid;
                }
            } catch (IOException gone) {
                // that process ended; try the others
            }
        }
        return -1;
    }

    /** Sends SIGTERM and waits for the exit code. */
    public int terminate() throws InterruptedException {
        process.toHandle().destroy(); // SIGTERM; unlike Process.destroy it leaves our end of stdout open
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("polyserve did not stop within 30 s of SIGTERM");
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}

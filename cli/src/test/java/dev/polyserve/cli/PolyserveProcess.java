package dev.polyserve.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        return new PolyserveProcess(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start());
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

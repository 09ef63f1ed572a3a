package dev.polyserve.services.chat.redis;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} for tests (Debian's package; {@code .ci/run} installs it): on a free loopback port,
 * with its files in a directory of the test's, no persistence, stopped (and restartable on the same port) by the
 * test. Tests skip with a clear message only where the binary is missing.
 */
public final class RedisServer implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/bin/redis-server");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    /** A certificate and key in PEM for a TLS port. */
    public record TlsFiles(Path certificate, Path key) {}

    private final Path dir;
    private final int port;
    /** With TLS: the files, and the second port that speaks it (the first stays plain, for the readiness check). */
    private final TlsFiles tls;
    private final int tlsPort;
    private Process process;

    private RedisServer(Path dir, int port, TlsFiles tls, int tlsPort) {
        this.dir = dir;
        this.port = port;
        this.tls = tls;
        this.tlsPort = tlsPort;
    }

    /** Why Redis tests cannot run here, or null if they can. */
    public static String unavailable() {
        return Files.isExecutable(BINARY) ? null
                : BINARY + " is missing: install Debian's redis-server package (.ci/run does) to run the Redis chat tests";
    }

    /** Starts a server on a free port; its files go under {@code dir}. */
    public static RedisServer start(Path dir) throws IOException, InterruptedException {
        return start(dir, null);
    }

    /** As {@link #start(Path)}, also speaking TLS on {@link #tlsUrl()} with {@code tls}'s certificate, if not null. */
    public static RedisServer start(Path dir, TlsFiles tls) throws IOException, InterruptedException {
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = freePort(), tlsPort = tls == null ? 0 : freePort();
            RedisServer r = new RedisServer(dir, port, tls, tlsPort);
            try {
                r.startAgain();
                return r;
            } catch (IOException e) {
                last = e;   // another test took the port meanwhile: pick another
            }
        }
        throw last;
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** Starts the server (again) on its port: after {@link #stop} or {@link #kill}, as an operator restarting it. */
    public void startAgain() throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path logFile = dir.resolve("redis-" + port + ".log");
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--dir", dir.toString(), "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", logFile.toString()));
        if (tls != null) {
            command.addAll(List.of("--tls-port", Integer.toString(tlsPort), "--tls-cert-file", tls.certificate().toString(),
                    "--tls-key-file", tls.key().toString(), "--tls-auth-clients", "no"));
        }
        process = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!answers()) {
            if (!process.isAlive()) {
                throw new IOException("redis-server on port " + port + " exited: " + (Files.exists(logFile) ? Files.readString(logFile) : ""));
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IOException("redis-server did not answer on port " + port + " within " + START_TIMEOUT);
            }
            Thread.sleep(20);   // a poll interval; the deadline decides
        }
    }

    /** True if the server answers PING. */
    private boolean answers() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            s.setSoTimeout(1000);
            s.getOutputStream().write("PING\r\n".getBytes());
            byte[] reply = s.getInputStream().readNBytes(7);
            return new String(reply).equals("+PONG\r\n");
        } catch (IOException e) {
            return false;
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** The TLS port's URL (started with {@link TlsFiles}). */
    public String tlsUrl() {
        if (tls == null) throw new IllegalStateException("this Redis was started without TLS");
        return "rediss://127.0.0.1:" + tlsPort;
    }

    /** SIGTERM (Redis's own orderly shutdown), then waits for it to exit. */
    public void stop() throws InterruptedException {
        end(false);
    }

    /** SIGKILL: the server vanishes mid-reply, as in a crash. */
    public void kill() throws InterruptedException {
        end(true);
    }

    private void end(boolean force) throws InterruptedException {
        if (process == null || !process.isAlive()) return;
        if (force) process.destroyForcibly();
        else process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}

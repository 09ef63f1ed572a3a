package dev.polyserve.process;

import dev.polyserve.core.Conn;
import dev.polyserve.core.Handler;
import dev.polyserve.core.LogLimiter;
import dev.polyserve.core.Service;
import dev.polyserve.core.engine.EngineContext;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code polyserve serve exec}: any program serves each connection, like ucspi-tcp's {@code tcpserver}. The
 * program's stdin is the peer's bytes, its stdout goes back to the peer, its stderr is the server's stderr, and
 * its environment names the peer ({@code TCPREMOTEIP}, {@code TCPREMOTEPORT}, {@code TCPLOCALIP},
 * {@code TCPLOCALPORT}, {@code PROTO=TCP}).
 *
 * <p>It is an ordinary {@link Service}, so the connection side runs on any model and gets every server option and
 * layer (idle timeout, write-queue limit, TLS, the HMAC gate); only the program runs in a process of its own. Two
 * virtual threads per connection pump the pipes, so a loop thread never waits on a program: bytes for the
 * program's stdin queue (reading pauses past {@link #PIPE_HIGH_WATER}), and its stdout waits for the connection's
 * write queue to drain past the same mark.
 *
 * <p>Every program exits: its stdin closes when the peer finishes sending; when the connection ends any other way
 * (peer gone, idle timeout, server stopping) it gets SIGTERM, then SIGKILL after {@link #KILL_GRACE}. The JDK's
 * process reaper collects each exit status, so no zombie outlives its connection.
 */
public final class ExecService implements Service {
    private static final Logger log = LoggerFactory.getLogger(ExecService.class);
    /** Refusals repeat per connection while the limit or a shortage lasts: a few lines per kind a minute. */
    private static final LogLimiter refusals =
            new LogLimiter(log, EngineContext.SHORTAGE_LOG_WINDOW, EngineContext.SHORTAGE_LINES_PER_WINDOW);

    /**
     * Default programs running at once: tcpserver's default is 40; a program costs megabytes and a PID, so a small
     * cap protects the machine ({@code --max-children}).
     */
    public static final int DEFAULT_MAX_CHILDREN = 40;
    /** Pump chunk: 64 KiB is a Linux pipe's default capacity, so one read can drain a full pipe. */
    static final int PUMP_BUFFER = 64 * 1024;
    /**
     * Bytes waiting in either direction before the producer waits: the peer's bytes for a program that reads slowly
     * (reading from the peer pauses), or a program's output for a peer that reads slowly (the pump stops reading
     * the pipe, so the program blocks on its writes, as it would on a slow terminal). Four pipe-fuls.
     */
    static final int PIPE_HIGH_WATER = 4 * PUMP_BUFFER;
    /** After SIGTERM, how long a program has to exit before SIGKILL: tcpserver sends no signal; systemd waits 90 s, we favour slots. */
    static final Duration KILL_GRACE = Duration.ofSeconds(5);

    private static final byte[] END_OF_INPUT = new byte[0];

    private final List<String> argv;
    private final int maxChildren;
    private final Set<Process> running = ConcurrentHashMap.newKeySet();
    /** Programs running or starting: reserved when a connection is admitted, released when its program exits. */
    private final AtomicInteger slots = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();

    /**
     * @param command     the program and its arguments; a name without a slash is looked up in {@code PATH}
     * @param maxChildren programs alive at once; a connection beyond it is closed at once with a log line
     * @throws IllegalArgumentException when the command does not exist or is not executable (one clear sentence)
     */
    public ExecService(List<String> command, int maxChildren) {
        if (command.isEmpty()) throw new IllegalArgumentException("exec needs a command to run for each connection");
        if (maxChildren < 1) throw new IllegalArgumentException("--max-children must be at least 1");
        List<String> a = new ArrayList<>(command);
        a.set(0, resolve(command.getFirst()).toString());
        this.argv = List.copyOf(a);
        this.maxChildren = maxChildren;
    }

    /** The command line each connection runs, its program resolved. */
    public List<String> command() {
        return argv;
    }

    /** Programs running right now. */
    public int runningChildren() {
        return running.size();
    }

    /** Their process ids (tests look them up in /proc). */
    public Set<Long> childPids() {
        Set<Long> pids = new HashSet<>();
        for (Process p : running) pids.add(p.pid());
        return pids;
    }

    /** Connections closed because {@code maxChildren} programs were running. */
    public long refusedForChildren() {
        return refused.get();
    }

    @Override
    public Handler newHandler() {
        return new Child();
    }

    /**
     * The program to run, as a path: a name with a slash must be an executable file; a bare name is looked up in
     * {@code PATH} like a shell does.
     */
    static Path resolve(String program) {
        if (program.contains("/")) {
            Path p = Path.of(program);
            if (!Files.exists(p)) throw new IllegalArgumentException("exec: command not found: " + program);
            if (Files.isDirectory(p) || !Files.isExecutable(p)) {
                throw new IllegalArgumentException("exec: not an executable file: " + program);
            }
            return p.toAbsolutePath();
        }
        String path = Objects.requireNonNullElse(System.getenv("PATH"), "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
        }
        throw new IllegalArgumentException("exec: command not found in PATH: " + program);
    }

    /** ucspi-tcp's environment for the program (tcpserver sets these; inetd-style programs read them). */
    static Map<String, String> peerEnvironment(InetSocketAddress remote, InetSocketAddress local) {
        return Map.of(
                "PROTO", "TCP",
                "TCPREMOTEIP", remote.getAddress().getHostAddress(),
                "TCPREMOTEPORT", Integer.toString(remote.getPort()),
                "TCPLOCALIP", local.getAddress().getHostAddress(),
                "TCPLOCALPORT", Integer.toString(local.getPort()));
    }

    /**
     * One connection and its program. Handler calls come serialised; a virtual thread starts the program (a
     * {@code fork}/{@code exec} must not hold up a loop thread) and then feeds its stdin, another drains its stdout.
     */
    private final class Child implements Handler {
        /** The peer's bytes for the program's stdin, in order; {@link #END_OF_INPUT} marks the end. */
        private final LinkedBlockingQueue<byte[]> toProgram = new LinkedBlockingQueue<>();
        private final AtomicLong toProgramBytes = new AtomicLong();
        private volatile boolean readingPaused;
        /** Set by the starting thread once the program runs. */
        private volatile Process process;
        /** The connection is gone; a program started after this is stopped at once. */
        private volatile boolean ended;
        private boolean admitted;
        /** The output pump waits here for the connection's write queue to drain. */
        private final ReentrantLock drainLock = new ReentrantLock();
        private final Condition drained = drainLock.newCondition();

        @Override
        public void onOpen(Conn conn) {
            if (slots.incrementAndGet() > maxChildren) {
                slots.decrementAndGet();
                refused.incrementAndGet();
                refusals.warn("children", "exec: refused {}: the limit of {} programs running is reached (--max-children)",
                        conn.remote(), maxChildren);
                conn.close();
                return;
            }
            admitted = true;
            Thread.ofVirtual().name("polyserve-exec-" + conn.remote()).start(() -> run(conn));
        }

        private void run(Conn conn) {
            ProcessBuilder pb = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().putAll(peerEnvironment((InetSocketAddress) conn.remote(), (InetSocketAddress) conn.local()));
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                slots.decrementAndGet();
                refusals.warn("start", "exec: cannot start {} for {}: {}", argv.getFirst(), conn.remote(), e.getMessage());
                conn.close();
                return;
            }
            running.add(p);
            p.onExit().thenAccept(done -> {
                running.remove(done);
                slots.decrementAndGet();
                int status = done.exitValue();
                if (status != 0) log.info("exec: pid {} for {} exited with status {}", done.pid(), conn.remote(), status);
                else log.debug("exec: pid {} for {} exited", done.pid(), conn.remote());
            });
            process = p;
            if (ended) terminate(p);   // the peer left while the program was starting
            Thread.ofVirtual().name("polyserve-exec-" + p.pid() + "-out").start(() -> pumpFromProgram(conn, p));
            pumpToProgram(conn, p);
        }

        @Override
        public void onRead(Conn conn, ByteBuffer in) {
            byte[] chunk = new byte[in.remaining()];
            in.get(chunk);
            if (!admitted) return;
            toProgram.add(chunk);
            if (toProgramBytes.addAndGet(chunk.length) > PIPE_HIGH_WATER) {
                readingPaused = true;
                conn.pauseReading();
            }
        }

        /** The peer finished sending: the program sees EOF on stdin once what came before is written. */
        @Override
        public void onReadEnd(Conn conn) {
            if (admitted) toProgram.add(END_OF_INPUT);
            else conn.close();
        }

        @Override
        public void onDrained(Conn conn) {
            drainLock.lock();
            try {
                drained.signalAll();
            } finally {
                drainLock.unlock();
            }
        }

        /** The server is stopping: ask the program to finish; its exit ends the connection once its output is sent. */
        @Override
        public void onShutdown(Conn conn) {
            Process p = process;
            if (p != null) p.destroy();
            else conn.close();
        }

        @Override
        public void onClose(Conn conn, Throwable cause) {
            ended = true;
            toProgram.add(END_OF_INPUT);   // wakes the input pump, which closes stdin
            onDrained(conn);               // wakes the output pump, which sees the connection closed
            Process p = process;
            if (p != null) terminate(p);
        }

        /** SIGTERM, then SIGKILL if the program has not exited within {@link #KILL_GRACE}. */
        private void terminate(Process p) {
            if (!p.isAlive()) return;
            p.destroy();
            p.onExit().orTimeout(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS).exceptionally(timeout -> {
                log.warn("exec: pid {} did not exit within {} of SIGTERM; killing it", p.pid(), KILL_GRACE);
                p.destroyForcibly();
                return null;
            });
        }

        /** The peer's bytes become the program's stdin; the peer's EOF becomes the program's EOF. */
        private void pumpToProgram(Conn conn, Process p) {
            try (OutputStream stdin = p.getOutputStream()) {
                while (true) {
                    byte[] chunk = toProgram.take();
                    if (chunk == END_OF_INPUT) return;
                    stdin.write(chunk);
                    stdin.flush();
                    if (toProgramBytes.addAndGet(-chunk.length) <= PIPE_HIGH_WATER / 2 && readingPaused) {
                        readingPaused = false;
                        conn.resumeReading();
                    }
                }
            } catch (IOException e) {
                // The program stopped reading (EPIPE): what the peer sends from now on is dropped, as a pipe would.
                log.debug("exec: pid {} input ended: {}", p.pid(), e.getMessage());
                if (readingPaused) conn.resumeReading();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** The program's stdout goes to the peer; when it ends (the program exited), the connection closes. */
        private void pumpFromProgram(Conn conn, Process p) {
            try (InputStream stdout = p.getInputStream()) {
                byte[] buf = new byte[PUMP_BUFFER];
                for (int n; (n = stdout.read(buf)) >= 0 && conn.isOpen(); ) {
                    conn.write(ByteBuffer.wrap(Arrays.copyOf(buf, n)));
                    awaitRoom(conn);
                }
            } catch (IOException e) {
                log.debug("exec: pid {} output ended: {}", p.pid(), e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            conn.close();   // after the queued output is flushed
        }

        /** Waits while the connection holds more than the high-water mark of unsent output. */
        private void awaitRoom(Conn conn) throws InterruptedException {
            drainLock.lock();
            try {
                while (conn.isOpen() && conn.queuedBytes() > PIPE_HIGH_WATER) {
                    // onDrained signals; the bound re-checks in case the queue emptied between the check and the wait.
                    drained.await(100, TimeUnit.MILLISECONDS);
                }
            } finally {
                drainLock.unlock();
            }
        }
    }
}

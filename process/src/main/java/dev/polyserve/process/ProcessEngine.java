package dev.polyserve.process;

import dev.polyserve.core.Engine;
import dev.polyserve.core.ServerConfig;
import dev.polyserve.core.ServerStats;
import dev.polyserve.core.Service;
import dev.polyserve.core.engine.EngineContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@code process} model: a process per connection, as in the course's fork-per-client server and inetd.
 * In the master, every accepted connection starts a child JVM whose stdin/stdout carry its bytes; in that child
 * (environment {@code POLYSERVE_ROLE=stdio}) this same engine serves the one connection over stdin/stdout with the
 * service's handler and exits when it closes.
 */
final class ProcessEngine implements Engine {
    private static final Logger log = LoggerFactory.getLogger(ProcessEngine.class);

    /**
     * Start-up options for per-connection child JVMs: a child lives for one connection, so the C1 compiler alone
     * (no C2 warm-up threads) and the serial collector (no GC worker threads) start faster and cost less.
     * {@link ChildLauncher} adds the options every child gets ({@link ChildLauncher#EVERY_CHILD_JVM_OPTIONS}).
     */
    static final List<String> CHILD_JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k",
            // The child's stdout is the connection: HotSpot's own messages and unified logging, which default to
            // stdout, go to stderr instead.
            "-XX:+DisplayVMOutputToStderr", "-Xlog:disable", "-Xlog:all=warning:stderr",
            // A training child's archive dump lists every class it skips: routine, not worth a warning per line.
            "-Xlog:cds*=off:stderr", "-Xlog:aot*=off:stderr",
            // Threads that cannot start: the engine refuses and logs (rate-limited); HotSpot's two lines each, not.
            "-Xlog:os+thread=off:stderr");

    /** How long an aborted connection may take to run its handler's onClose before the child exits anyway. */
    private static final Duration CLOSE_LIMIT = Duration.ofSeconds(5);

    /** How long a finished child waits for its launching thread to settle before exiting anyway. */
    private static final Duration SETTLE_LIMIT = Duration.ofSeconds(2);

    private ChildPerConnection master;
    private StdioConnection child;
    private CompletableFuture<Void> childDone;
    private InetSocketAddress localAddress;
    private volatile boolean stopping;

    @Override
    public void start(ServerConfig config, Service service, ServerStats stats) throws IOException {
        var role = ChildRole.current();
        if (role.isPresent() && role.get() instanceof ChildRole.Stdio stdio) {
            startChild(config, service, stats, stdio);
            return;
        }
        ChildLauncher launcher = ChildLauncher.create("stdio", config, service, CHILD_JVM_OPTIONS);
        var settings = new ChildPerConnection.Settings("process", config.address(), config.backlog(),
                config.maxConnections(), service.refusal());
        master = new ChildPerConnection(settings,
                peer -> launcher.start(peer.environment(), ProcessBuilder.Redirect.PIPE, ProcessBuilder.Redirect.PIPE),
                stats);
        master.start();
        localAddress = master.localAddress();
        Path archive = launcher.cds().path();
        log.info("process: each connection runs a child JVM ({})", archive != null ? "CDS archive " + archive
                : "no CDS archive: the class path has directories, or -Dpolyserve.cds=off");
    }

    private void startChild(ServerConfig config, Service service, ServerStats stats, ChildRole.Stdio stdio) {
        localAddress = stdio.local();
        child = StdioConnection.overStandardStreams(new EngineContext("process", config, service, stats),
                service.newHandler(), stdio.remote(), stdio.local());
        Thread launching = Thread.currentThread();
        childDone = child.start();
        childDone.whenComplete((ok, err) -> {
            // This process existed for this one connection. During a shutdown the JVM is exiting already.
            if (!stopping) Thread.ofPlatform().name("polyserve-process-exit").start(() -> exitWhenSettled(launching));
        });
    }

    /**
     * Exits once the thread that started this engine has finished its set-up (it parks in {@code awaitStopped} or
     * ends), so a connection that closes within milliseconds does not cut the caller's start-up short (e.g. a
     * shutdown hook being registered). Bounded: a caller that keeps running does not keep the child alive.
     */
    private static void exitWhenSettled(Thread launching) {
        long deadline = System.nanoTime() + SETTLE_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            Thread.State s = launching.getState();
            if (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || s == Thread.State.TERMINATED) break;
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);   // 0.2 ms: a cheap poll of a thread state
        }
        System.exit(0);
    }

    /** Child processes alive (master only; tests). */
    int activeChildren() {
        return master == null ? 0 : master.activeChildren();
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public void shutdown(Duration grace) {
        stopping = true;
        if (master != null) {
            master.shutdown(grace);
        } else if (child != null) {
            child.shutdown(grace);   // asks the handler, waits up to grace, aborts what is left
            try {
                childDone.get(CLOSE_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                log.warn("connection {} did not close within {} of its abort", child.remote(), CLOSE_LIMIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                child.abort();
            } catch (ExecutionException e) {
                log.debug("connection ended with an error", e.getCause());
            }
        }
    }
}

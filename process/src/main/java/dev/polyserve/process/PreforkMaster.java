package dev.polyserve.process;

import dev.polyserve.core.Engines;
import dev.polyserve.core.ServerConfig;
import dev.polyserve.core.Service;
import dev.polyserve.core.SharedState;
import dev.polyserve.process.ipc.MessageChannel;
import dev.polyserve.process.ipc.MessageListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The prefork master (nginx style): starts N worker JVMs that each listen on the same port with SO_REUSEPORT,
 * and supervises them. It never accepts a connection itself.
 *
 * <ul>
 *   <li>The port is reserved first with a bound, non-listening SO_REUSEPORT socket: port 0 becomes a real port
 *       every worker can bind, the port stays ours while workers come and go, and the kernel never routes a
 *       connection to it (only listening sockets join the reuseport group).</li>
 *   <li>Workers report {@code ready} over a {@link MessageChannel} (a Unix domain socket); the master is ready,
 *       and prints its one {@code listening on} line, when all N are.</li>
 *   <li>A worker that exits unasked is replaced at once (logged with its exit status); one that keeps dying
 *       young is restarted with exponential back-off instead of hot.</li>
 *   <li>Every worker is a {@link Process}: the JDK's reaper thread waits for it, so none stays a zombie.</li>
 *   <li>A service with {@link SharedState} gets its hub here; each worker links to it over a second channel.</li>
 *   <li>SIGHUP: a rolling restart, one slot at a time, a new worker ready before the old one drains, so the
 *       port always has a listener.</li>
 * </ul>
 */
final class PreforkMaster {
    private static final Logger log = LoggerFactory.getLogger(PreforkMaster.class);

    /** A worker must be serving within this long: a JVM start plus an engine start on a busy two-core machine. */
    static final Duration WORKER_START_TIMEOUT = Duration.ofSeconds(60);
    /** A worker that lived at least this long was healthy; its exit does not count towards a crash loop. */
    static final Duration HEALTHY_UPTIME = Duration.ofSeconds(10);
    /** Wait before the second quick restart of a slot; doubles with each further quick exit. */
    static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    /** Longest wait between restarts of a crash-looping slot: long enough to stop burning CPU, short enough to heal. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** How long a worker drains after SIGHUP: long transfers finish, a stuck connection does not hold the restart. */
    static final Duration ROLLING_DRAIN_GRACE = Duration.ofSeconds(30);
    /** Past a drain deadline, how long a worker's JVM gets to exit before SIGKILL. */
    static final Duration EXIT_MARGIN = Duration.ofSeconds(5);
    /** More worker JVMs than this is a typo, not a plan (each costs tens of MiB). */
    static final int MAX_WORKERS = 256;

    private static final AtomicInteger instances = new AtomicInteger();

    /**
     * The slot number of the warm spare: a worker JVM started ahead of need, its classes loaded, waiting on its
     * channel. A JVM takes a second or more to start on a busy machine; a spare binds and serves in milliseconds,
     * so a dead worker's slot is served again at once and a new spare is started behind it.
     */
    static final int SPARE = -1;

    /** One worker process and the row of the stats table it owns. */
    private static final class Worker {
        /** The slot served, or {@link #SPARE} while this is the warm spare. Supervisor thread writes. */
        volatile int slot;
        final int row;
        final Process process;
        final long startedNanos = System.nanoTime();
        final CompletableFuture<Void> ready = new CompletableFuture<>();
        /** A spare completes this when its JVM is up and waiting for {@code serve}. */
        final CompletableFuture<Void> standingBy = new CompletableFuture<>();
        volatile MessageChannel channel;
        volatile boolean retiring;

        Worker(int slot, int row, Process process) {
            this.slot = slot;
            this.row = row;
            this.process = process;
        }

        long pid() {
            return process.pid();
        }
    }

    private final ServerConfig config;
    private final int workerCount;
    private final String workerModel;
    private final Service service;
    private final Map<Integer, Worker> byRow = new ConcurrentHashMap<>();
    private final int[] quickExits;
    private int spareExits;   // supervisor thread only
    private final ScheduledExecutorService supervisor =
            Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("polyserve-prefork-supervisor").daemon().unstarted(r));
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean restarting = new AtomicBoolean();
    private SocketChannel portHold;
    private InetSocketAddress address;
    private MessageListener listener;
    private PreforkStats table;
    private ChildLauncher launcher;
    /** The service's state shared by all workers, or null if it has none. */
    private SharedState.Hub hub;

    PreforkMaster(ServerConfig config, Service service) {
        if (config.workersOr(ServerConfig.cores()) > MAX_WORKERS) {
            throw new IllegalArgumentException("--workers " + config.workers() + " is more than " + MAX_WORKERS + " worker processes");
        }
        this.config = config;
        this.service = service;
        this.workerCount = config.workersOr(ServerConfig.cores());
        this.workerModel = config.workerModel();
        this.quickExits = new int[workerCount];
    }

    /** Reserves the port, starts the workers and returns once every one of them serves. */
    void start() throws IOException {
        requireWorkerModel();
        portHold = SocketChannel.open();
        try {
            portHold.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            portHold.bind(config.address());
            address = (InetSocketAddress) portHold.getLocalAddress();
            Path dir = ProcessModels.runtimeDirectory();
            String name = "prefork-" + ProcessHandle.current().pid() + "-" + instances.incrementAndGet();
            // Rows: N workers, N more while a rolling restart overlaps old and new, and the spare.
            table = PreforkStats.create(dir.resolve(name + ".stats"), ProcessHandle.current().pid(), address.getPort(),
                    2 * workerCount + 1);
            SharedState shared = service.sharedState();
            if (shared != null) hub = shared.openHub();
            listener = MessageListener.bind(dir.resolve(name + ".sock"));
            launcher = ChildLauncher.create("prefork-worker", config, service, List.of(
                    "-XX:ActiveProcessorCount=" + processorsPerWorker(ServerConfig.cores(), workerCount)));
            Thread.ofPlatform().name("polyserve-prefork-channels").daemon().start(this::acceptChannels);
            warnIfQueuedConnectionsAreLostOnExit();

            List<Worker> first = new ArrayList<>();
            for (int slot = 0; slot < workerCount; slot++) first.add(onSupervisor(slot, this::spawn));
            long deadline = System.nanoTime() + WORKER_START_TIMEOUT.toNanos();
            for (Worker w : first) awaitReady(w, deadline);
            onSupervisor(SPARE, this::spawn);
        } catch (IOException | RuntimeException e) {
            shutdown(Duration.ZERO);
            throw e;
        }
        Signals.restartOnHangup(this);
        log.info("prefork: {} workers running {} on {} (stats {})", workerCount, workerModel, address, table.file());
    }

    /**
     * The processors each worker JVM is told it has: the machine's share per worker, at least one. A worker's engine
     * sizes its per-core defaults (event loops) and the JVM its GC and JIT threads by this, so N workers split the
     * machine instead of each claiming all of it: nginx's one event loop per worker process, with the defaults.
     */
    static int processorsPerWorker(int cores, int workers) {
        return Math.max(1, cores / workers);
    }

    /** Fails fast in the master, with one sentence, instead of N times in the workers. */
    private void requireWorkerModel() {
        var listing = Engines.all().stream().filter(l -> l.name().equals(workerModel)).findFirst();
        if (listing.isEmpty()) {
            throw new IllegalArgumentException("unknown --worker-model '" + workerModel + "'; available here: "
                    + String.join(", ", Engines.availableNames()));
        }
        if (listing.get().unavailableReason().isPresent()) {
            throw new IllegalArgumentException("--worker-model " + workerModel + " is not available here: "
                    + listing.get().unavailableReason().get());
        }
    }

    private void awaitReady(Worker w, long deadlineNanos) throws IOException {
        try {
            w.ready.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IOException("prefork worker pid " + w.pid() + " was not serving after " + WORKER_START_TIMEOUT);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while workers started", e);
        }
    }

    InetSocketAddress localAddress() {
        return address;
    }

    Path statsFile() {
        return table.file();
    }

    /** The pids of the workers alive now (tests, status). */
    List<Long> workerPids() {
        return byRow.values().stream().map(Worker::pid).toList();
    }

    /** Workers serving now (not draining). */
    long readyWorkers() {
        return byRow.values().stream().filter(w -> !w.retiring && w.ready.isDone() && !w.ready.isCompletedExceptionally()).count();
    }

    // ---- supervision (all state changes run on the supervisor thread) ----

    private <T> T onSupervisor(int slot, java.util.function.IntFunction<T> action) throws IOException {
        try {
            return supervisor.submit(() -> action.apply(slot)).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Starts a worker for {@code slot} in a free row. Supervisor thread only. */
    private Worker spawn(int slot) {
        int row = 0;
        while (byRow.containsKey(row)) row++;
        Process p;
        try {
            p = launcher.start(Map.of(
                            ChildRole.PORT, Integer.toString(address.getPort()),
                            ChildRole.WORKER_MODEL, workerModel,
                            ChildRole.WORKER_SLOT, Integer.toString(row),
                            ChildRole.CONTROL_SOCKET, listener.path().toString(),
                            ChildRole.STATS_FILE, table.file().toString(),
                            ChildRole.WORKER_SPARE, Boolean.toString(slot == SPARE)),
                    ProcessBuilder.Redirect.from(new File("/dev/null")),
                    // The master's stdout, so what a worker prints there (an access log) reaches the user; a worker
                    // knows it is one (ProcessModels.inChildProcess) and leaves the "listening on" line to the master.
                    ProcessBuilder.Redirect.INHERIT);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a prefork worker: " + e.getMessage(), e);
        }
        Worker w = new Worker(slot, row, p);
        byRow.put(row, w);
        table.claim(row, p.pid());
        p.onExit().thenRunAsync(() -> exited(w), supervisor);
        log.debug("prefork: started worker pid {} for slot {} (row {})", p.pid(), slot, row);
        return w;
    }

    /** A worker process ended (it has been reaped). Supervisor thread. */
    private void exited(Worker w) {
        byRow.remove(w.row);
        table.retire(w.row);
        String status = describe(w.process.exitValue());
        if (!w.ready.isDone()) {
            w.ready.completeExceptionally(new IOException("prefork worker pid " + w.pid() + " exited with "
                    + status + " before it was serving (its log is above)"));
        }
        closeQuietly(w.channel);
        if (w.retiring || stopping.get()) {
            log.info("prefork: worker pid {} (slot {}) finished with {}", w.pid(), w.slot, status);
            return;
        }
        if (w.slot == SPARE) {
            // A spare that dies young is not respawned hot either: it shares the crash-loop back-off of slot 0.
            Duration lived = Duration.ofNanos(System.nanoTime() - w.startedNanos);
            spareExits = lived.compareTo(HEALTHY_UPTIME) < 0 ? spareExits + 1 : 1;
            Duration delay = backoff(spareExits);
            log.warn("prefork: spare worker pid {} exited with {}; a new spare in {} ms", w.pid(), status, delay.toMillis());
            supervisor.schedule(this::replaceSpare, delay.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        Duration lived = Duration.ofNanos(System.nanoTime() - w.startedNanos);
        quickExits[w.slot] = lived.compareTo(HEALTHY_UPTIME) < 0 ? quickExits[w.slot] + 1 : 1;
        Duration delay = backoff(quickExits[w.slot]);
        if (delay.isZero()) {
            Optional<Worker> spare = standingSpare();
            if (spare.isPresent() && promote(spare.get(), w.slot)) {
                log.warn("prefork: worker pid {} (slot {}) exited with {}; the spare pid {} serves it now",
                        w.pid(), w.slot, status, spare.get().pid());
                table.workerReplaced();
                replaceSpare();
                return;
            }
            log.warn("prefork: worker pid {} (slot {}) exited with {}; replacing it", w.pid(), w.slot, status);
        } else {
            log.warn("prefork: worker pid {} (slot {}) exited with {}, {} quick exits in a row: crash loop, next start in {} ms",
                    w.pid(), w.slot, status, quickExits[w.slot], delay.toMillis());
        }
        supervisor.schedule(() -> replace(w.slot), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The spare, if one is up and waiting. */
    private Optional<Worker> standingSpare() {
        return byRow.values().stream()
                .filter(w -> w.slot == SPARE && !w.retiring && w.standingBy.isDone() && w.process.isAlive()).findFirst();
    }

    /** Tells the spare to serve {@code slot}. Supervisor thread. */
    private boolean promote(Worker spare, int slot) {
        try {
            spare.channel.send("serve");
            spare.slot = slot;
            return true;
        } catch (IOException e) {
            log.warn("prefork: spare pid {} did not take the slot: {}", spare.pid(), e.getMessage());
            return false;
        }
    }

    /** Starts a new spare unless one is there. Supervisor thread. */
    private void replaceSpare() {
        if (stopping.get() || byRow.values().stream().anyMatch(w -> w.slot == SPARE && !w.retiring)) return;
        try {
            spawn(SPARE);
        } catch (RuntimeException e) {
            spareExits++;
            log.error("prefork: {}; retrying the spare", e.getMessage());
            supervisor.schedule(this::replaceSpare, backoff(spareExits).toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Starts the replacement worker for {@code slot}; a failure to even start counts as a quick exit. */
    private void replace(int slot) {
        if (stopping.get()) return;
        try {
            spawn(slot);
            table.workerReplaced();
        } catch (RuntimeException e) {
            quickExits[slot]++;
            log.error("prefork: {}; retrying slot {}", e.getMessage(), slot);
            supervisor.schedule(() -> replace(slot), backoff(quickExits[slot]).toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** No wait after one exit; then FIRST_BACKOFF, doubling, capped at MAX_BACKOFF. */
    static Duration backoff(int quickExitsInARow) {
        if (quickExitsInARow <= 1) return Duration.ZERO;
        long ms = FIRST_BACKOFF.toMillis() << Math.min(20, quickExitsInARow - 2);
        return Duration.ofMillis(Math.min(ms, MAX_BACKOFF.toMillis()));
    }

    /** An exit status as a person reads it: the JDK reports death by signal N as 128+N. */
    static String describe(int status) {
        if (status > 128 && status < 128 + 65) {
            int sig = status - 128;
            String name = switch (sig) {
                case 9 -> "SIGKILL";
                case 15 -> "SIGTERM";
                case 6 -> "SIGABRT";
                case 11 -> "SIGSEGV";
                case 2 -> "SIGINT";
                case 1 -> "SIGHUP";
                default -> "signal " + sig;
            };
            return "status " + status + " (killed by " + name + ")";
        }
        return "status " + status;
    }

    // ---- the control channel ----

    private void acceptChannels() {
        while (!stopping.get()) {
            MessageChannel ch;
            try {
                ch = listener.accept();
            } catch (IOException e) {
                if (!stopping.get()) log.warn("prefork: control socket failed: {}", e.getMessage());
                return;
            }
            Thread.ofVirtual().name("polyserve-prefork-channel").start(() -> serveChannel(ch));
        }
    }

    /**
     * Messages from one worker: {@code spare ROW PID} (a spare is up and waiting), {@code ready ROW PID} (it serves).
     * The channel then stays open: its end tells a worker the master left. A channel that opens with
     * {@code hub ROW PID} is instead that worker's link to the service's {@link SharedState.Hub}.
     */
    private void serveChannel(MessageChannel ch) {
        try {
            for (Optional<String> msg = ch.receiveText(); msg.isPresent(); msg = ch.receiveText()) {
                String[] words = msg.get().split(" ");
                Worker w = words.length == 3 && (words[0].equals("ready") || words[0].equals("spare") || words[0].equals("hub"))
                        ? byRow.get(Integer.parseInt(words[1])) : null;
                if (w == null || w.pid() != Long.parseLong(words[2]) || (words[0].equals("hub") && hub == null)) {
                    log.warn("prefork: unexpected message on the control socket: {}", msg.get());
                    ch.close();
                    return;
                }
                if (words[0].equals("hub")) {
                    serveHubLink(w, ch);
                    return;
                }
                w.channel = ch;
                if (words[0].equals("spare")) {
                    w.standingBy.complete(null);
                    log.debug("prefork: spare pid {} is standing by", w.pid());
                } else {
                    w.ready.complete(null);
                    log.debug("prefork: worker pid {} (slot {}) is serving", w.pid(), w.slot);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("prefork: control channel ended: {}", e.toString());
        } finally {
            closeQuietly(ch);   // the worker is gone (or spoke nonsense): release our end
        }
    }

    /** Carries one worker's shared-state messages to the hub until the link ends (the worker exited, usually). */
    private void serveHubLink(Worker w, MessageChannel ch) throws IOException {
        ChannelOutbox toWorker = new ChannelOutbox("prefork worker pid " + w.pid());
        toWorker.start(ch);
        SharedState.Inbox fromWorker = hub.workerAttached(toWorker);
        log.debug("prefork: worker pid {} linked to the hub", w.pid());
        try {
            for (List<byte[]> batch = ch.receiveAvailable(); !batch.isEmpty(); batch = ch.receiveAvailable()) fromWorker.receive(batch);
        } finally {
            toWorker.close();
            fromWorker.closed();
        }
    }

    /**
     * Asks a worker to stop accepting and finish within {@code grace}; SIGTERM when it has no channel. A spare with no
     * channel is still booting its JVM and holds nothing (it binds only when told to serve): it is killed outright,
     * since a JVM that SIGTERM finds half-booted prints the JDK's own "Runtime.exit logging failed" line.
     */
    private void drain(Worker w, Duration grace) {
        w.retiring = true;
        MessageChannel ch = w.channel;
        try {
            if (ch == null) throw new IOException("no channel yet");
            ch.send("drain " + grace.toMillis());
        } catch (IOException e) {
            if (w.slot == SPARE) w.process.destroyForcibly();
            else w.process.destroy();   // SIGTERM: the worker's shutdown hook drains it
        }
    }

    // ---- SIGHUP: rolling restart ----

    void rollingRestartAsync() {
        if (stopping.get()) return;
        if (!restarting.compareAndSet(false, true)) {
            log.info("prefork: a rolling restart is already running; ignoring this one");
            return;
        }
        Thread.ofPlatform().name("polyserve-prefork-restart").daemon().start(() -> {
            try {
                rollingRestart();
            } finally {
                restarting.set(false);
            }
        });
    }

    /** For every slot: start a new worker, wait until it serves, then drain the old one. */
    void rollingRestart() {
        log.info("prefork: rolling restart of {} workers", workerCount);
        for (int slot = 0; slot < workerCount && !stopping.get(); slot++) {
            final int s = slot;
            List<Worker> old = byRow.values().stream().filter(w -> w.slot == s && !w.retiring).toList();
            Worker fresh;
            try {
                fresh = onSupervisor(slot, this::spawn);
                awaitReady(fresh, System.nanoTime() + WORKER_START_TIMEOUT.toNanos());
            } catch (IOException | RuntimeException e) {
                log.error("prefork: rolling restart stopped at slot {}: {}; the old workers keep serving", slot, e.getMessage());
                return;
            }
            for (Worker w : old) {
                drain(w, ROLLING_DRAIN_GRACE);
                killIfStillRunningAfter(w, ROLLING_DRAIN_GRACE.plus(EXIT_MARGIN));
            }
            log.info("prefork: slot {} now served by pid {}", slot, fresh.pid());
        }
        // The spare runs the old code too: replace it as well.
        List<Worker> oldSpares = byRow.values().stream().filter(w -> w.slot == SPARE && !w.retiring).toList();
        for (Worker w : oldSpares) drain(w, ROLLING_DRAIN_GRACE);
        try {
            onSupervisor(SPARE, slot -> { replaceSpare(); return null; });
        } catch (IOException | RuntimeException e) {
            log.warn("prefork: no new spare after the rolling restart: {}", e.getMessage());
        }
        log.info("prefork: rolling restart done");
    }

    private void killIfStillRunningAfter(Worker w, Duration limit) {
        supervisor.schedule(() -> {
            if (w.process.isAlive()) {
                log.warn("prefork: worker pid {} still running {} after drain; killing it", w.pid(), limit);
                w.process.destroyForcibly();
            }
        }, limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    // ---- stop ----

    /** Drains every worker within {@code grace}, kills the stragglers, reaps all, removes the files. Idempotent. */
    void shutdown(Duration grace) {
        if (!stopping.compareAndSet(false, true)) return;
        Signals.forget(this);
        List<Worker> all = new ArrayList<>(byRow.values());
        for (Worker w : all) drain(w, grace);
        long deadline = System.nanoTime() + grace.plus(EXIT_MARGIN).toNanos();
        for (Worker w : all) {
            try {
                if (!w.process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    log.warn("prefork: worker pid {} did not exit after draining; killing it", w.pid());
                    w.process.destroyForcibly();
                    w.process.waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                w.process.destroyForcibly();
            }
        }
        // Every worker is reaped: pending work (kill timers of a rolling restart, replacements) is moot.
        supervisor.shutdownNow();
        for (Worker w : all) closeQuietly(w.channel);
        try {
            supervisor.awaitTermination(EXIT_MARGIN.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(listener);
        closeQuietly(portHold);
        if (table != null) {
            table.close();
            try {
                Files.deleteIfExists(table.file());
            } catch (IOException e) {
                log.debug("cannot remove {}: {}", table.file(), e.getMessage());
            }
        }
    }

    private void warnIfQueuedConnectionsAreLostOnExit() {
        try {
            String v = Files.readString(Path.of("/proc/sys/net/ipv4/tcp_migrate_req")).trim();
            if (v.equals("0")) {
                log.warn("prefork: net.ipv4.tcp_migrate_req=0: connections a worker had queued but not accepted are"
                        + " reset when it exits; `sysctl -w net.ipv4.tcp_migrate_req=1` hands them to the other workers");
            }
        } catch (IOException e) {
            log.debug("cannot read tcp_migrate_req: {}", e.getMessage());
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception ignored) {
            // Best effort on the way out.
        }
    }
}

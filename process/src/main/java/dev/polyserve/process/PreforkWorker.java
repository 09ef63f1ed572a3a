package dev.polyserve.process;

import dev.polyserve.core.Engine;
import dev.polyserve.core.Engines;
import dev.polyserve.core.ServerConfig;
import dev.polyserve.core.ServerStats;
import dev.polyserve.core.Service;
import dev.polyserve.core.SharedState;
import dev.polyserve.process.ipc.MessageChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One prefork worker: runs an in-process engine on the shared port (SO_REUSEPORT), publishes its counters into the
 * master's shared segment, and obeys the master's channel: {@code drain MILLIS} (or the channel closing, meaning
 * the master is gone) stops accepting, lets open connections finish for that long and exits. A service with
 * {@link SharedState} also gets a second channel, the hub link, for its own messages.
 */
final class PreforkWorker {
    private static final Logger log = LoggerFactory.getLogger(PreforkWorker.class);

    /** How often counters reach the shared segment: fresh enough for a human running {@code status}, cheap. */
    static final Duration PUBLISH_INTERVAL = Duration.ofMillis(100);
    /** Drain time when the master vanished without saying how long (it was killed): the library's default grace. */
    static final Duration ORPHAN_GRACE = Duration.ofSeconds(5);

    /** How long a stopping worker waits for its last messages to the hub to be written: they are a few lines. */
    static final Duration HUB_FLUSH_LIMIT = Duration.ofSeconds(1);

    private final ChildRole.Worker role;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicBoolean exiting = new AtomicBoolean();
    private Engine engine;
    private PreforkStats table;
    private ServerStats stats;
    private MessageChannel channel;
    private ScheduledExecutorService publisher;
    /** The link to the master's hub, when the service shares state across workers. */
    private ChannelOutbox toHub;
    private SharedState.Inbox fromHub;

    PreforkWorker(ChildRole.Worker role) {
        this.role = role;
    }

    void start(ServerConfig config, Service service, ServerStats stats) throws IOException {
        this.stats = stats;
        Signals.ignoreHangup();
        // The channel first: a spare waits on it before it binds anything.
        channel = MessageChannel.connect(role.control());
        table = PreforkStats.attach(role.statsFile());
        // A metrics endpoint in this worker speaks for the whole server: every worker's row in the shared segment.
        stats.wholeServer(() -> table.totals(role.slot(), stats));
        engine = Engines.create(role.model());   // loads the engine's classes, also while standing by
        if (role.spare() && !standBy()) {
            System.exit(0);   // told to drain (or the master left) before ever serving: nothing to finish
        }
        SharedState shared = service.sharedState();
        if (shared != null) {
            // Attached before the first connection; what the service sends waits until the hub link is up.
            toHub = new ChannelOutbox("the prefork master");
            fromHub = shared.attachWorker(toHub);
        }
        ServerConfig inner = new ServerConfig(new InetSocketAddress(config.address().getAddress(), role.port()),
                role.model(), config.idleTimeout(), config.maxConnections(), config.writeQueueLimit(),
                0 /* the worker model's own default */, config.backlog(), true, config.workerModel(), List.of());
        engine.start(inner, service, stats);
        table.publish(role.slot(), stats);
        publisher = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("polyserve-prefork-stats").daemon().unstarted(r));
        publisher.scheduleAtFixedRate(() -> table.publish(role.slot(), stats),
                PUBLISH_INTERVAL.toMillis(), PUBLISH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        channel.send("ready " + role.slot() + " " + ProcessHandle.current().pid());
        table.setRow(role.slot(), PreforkStats.R_STATE, PreforkStats.READY);   // "serving" once the master knows
        if (shared != null) linkToHub();
        Thread.ofPlatform().name("polyserve-prefork-master").daemon().start(this::obeyMaster);
        log.info("prefork worker pid {} (stats row {}) serving {} with {}", ProcessHandle.current().pid(), role.slot(),
                engine.localAddress(), role.model());
    }

    /** A spare says so and waits for {@code serve}; false when it is told anything else or the channel ends. */
    private boolean standBy() throws IOException {
        channel.send("spare " + role.slot() + " " + ProcessHandle.current().pid());
        table.setRow(role.slot(), PreforkStats.R_STATE, PreforkStats.SPARE);
        Optional<String> msg = channel.receiveText();
        if (msg.isPresent() && msg.get().equals("serve")) {
            log.info("prefork spare (pid {}) takes over a slot", ProcessHandle.current().pid());
            return true;
        }
        log.info("prefork spare (pid {}) leaves without serving ({})", ProcessHandle.current().pid(), msg.orElse("master gone"));
        return false;
    }

    /**
     * Opens the hub link: a second channel to the master, so the service's traffic never queues behind (or in front
     * of) control messages. It introduces itself after {@code ready}, when the master knows this worker.
     */
    private void linkToHub() throws IOException {
        MessageChannel hub = MessageChannel.connect(role.control());
        hub.send("hub " + role.slot() + " " + ProcessHandle.current().pid());
        toHub.start(hub);
        Thread.ofPlatform().name("polyserve-prefork-hub").daemon().start(() -> readHub(hub));
    }

    /** Hands the hub's messages to the service; a worker that lost its hub cannot serve the shared state: it drains. */
    private void readHub(MessageChannel hub) {
        try {
            for (List<byte[]> batch = hub.receiveAvailable(); !batch.isEmpty(); batch = hub.receiveAvailable()) fromHub.receive(batch);
        } catch (IOException | RuntimeException e) {
            if (!stopped.get()) log.warn("prefork worker {}: hub link failed: {}", role.slot(), e.toString());
        }
        fromHub.closed();
        if (stopped.get()) return;
        log.warn("prefork worker {}: lost the link to the master's hub; draining so a fresh worker takes the slot", role.slot());
        drainAndExit(ORPHAN_GRACE);
    }

    /** Drains and ends the process; when both channels end at once (the master died), only the first caller does. */
    private void drainAndExit(Duration grace) {
        if (!exiting.compareAndSet(false, true)) return;
        shutdown(grace);
        System.exit(0);   // a worker exists to serve for its master; the master reaps it
    }

    InetSocketAddress localAddress() {
        return engine.localAddress();
    }

    private void obeyMaster() {
        Duration grace = ORPHAN_GRACE;
        try {
            while (true) {
                Optional<String> msg = channel.receiveText();
                if (msg.isEmpty()) {
                    log.warn("prefork worker {}: the master closed its channel; draining", role.slot());
                    break;
                }
                String[] words = msg.get().split(" ");
                if (words[0].equals("drain") && words.length == 2) {
                    grace = Duration.ofMillis(Long.parseLong(words[1]));
                    break;
                }
                log.warn("prefork worker {}: ignoring unknown message from the master: {}", role.slot(), msg.get());
            }
        } catch (IOException | RuntimeException e) {
            log.warn("prefork worker {}: lost the master ({}); draining", role.slot(), e.toString());
        }
        drainAndExit(grace);
    }

    /** Stops accepting, lets connections finish for {@code grace}, publishes the final counters. Idempotent. */
    void shutdown(Duration grace) {
        if (!stopped.compareAndSet(false, true)) return;
        table.setRow(role.slot(), PreforkStats.R_STATE, PreforkStats.DRAINING);
        engine.shutdown(grace);
        if (toHub != null) {
            // Connections leaving during the drain told the hub; let that reach it before the process ends.
            try {
                if (!toHub.awaitSent(HUB_FLUSH_LIMIT)) log.warn("prefork worker {}: the hub did not take its last messages", role.slot());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        publisher.shutdownNow();
        table.publish(role.slot(), stats);
        try {
            channel.close();
        } catch (IOException ignored) {
            // The master notices our exit through waitpid either way.
        }
    }
}

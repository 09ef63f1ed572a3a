package dev.polyserve.process;

import dev.polyserve.core.Engine;
import dev.polyserve.core.Engines;
import dev.polyserve.core.ServerConfig;
import dev.polyserve.core.ServerStats;
import dev.polyserve.core.Service;
import dev.polyserve.process.ipc.MessageChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One prefork worker: runs an in-process engine on the shared port (SO_REUSEPORT), publishes its counters into the
 * master's shared segment, and obeys the master's channel: {@code drain MILLIS} (or the channel closing, meaning
 * the master is gone) stops accepting, lets open connections finish for that long and exits.
 */
final class PreforkWorker {
    private static final Logger log = LoggerFactory.getLogger(PreforkWorker.class);

    /** How often counters reach the shared segment: fresh enough for a human running {@code status}, cheap. */
    static final Duration PUBLISH_INTERVAL = Duration.ofMillis(100);
    /** Drain time when the master vanished without saying how long (it was killed): the library's default grace. */
    static final Duration ORPHAN_GRACE = Duration.ofSeconds(5);

    private final ChildRole.Worker role;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private Engine engine;
    private PreforkStats table;
    private ServerStats stats;
    private MessageChannel channel;
    private ScheduledExecutorService publisher;

    PreforkWorker(ChildRole.Worker role) {
        this.role = role;
    }

    void start(ServerConfig config, Service service, ServerStats stats) throws IOException {
        this.stats = stats;
        Signals.ignoreHangup();
        ServerConfig inner = new ServerConfig(new InetSocketAddress(config.address().getAddress(), role.port()),
                role.model(), config.idleTimeout(), config.maxConnections(), config.writeQueueLimit(),
                0 /* the worker model's own default */, config.backlog(), true);
        engine = Engines.create(role.model());
        engine.start(inner, service, stats);
        table = PreforkStats.attach(role.statsFile());
        table.publish(role.slot(), stats);
        publisher = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("polyserve-prefork-stats").daemon().unstarted(r));
        publisher.scheduleAtFixedRate(() -> table.publish(role.slot(), stats),
                PUBLISH_INTERVAL.toMillis(), PUBLISH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        channel = MessageChannel.connect(role.control());
        channel.send("ready " + role.slot() + " " + ProcessHandle.current().pid());
        table.setRow(role.slot(), PreforkStats.R_STATE, PreforkStats.READY);   // "serving" once the master knows
        Thread.ofPlatform().name("polyserve-prefork-master").daemon().start(this::obeyMaster);
        log.info("prefork worker {} (pid {}) serving {} with {}", role.slot(), ProcessHandle.current().pid(),
                engine.localAddress(), role.model());
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
        shutdown(grace);
        System.exit(0);   // a worker exists to serve for its master; the master reaps it
    }

    /** Stops accepting, lets connections finish for {@code grace}, publishes the final counters. Idempotent. */
    void shutdown(Duration grace) {
        if (!stopped.compareAndSet(false, true)) return;
        table.setRow(role.slot(), PreforkStats.R_STATE, PreforkStats.DRAINING);
        engine.shutdown(grace);
        publisher.shutdownNow();
        table.publish(role.slot(), stats);
        try {
            channel.close();
        } catch (IOException ignored) {
            // The master notices our exit through waitpid either way.
        }
    }
}

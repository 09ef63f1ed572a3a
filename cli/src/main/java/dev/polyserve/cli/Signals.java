package dev.polyserve.cli;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Waiting for SIGINT or SIGTERM. Handling the signals ourselves (rather than in a shutdown hook) lets the
 * server stop gracefully and the process exit 0, which a JVM killed by a signal cannot do.
 */
public final class Signals {
    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private static final CountDownLatch TERMINATED = new CountDownLatch(1);
    private static volatile String received;
    private static boolean installed; // guarded by Signals.class

    private Signals() {}

    /**
     * Installs the SIGINT/SIGTERM handlers. Call it before announcing readiness, so a signal sent the moment a
     * script sees the announcement is never lost to the JVM's default (exit 130/143). Idempotent.
     */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), s -> {
                received = "SIG" + s.getName();
                TERMINATED.countDown();
            });
        }
        installed = true;
    }

    /** Blocks until SIGINT or SIGTERM arrives; returns the signal's name. */
    public static String awaitTermination() throws InterruptedException {
        install();
        TERMINATED.await();
        log.info("{} received: shutting down", received);
        return received;
    }
}

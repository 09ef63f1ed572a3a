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

    private Signals() {}

    /** Blocks until SIGINT or SIGTERM arrives; returns the signal's name. */
    public static String awaitTermination() throws InterruptedException {
        CountDownLatch latch = new CountDownLatch(1);
        String[] received = new String[1];
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), s -> {
                received[0] = "SIG" + s.getName();
                latch.countDown();
            });
        }
        latch.await();
        log.info("{} received: shutting down", received[0]);
        return received[0];
    }
}

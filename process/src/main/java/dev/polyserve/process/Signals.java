package dev.polyserve.process;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SIGHUP for prefork masters. The JDK's own signal API ({@code jdk.internal.misc.Signal}) is not exported, so this
 * uses {@code sun.misc.Signal} from the {@code jdk.unsupported} module, which is on the class path of every JDK.
 * SIGTERM and SIGINT are not handled here: whoever owns the server stops it on those (the CLI catches them; a
 * library user registers a shutdown hook), and stopping the engine drains the workers.
 */
final class Signals {
    private static final Logger log = LoggerFactory.getLogger(Signals.class);
    private static final Set<PreforkMaster> masters = ConcurrentHashMap.newKeySet();
    private static boolean installed;   // guarded by Signals.class

    private Signals() {}

    /** SIGHUP makes {@code master} replace its workers one by one. */
    static synchronized void restartOnHangup(PreforkMaster master) {
        masters.add(master);
        if (installed) return;
        try {
            Signal.handle(new Signal("HUP"), sig -> {
                log.info("SIGHUP: rolling restart of {} prefork server(s)", masters.size());
                masters.forEach(PreforkMaster::rollingRestartAsync);
            });
            installed = true;
        } catch (IllegalArgumentException e) {
            // The JVM runs with -Xrs or the signal is reserved here: the server still works, only without SIGHUP.
            log.warn("cannot handle SIGHUP ({}); rolling restarts are unavailable", e.getMessage());
        }
    }

    static void forget(PreforkMaster master) {
        masters.remove(master);
    }

    /** Workers ignore SIGHUP: a hangup sent to the whole process group is the master's to act on. */
    static void ignoreHangup() {
        try {
            Signal.handle(new Signal("HUP"), SignalHandler.SIG_IGN);
        } catch (IllegalArgumentException e) {
            log.debug("cannot ignore SIGHUP: {}", e.getMessage());
        }
    }
}

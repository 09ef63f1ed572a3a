package dev.polyserve.process;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * SIGHUP, shared by everything in the process that acts on it: prefork masters (a rolling restart) and the CLI (TLS
 * certificates reloaded). {@code sun.misc.Signal} keeps one handler per signal, the last installed, so the parts
 * register actions here and one handler runs them all, in order. The JDK's own signal API
 * ({@code jdk.internal.misc.Signal}) is not exported; {@code sun.misc.Signal} is in {@code jdk.unsupported}, on the
 * class path of every JDK. SIGTERM and SIGINT are not handled here: whoever owns the server stops it on those (the
 * CLI catches them; a library user registers a shutdown hook), and stopping the engine drains the workers.
 */
public final class Signals {
    private static final Logger log = LoggerFactory.getLogger(Signals.class);
    private static final Set<PreforkMaster> masters = ConcurrentHashMap.newKeySet();
    private static final List<Runnable> hangupActions = new CopyOnWriteArrayList<>();
    private static boolean installed;          // guarded by Signals.class
    private static boolean restartRegistered;  // guarded by Signals.class

    private Signals() {}

    /** Runs {@code action} on every SIGHUP, after the actions registered before it. Thread-safe. */
    public static synchronized void onHangup(Runnable action) {
        hangupActions.add(action);
        if (installed) return;
        try {
            SignalHandler before = Signal.handle(new Signal("HUP"), sig -> {
                for (Runnable a : hangupActions) {
                    try {
                        a.run();
                    } catch (RuntimeException e) {
                        log.warn("SIGHUP action failed", e);
                    }
                }
            });
            installed = true;
            // A process started with SIGHUP ignored (nohup, or a parent that ignores it) keeps it ignored: the JVM
            // does not take over a signal its parent chose to ignore, so this handler never runs.
            if (before == SignalHandler.SIG_IGN) {
                log.warn("SIGHUP is ignored in this process (started under nohup?); reloads and rolling restarts on "
                        + "SIGHUP are unavailable: start it without nohup (setsid, systemd, or a shell's & with disown)");
            }
        } catch (IllegalArgumentException e) {
            // The JVM runs with -Xrs or the signal is reserved here: the server still works, only without SIGHUP.
            log.warn("cannot handle SIGHUP ({}); reloads and rolling restarts are unavailable", e.getMessage());
        }
    }

    /** SIGHUP makes {@code master} replace its workers one by one. */
    static synchronized void restartOnHangup(PreforkMaster master) {
        masters.add(master);
        if (restartRegistered) return;
        restartRegistered = true;
        onHangup(() -> {
            log.info("SIGHUP: rolling restart of {} prefork server(s)", masters.size());
            masters.forEach(PreforkMaster::rollingRestartAsync);
        });
    }

    static void forget(PreforkMaster master) {
        masters.remove(master);
    }

    /** Workers ignore SIGHUP: a hangup sent to the whole process group is the master's to act on. */
    static synchronized void ignoreHangup() {
        try {
            Signal.handle(new Signal("HUP"), SignalHandler.SIG_IGN);
            installed = true; // later registrations must not undo the ignoring
        } catch (IllegalArgumentException e) {
            log.debug("cannot ignore SIGHUP: {}", e.getMessage());
        }
    }
}

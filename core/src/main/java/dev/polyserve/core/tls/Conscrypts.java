package dev.polyserve.core.tls;

import java.security.Provider;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Conscrypt, loaded at most once per process. The only class that names {@code org.conscrypt}: when its jar is not on
 * the class path the {@link NoClassDefFoundError} surfaces here, and when its JNI library does not load (missing for
 * this platform, no writable directory to unpack it to) {@code Conscrypt.checkAvailability} says why.
 */
final class Conscrypts {
    /** The provider and its version ("2.5.2"), or null and why not. */
    record Loaded(Provider provider, String version, String whyNot) {}

    private static final AtomicBoolean fallbackReported = new AtomicBoolean();

    private Conscrypts() {}

    private static final class Holder {
        static final Loaded LOADED = load();
    }

    static Loaded get() {
        return Holder.LOADED;
    }

    /** True the first time only: the fallback is one log line per process, however many contexts are made. */
    static boolean reportFallback() {
        return fallbackReported.compareAndSet(false, true);
    }

    private static Loaded load() {
        try {
            org.conscrypt.Conscrypt.checkAvailability();
            // Its own provider object, not installed in java.security's list: only contexts we build use it, so the
            // JDK's clients in this process (the FTPS client, HttpClient) keep the JDK's TLS.
            org.conscrypt.Conscrypt.Version v = org.conscrypt.Conscrypt.version();
            return new Loaded(org.conscrypt.Conscrypt.newProvider(), v.major() + "." + v.minor() + "." + v.patch(), null);
        } catch (LinkageError | RuntimeException e) {
            // NoClassDefFoundError (no jar), UnsatisfiedLinkError (no native library), ExceptionInInitializerError
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            String why = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
            return new Loaded(null, null, why.lines().findFirst().orElse(why));
        }
    }
}

package dev.polyserve.core.tls;

import java.security.Provider;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who implements TLS under the layer: the JDK's own {@code SSLEngine} (JSSE, pure Java) or Conscrypt's, which is
 * BoringSSL through JNI. Both are {@link javax.net.ssl.SSLEngine}s, so the layer ({@link TlsHandler}) is the same
 * for both; only the context is built differently (see {@link TlsContext}).
 *
 * <p>Conscrypt is optional at run time: its native library may be missing for this platform, or fail to load (no
 * writable directory to unpack it to, a libc it was not built for). Then {@link #CONSCRYPT} and {@link #AUTO} serve
 * with the JDK and say so in one log line, once per process.
 */
public enum TlsProvider {
    /** The JDK's SSLEngine. */
    JDK,
    /** Conscrypt (BoringSSL), or the JDK with a warning when Conscrypt cannot load. */
    CONSCRYPT,
    /** Conscrypt when it loads, else the JDK (one info line). */
    AUTO;

    private static final Logger log = LoggerFactory.getLogger(TlsProvider.class);

    /**
     * The default of {@code --tls-provider}: {@link #AUTO}, since Conscrypt's handshake costs a ninth of the JDK's
     * server CPU and its HTTPS serves more requests per CPU-second (docs/bench/tls.md, docs/tls.md "Providers").
     */
    public static final TlsProvider DEFAULT = AUTO;

    /** The name as the command line writes it: {@code jdk}, {@code conscrypt}, {@code auto}. */
    public String optionName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code jdk}, {@code conscrypt} or {@code auto}, any case. */
    public static TlsProvider parse(String name) {
        for (TlsProvider p : values()) {
            if (p.optionName().equalsIgnoreCase(name.trim())) return p;
        }
        throw new IllegalArgumentException("unknown TLS provider '" + name + "' (jdk, conscrypt or auto)");
    }

    /**
     * The JCA provider to build contexts from: null for the JDK's default, else Conscrypt's. When Conscrypt was asked
     * for and cannot load, the JDK's, with one log line per process (a warning for {@link #CONSCRYPT}, which was
     * asked for by name; info for {@link #AUTO}).
     */
    Provider jcaProvider() {
        if (this == JDK) return null;
        Conscrypts.Loaded c = Conscrypts.get();
        if (c.provider() != null) return c.provider();
        if (Conscrypts.reportFallback()) {
            String line = "TLS: Conscrypt is unavailable ({}); serving TLS with the JDK's provider";
            if (this == CONSCRYPT) log.warn(line, c.whyNot());
            else log.info(line, c.whyNot());
        }
        return null;
    }

    /** Whether Conscrypt loads in this process (its native library included). */
    public static boolean conscryptAvailable() {
        return Conscrypts.get().provider() != null;
    }
}

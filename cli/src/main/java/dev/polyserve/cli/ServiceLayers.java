package dev.polyserve.cli;

import dev.polyserve.core.Service;
import dev.polyserve.core.auth.HmacGate;
import dev.polyserve.core.auth.HmacKey;
import dev.polyserve.core.tls.TlsContext;
import dev.polyserve.core.tls.TlsService;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The wrappers a server's options put around its service, outermost first as the bytes meet them on the wire:
 * TLS (when {@code --tls-cert} is given), then the HMAC gate (when {@code --auth-key-file} is given, its challenge
 * then travels encrypted), then the service. Built once per command from the options (certificate and key files are
 * read here, so a bad one fails before anything binds) and applied to every listener that should be protected alike.
 */
public final class ServiceLayers implements UnaryOperator<Service> {
    /** No wrapping at all (a listener the options do not protect, e.g. a plain redirect port). */
    public static final ServiceLayers NONE = new ServiceLayers(List.of(), null, 0, null);

    /** The HMAC gate's keys; empty = no gate. */
    private final List<HmacKey> gateKeys;
    /** TLS, or null for plaintext. */
    private final TlsContext tls;
    private final long writeQueueLimit;
    /** What a plaintext client on the TLS port is told before it is closed (HTTP's 400), or null. */
    private final byte[] plaintextReply;

    ServiceLayers(List<HmacKey> gateKeys, TlsContext tls, long writeQueueLimit, byte[] plaintextReply) {
        this.gateKeys = List.copyOf(gateKeys);
        this.tls = tls;
        this.writeQueueLimit = writeQueueLimit;
        this.plaintextReply = plaintextReply;
    }

    /** {@code service} behind every layer. */
    @Override
    public Service apply(Service service) {
        Service s = gateKeys.isEmpty() ? service : new HmacGate(service, gateKeys, HmacGate.DEFAULT_DEADLINE);
        return tls == null ? s : TlsService.of(s, tls, writeQueueLimit).withPlaintextReply(plaintextReply);
    }

    /** The TLS configuration these layers serve with, or null: for a service that starts TLS itself (FTPS). */
    public TlsContext tls() {
        return tls;
    }

    /**
     * These layers without TLS, for a service that runs TLS itself around them (FTPS: AUTH TLS upgrades a live control
     * connection, and data connections have their own).
     */
    public ServiceLayers withoutTls() {
        return tls == null ? this : new ServiceLayers(gateKeys, null, writeQueueLimit, null);
    }

    /** True when these layers change nothing. */
    public boolean isEmpty() {
        return gateKeys.isEmpty() && tls == null;
    }
}

package dev.polyserve.cli;

import dev.polyserve.core.Service;
import dev.polyserve.core.auth.HmacGate;
import dev.polyserve.core.auth.HmacKey;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The wrappers a server's options put around its service, outermost first as the bytes meet them on the wire:
 * the HMAC gate (when {@code --auth-key-file} is given), then the service. Built once per command from the
 * options (key files are read here, so a bad one fails before anything binds) and applied to every listener that
 * should be protected alike.
 */
public final class ServiceLayers implements UnaryOperator<Service> {
    /** No wrapping at all (a listener the options do not protect, e.g. a plain redirect port). */
    public static final ServiceLayers NONE = new ServiceLayers(List.of());

    /** The HMAC gate's keys; empty = no gate. */
    private final List<HmacKey> gateKeys;

    ServiceLayers(List<HmacKey> gateKeys) {
        this.gateKeys = List.copyOf(gateKeys);
    }

    /** {@code service} behind every layer. */
    @Override
    public Service apply(Service service) {
        return gateKeys.isEmpty() ? service : new HmacGate(service, gateKeys, HmacGate.DEFAULT_DEADLINE);
    }

    /** True when these layers change nothing. */
    public boolean isEmpty() {
        return gateKeys.isEmpty();
    }
}

package dev.polyserve.linux;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.polyserve.core.tls.TlsConformanceSuite;
import org.junit.jupiter.api.BeforeEach;

class TlsUringConformanceTest extends TlsConformanceSuite {
    @Override
    protected String model() {
        return "uring";
    }

    @Override
    protected boolean fullLoad() {
        return true;
    }

    /** A kernel that refuses io_uring skips this engine only, and says why. */
    @BeforeEach
    void uringAvailable() {
        var refused = LinuxEngineProvider.uringRefusal();
        assumeTrue(refused.isEmpty(), () -> refused.orElse(""));
    }
}

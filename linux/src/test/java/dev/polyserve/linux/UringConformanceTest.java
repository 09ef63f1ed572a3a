package dev.polyserve.linux;

import dev.polyserve.core.EngineConformanceSuite;
import org.junit.jupiter.api.BeforeEach;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

class UringConformanceTest extends EngineConformanceSuite {
    @Override
    protected String model() {
        return "uring";
    }

    /** A kernel that refuses io_uring skips this engine only, and says why. */
    @BeforeEach
    void uringAvailable() {
        var refused = LinuxEngineProvider.uringRefusal();
        assumeTrue(refused.isEmpty(), () -> refused.orElse(""));
    }
}

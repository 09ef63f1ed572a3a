package dev.polyserve.linux;

import dev.polyserve.core.EngineConformanceSuite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The uring engine on its fallback path (one accept and one receive per request), as on kernels before 6.0. */
class UringSingleShotConformanceTest extends EngineConformanceSuite {
    @Override
    protected String model() {
        return "uring";
    }

    @BeforeAll
    static void singleShot() {
        System.setProperty(UringEngine.MULTISHOT_PROPERTY, "false");
    }

    @AfterAll
    static void restore() {
        System.clearProperty(UringEngine.MULTISHOT_PROPERTY);
    }

    @BeforeEach
    void uringAvailable() {
        var refused = LinuxEngineProvider.uringRefusal();
        assumeTrue(refused.isEmpty(), () -> refused.orElse(""));
    }
}

package dev.polyserve.core.engine;

import dev.polyserve.core.EngineConformanceSuite;

class VirtualConformanceTest extends EngineConformanceSuite {
    @Override
    protected String model() {
        return "virtual";
    }
}

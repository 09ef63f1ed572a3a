package dev.polyserve.core.engine;

import dev.polyserve.core.EngineConformanceSuite;

class NonblockingConformanceTest extends EngineConformanceSuite {
    @Override
    protected String model() {
        return "nonblocking";
    }
}

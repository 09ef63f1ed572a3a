package dev.polyserve.core.engine;

import dev.polyserve.core.EngineConformanceSuite;

class PoolConformanceTest extends EngineConformanceSuite {
    @Override
    protected String model() {
        return "pool";
    }
}

package dev.polyserve.core.engine;

import dev.polyserve.core.EngineConformanceSuite;

class NioConformanceTest extends EngineConformanceSuite {
    @Override
    protected String model() {
        return "nio";
    }
}

package dev.polyserve.core.engine;

import dev.polyserve.core.EngineConformanceSuite;

class ThreadsConformanceTest extends EngineConformanceSuite {
    @Override
    protected String model() {
        return "threads";
    }
}

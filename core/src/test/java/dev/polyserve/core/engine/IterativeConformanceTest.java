package dev.polyserve.core.engine;

import dev.polyserve.core.EngineConformanceSuite;

class IterativeConformanceTest extends EngineConformanceSuite {
    @Override
    protected String model() {
        return "iterative";
    }
}

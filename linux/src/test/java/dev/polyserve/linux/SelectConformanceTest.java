package dev.polyserve.linux;

import dev.polyserve.core.EngineConformanceSuite;

class SelectConformanceTest extends EngineConformanceSuite {
    @Override
    protected String model() {
        return "select";
    }
}

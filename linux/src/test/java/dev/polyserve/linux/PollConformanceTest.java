package dev.polyserve.linux;

import dev.polyserve.core.EngineConformanceSuite;

class PollConformanceTest extends EngineConformanceSuite {
    @Override
    protected String model() {
        return "poll";
    }
}

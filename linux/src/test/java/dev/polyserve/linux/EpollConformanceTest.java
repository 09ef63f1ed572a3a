package dev.polyserve.linux;

import dev.polyserve.core.EngineConformanceSuite;

class EpollConformanceTest extends EngineConformanceSuite {
    @Override
    protected String model() {
        return "epoll";
    }
}

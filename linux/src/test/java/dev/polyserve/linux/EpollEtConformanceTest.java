package dev.polyserve.linux;

import dev.polyserve.core.EngineConformanceSuite;

class EpollEtConformanceTest extends EngineConformanceSuite {
    @Override
    protected String model() {
        return "epoll-et";
    }
}

package dev.polyserve.core.tls;

class TlsThreadsConformanceTest extends TlsConformanceSuite {
    @Override
    protected String model() {
        return "threads";
    }
}

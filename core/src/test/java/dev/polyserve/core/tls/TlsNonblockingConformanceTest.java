package dev.polyserve.core.tls;

class TlsNonblockingConformanceTest extends TlsConformanceSuite {
    @Override
    protected String model() {
        return "nonblocking";
    }
}

package dev.polyserve.core.tls;

class TlsPoolConformanceTest extends TlsConformanceSuite {
    @Override
    protected String model() {
        return "pool";
    }
}

package dev.polyserve.core.tls;

class TlsVirtualConformanceTest extends TlsConformanceSuite {
    @Override
    protected String model() {
        return "virtual";
    }

    @Override
    protected boolean fullLoad() {
        return true;
    }
}

package dev.polyserve.core.tls;

class TlsNioConformanceTest extends TlsConformanceSuite {
    @Override
    protected String model() {
        return "nio";
    }

    @Override
    protected boolean fullLoad() {
        return true;
    }
}

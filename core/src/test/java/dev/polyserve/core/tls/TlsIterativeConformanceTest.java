package dev.polyserve.core.tls;

class TlsIterativeConformanceTest extends TlsConformanceSuite {
    @Override
    protected String model() {
        return "iterative";
    }
}

package dev.polyserve.linux;

import dev.polyserve.core.tls.TlsConformanceSuite;

class TlsSelectConformanceTest extends TlsConformanceSuite {
    @Override
    protected String model() {
        return "select";
    }
}

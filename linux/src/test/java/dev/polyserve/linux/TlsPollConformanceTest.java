package dev.polyserve.linux;

import dev.polyserve.core.tls.TlsConformanceSuite;

class TlsPollConformanceTest extends TlsConformanceSuite {
    @Override
    protected String model() {
        return "poll";
    }
}

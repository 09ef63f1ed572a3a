package dev.polyserve.linux;

import dev.polyserve.core.tls.TlsConformanceSuite;

class TlsEpollEtConformanceTest extends TlsConformanceSuite {
    @Override
    protected String model() {
        return "epoll-et";
    }
}

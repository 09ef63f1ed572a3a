package dev.polyserve.linux;

import dev.polyserve.core.tls.TlsConformanceSuite;

class TlsEpollConformanceTest extends TlsConformanceSuite {
    @Override
    protected String model() {
        return "epoll";
    }

    @Override
    protected boolean fullLoad() {
        return true;
    }
}

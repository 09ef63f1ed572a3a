package dev.polyserve.linux;

import dev.polyserve.core.tls.TlsConformanceSuite;
import dev.polyserve.core.tls.TlsProvider;

/** The TLS conformance suite on epoll with Conscrypt's (BoringSSL) engines: the model the HTTPS benchmark runs. */
class TlsConscryptEpollConformanceTest extends TlsConformanceSuite {
    @Override
    protected String model() {
        return "epoll";
    }

    @Override
    protected TlsProvider provider() {
        return TlsProvider.CONSCRYPT;
    }

    @Override
    protected boolean fullLoad() {
        return true;
    }
}

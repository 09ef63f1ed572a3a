package dev.polyserve.core.tls;

/** The TLS conformance suite on nio with Conscrypt's (BoringSSL) engines under the same layer. */
class TlsConscryptNioConformanceTest extends TlsConformanceSuite {
    @Override
    protected String model() {
        return "nio";
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

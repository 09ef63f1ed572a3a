package dev.polyserve.core.tls;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.polyserve.core.EngineConformanceSuite;
import dev.polyserve.core.ServerConfig;
import dev.polyserve.core.Service;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * The engine conformance suite again with every service behind {@link TlsService} and every client a JDK
 * {@code SSLSocket}: the same bytes, limits, half-close, idle timeout and shutdown, through TLS. A module adds a model
 * by extending this once per model.
 */
public abstract class TlsConformanceSuite extends EngineConformanceSuite {
    private TlsContext context;

    /** Whose engines serve: the JDK's unless a subclass says Conscrypt. */
    protected TlsProvider provider() {
        return TlsProvider.JDK;
    }

    /**
     * The models the TLS issue names (nio, virtual, epoll, uring) carry the full 200 clients x 1,000 messages; the
     * others a tenth of each, which exercises the same paths and keeps the build's time down.
     */
    protected boolean fullLoad() {
        return false;
    }

    @Override
    protected int clients() {
        return fullLoad() ? super.clients() : super.clients() / 10;
    }

    @Override
    protected int messages() {
        return fullLoad() ? super.messages() : super.messages() / 10;
    }

    /**
     * The handshake deadline here: past any handshake's wait on a loaded build machine. With 200 clients connecting at
     * once on 2 cores, a client's thread can send its ClientHello more than the default 10 s after its connection was
     * accepted (seen in a full build at load 18: clients closed mid-echo, no warning). The deadline itself is tested
     * in {@code TlsServiceTest}.
     */
    private static final Duration HANDSHAKE_DEADLINE = Duration.ofMinutes(2);

    @Override
    protected Service layer(Service service) {
        if (context == null) context = TestTls.server(provider());
        return TlsService.of(service, context, ServerConfig.DEFAULT_WRITE_QUEUE_LIMIT).withHandshakeDeadline(HANDSHAKE_DEADLINE);
    }

    @Override
    protected Socket clientOver(Socket connected) throws IOException {
        return TestTls.over(connected);
    }

    /** A full server answers a TLS client with a fatal internal_error alert, which the client reports. */
    @Override
    protected void assertRefused(Socket refused, String refusal) {
        assertThatThrownBy(() -> refused.getInputStream().read())
                .isInstanceOf(SSLException.class).hasMessageContaining("internal_error");
    }
}

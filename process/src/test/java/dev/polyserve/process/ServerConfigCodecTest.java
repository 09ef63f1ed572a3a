package dev.polyserve.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.polyserve.core.ServerConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** A master hands its children the whole configuration as one line: every field must come back as it went. */
class ServerConfigCodecTest {

    @Property(tries = 300)
    void everyFieldRoundTrips(@ForAll @IntRange(min = 0, max = 65_535) int port,
                              @ForAll @LongRange(min = 0, max = 1_000_000_000) long idleMillis,
                              @ForAll @IntRange(min = 1, max = 1_000_000) int maxConnections,
                              @ForAll @LongRange(min = 1, max = Long.MAX_VALUE) long writeQueueLimit,
                              @ForAll @IntRange(min = 0, max = 64) int workers,
                              @ForAll boolean reusePort,
                              @ForAll @Size(max = 6) List<String> argv) {
        ServerConfig config = new ServerConfig(new InetSocketAddress("::1", port), "epoll-et", Duration.ofMillis(idleMillis),
                maxConnections, writeQueueLimit, workers, 128, reusePort, "uring", argv);
        assertThat(ServerConfigCodec.decode(ServerConfigCodec.encode(config))).isEqualTo(config);
    }

    @Test
    void argumentsKeepSpacesSeparatorsAndEmptiness() {
        List<String> argv = List.of("/usr/bin/java", "", "a b&c=d%", "--banner=hi there", " ");
        ServerConfig config = new ServerConfig(new InetSocketAddress("127.0.0.1", 7007), "nio", Duration.ZERO, 10, 10, 0, 1,
                false, "nio", argv);
        assertThat(ServerConfigCodec.decode(ServerConfigCodec.encode(config)).relaunchCommand()).isEqualTo(argv);
    }

    @Test
    void aMissingFieldIsNamed() {
        ServerConfig config = new ServerConfig(new InetSocketAddress("127.0.0.1", 1), "nio", Duration.ZERO, 10, 10, 0, 1,
                false, "nio", List.of());
        String line = ServerConfigCodec.encode(config).replaceAll("&?backlog=[^&]*", "");
        assertThatThrownBy(() -> ServerConfigCodec.decode(line)).hasMessageContaining("backlog");
    }
}

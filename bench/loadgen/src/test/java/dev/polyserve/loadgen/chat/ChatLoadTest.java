package dev.polyserve.loadgen.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.core.Server;
import dev.polyserve.services.chat.ChatLimits;
import dev.polyserve.services.chat.ChatProtocol;
import dev.polyserve.services.chat.ChatService;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The chat load against a real room on loopback, small enough to take a second or two. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class ChatLoadTest {

    @Test
    void everyLineIsCountedOnceAndInOrder() throws Exception {
        ChatService chat = new ChatService(ChatLimits.DEFAULTS.withLinesPerSecond(0), ChatProtocol.LINES);
        try (Server server = Server.tcp(0).model("nio").service(chat).start()) {
            ChatLoadSpec spec = new ChatLoadSpec(server.localAddress(), 6, 40, 0, Duration.ofSeconds(20), null,
                    OptionalLong.of(ProcessHandle.current().pid()));
            ChatLoadResult r = ChatLoad.run(spec);
            assertThat(r.deliveries()).isEqualTo(6L * 40 * 5);
            assertThat(r.missing()).isZero();
            assertThat(r.outOfOrder()).isZero();
            assertThat(r.dropped()).isZero();
            assertThat(r.latencyMicros().getTotalCount()).isEqualTo(r.deliveries());
            assertThat(r.serverCpuSeconds()).isNotNaN().isNotNegative();
            assertThat(r.summaryLine()).startsWith("RESULT clients=6 messages=40 rate=0 deliveries=1200 expected=1200");
        }
    }

    @Test
    void browserMembersThroughThePageSocketAreCountedTheSame() throws Exception {
        ChatService chat = new ChatService(ChatLimits.DEFAULTS.withLinesPerSecond(0), ChatProtocol.LINES);
        dev.polyserve.core.ServerStats stats = new dev.polyserve.core.ServerStats();
        dev.polyserve.services.http.HttpApp web = dev.polyserve.services.chat.ChatWeb.install(
                new dev.polyserve.services.http.HttpApp(), chat.bus(), chat.limits(), System::nanoTime);
        try (Server server = Server.tcp(0).model("nio").stats(stats).service(new dev.polyserve.services.http.HttpService(
                web, dev.polyserve.services.http.HttpOptions.defaults(), stats)).start()) {
            ChatLoadSpec spec = new ChatLoadSpec(server.localAddress(), 5, 30, 0, Duration.ofSeconds(20), null,
                    OptionalLong.empty()).overWebSocket("/ws");
            ChatLoadResult r = ChatLoad.run(spec);
            assertThat(r.deliveries()).isEqualTo(5L * 30 * 4);
            assertThat(r.missing()).isZero();
            assertThat(r.outOfOrder()).isZero();
            assertThat(r.dropped()).isZero();
        }
    }

    @Test
    void floodControlOnTheServerIsReportedNotMistakenForLoss() throws Exception {
        ChatService chat = new ChatService(ChatLimits.DEFAULTS, ChatProtocol.LINES);
        try (Server server = Server.tcp(0).model("nio").service(chat).start()) {
            ChatLoadSpec spec = new ChatLoadSpec(server.localAddress(), 2, 200, 0, Duration.ofSeconds(5), null, OptionalLong.empty());
            ChatLoadResult r = ChatLoad.run(spec);
            assertThat(r.missing()).isPositive();
            assertThat(r.dropped()).isPositive();
            assertThat(r.floodControlHit()).isTrue();
        }
    }
}

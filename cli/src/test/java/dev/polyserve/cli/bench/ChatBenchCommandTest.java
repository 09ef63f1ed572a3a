package dev.polyserve.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.cli.ProgressLine;
import dev.polyserve.core.Server;
import dev.polyserve.services.chat.ChatLimits;
import dev.polyserve.services.chat.ChatProtocol;
import dev.polyserve.services.chat.ChatService;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

@Timeout(60)
class ChatBenchCommandTest {

    @Test
    void theCommandReportsAndExitsZeroOnAFullDelivery() throws Exception {
        ChatService chat = new ChatService(ChatLimits.DEFAULTS.withLinesPerSecond(0), ChatProtocol.LINES);
        try (Server server = Server.tcp(0).model("virtual").service(chat).start()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            CommandLine cmd = new CommandLine(new ChatBenchCommand());
            cmd.setOut(new PrintWriter(out, true));
            int exit = cmd.execute("--port", Integer.toString(server.localAddress().getPort()),
                    "--clients", "4", "--messages", "20", "--rate", "200", "--quiet");
            assertThat(exit).isZero();
            assertThat(out.toString()).contains("deliveries/s").contains("RESULT clients=4 messages=20 rate=200 deliveries=240 expected=240");
        }
    }

    @Test
    void progressShowsJoiningThenDeliveriesWithinTheWidth() {
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        ChatProgress p = new ChatProgress(new ProgressLine(new PrintStream(screen, true, StandardCharsets.UTF_8), true, 80));
        p.joining(57, 100);
        p.delivering(6.1, 120_000, 990_000);
        p.done();
        String[] frames = screen.toString(StandardCharsets.UTF_8).split("\r");
        assertThat(frames).contains("joining 57/100");
        assertThat(frames).anySatisfy(f -> assertThat(f).startsWith("[===>").contains("] 12% 120,000/990,000 delivered  6.1 s  19,672 lines/s"));
        assertThat(frames).allSatisfy(f -> assertThat(f.length()).isLessThanOrEqualTo(79));
    }
}

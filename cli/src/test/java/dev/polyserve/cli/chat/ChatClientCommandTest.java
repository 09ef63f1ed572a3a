package dev.polyserve.cli.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.core.Await;
import dev.polyserve.core.Server;
import dev.polyserve.core.auth.HmacGate;
import dev.polyserve.core.auth.HmacKey;
import dev.polyserve.services.chat.ChatLimits;
import dev.polyserve.services.chat.ChatProtocol;
import dev.polyserve.services.chat.ChatService;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The terminal client against a real room, typed into through a dumb terminal on pipes. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class ChatClientCommandTest {
    static final Duration DEADLINE = Duration.ofSeconds(20);

    @Test
    void typedLinesReachTheRoomAndTheRoomIsPrinted(@TempDir Path dir) throws Exception {
        HmacKey key = new HmacKey("user", "client-test-key-0123456789".getBytes(StandardCharsets.UTF_8));
        Path keyFile = dir.resolve("key");
        Files.write(keyFile, key.secret());
        ChatService chat = new ChatService(ChatLimits.DEFAULTS, ChatProtocol.LINES);
        try (Server server = Server.tcp(0).model("nio").service(new HmacGate(chat, List.of(key), HmacGate.DEFAULT_DEADLINE)).start();
             Socket observer = new Socket("127.0.0.1", server.localAddress().getPort())) {
            int port = server.localAddress().getPort();
            dev.polyserve.core.auth.HmacClient.answer(observer, key);
            observer.setSoTimeout((int) DEADLINE.toMillis());
            BufferedReader obsIn = new BufferedReader(new InputStreamReader(observer.getInputStream(), StandardCharsets.UTF_8));
            OutputStream obsOut = observer.getOutputStream();
            obsOut.write("obs\n".getBytes(StandardCharsets.UTF_8));
            awaitLine(obsIn, "* Hello obs!");

            PipedOutputStream keyboard = new PipedOutputStream();
            ByteArrayOutputStream screen = new ByteArrayOutputStream();
            Terminal terminal = TerminalBuilder.builder().system(false).dumb(true).type("dumb")
                    .streams(new PipedInputStream(keyboard), screen).encoding(StandardCharsets.UTF_8).build();
            ChatClientCommand client = new ChatClientCommand();
            client.terminal = terminal;
            CommandLine cmd = new CommandLine(client);
            cmd.setErr(new PrintWriter(new ByteArrayOutputStream(), true));
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cmd.execute(
                    "127.0.0.1", Integer.toString(port), "--name", "ann", "--auth-key-file", keyFile.toString()));

            awaitLine(obsIn, "* ann joined");
            keyboard.write("hi there\n".getBytes(StandardCharsets.UTF_8));
            keyboard.flush();
            awaitLine(obsIn, "ann: hi there");
            keyboard.write("name\tsize\n".getBytes(StandardCharsets.UTF_8));   // a tab is typed, not completed
            keyboard.flush();
            awaitLine(obsIn, "ann: name\tsize");
            obsOut.write("hello ann\n".getBytes(StandardCharsets.UTF_8));
            Await.until(DEADLINE, "the client prints the room's line",
                    () -> screen.toString(StandardCharsets.UTF_8).contains("obs: hello ann"));
            assertThat(screen.toString(StandardCharsets.UTF_8)).contains("* Welcome to polyserve chat").contains("* Hello ann!")
                    .as("--name answered the question").doesNotContain("Your name?");

            keyboard.write("/quit\n".getBytes(StandardCharsets.UTF_8));
            keyboard.flush();
            assertThat(exit.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isZero();
            awaitLine(obsIn, "* ann left");
        }
    }

    @Test
    void aGatedServerWithoutAKeyOrWithTheWrongOneIsOneClearLine(@TempDir Path dir) throws Exception {
        HmacKey key = new HmacKey("user", "the-right-key-0123456789".getBytes(StandardCharsets.UTF_8));
        Path wrong = Files.write(dir.resolve("wrong"), "not-the-right-key-0123456789".getBytes(StandardCharsets.UTF_8));
        ChatService chat = new ChatService(ChatLimits.DEFAULTS, ChatProtocol.LINES);
        try (Server server = Server.tcp(0).model("nio").service(new HmacGate(chat, List.of(key), HmacGate.DEFAULT_DEADLINE)).start()) {
            String port = Integer.toString(server.localAddress().getPort());
            assertThat(refusal("127.0.0.1", port, "--name", "ann"))
                    .isEqualTo("polyserve chat: 127.0.0.1:" + port + ": this server needs --auth-key-file (it sent an HMAC challenge, not a chat greeting)");
            assertThat(refusal("127.0.0.1", port, "--auth-key-file", wrong.toString()))
                    .isEqualTo("polyserve chat: 127.0.0.1:" + port + ": wrong key: the server's HMAC gate refused --auth-key-file and closed the connection");
        }
        try (Server open = Server.tcp(0).model("nio").service(chat).start()) {
            String port = Integer.toString(open.localAddress().getPort());
            assertThat(refusal("127.0.0.1", port, "--auth-key-file", wrong.toString()))
                    .endsWith(": this server has no HMAC gate: leave out --auth-key-file");
        }
    }

    /** Runs the client, which must refuse to start the conversation: exit 1, nothing on the screen; returns stderr. */
    private static String refusal(String... args) throws Exception {
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        ChatClientCommand client = new ChatClientCommand();
        client.terminal = TerminalBuilder.builder().system(false).dumb(true).type("dumb")
                .streams(new java.io.ByteArrayInputStream(new byte[0]), screen).encoding(StandardCharsets.UTF_8).build();
        CommandLine cmd = new CommandLine(client);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        cmd.setErr(new PrintWriter(err, true));
        assertThat(cmd.execute(args)).isEqualTo(1);
        assertThat(screen.size()).as("no challenge bytes on the screen").isZero();
        assertThat(err.toString(StandardCharsets.UTF_8).lines()).hasSize(1);
        return err.toString(StandardCharsets.UTF_8).strip();
    }

    @Test
    void anUnreachableServerIsExitCodeOne() {
        CommandLine cmd = new CommandLine(new ChatClientCommand());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        cmd.setErr(new PrintWriter(err, true));
        assertThat(cmd.execute("127.0.0.1", "1")).isEqualTo(1);
        assertThat(err.toString()).contains("cannot connect to 127.0.0.1:1");
    }

    private static void awaitLine(BufferedReader in, String prefix) throws Exception {
        for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith(prefix)) return;
        }
        throw new AssertionError("stream ended before a line starting " + prefix);
    }
}

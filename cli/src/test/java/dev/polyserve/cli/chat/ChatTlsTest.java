package dev.polyserve.cli.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.polyserve.core.Await;
import dev.polyserve.core.Server;
import dev.polyserve.core.ServerConfig;
import dev.polyserve.core.tls.Pem;
import dev.polyserve.core.tls.TestTls;
import dev.polyserve.core.tls.TlsProvider;
import dev.polyserve.core.tls.TlsService;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/** The chat room over TLS: {@code openssl s_client} as one member, {@code polyserve chat --ca} as another. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class ChatTlsTest {
    static final Duration DEADLINE = Duration.ofSeconds(20);

    private static boolean hasOpenssl() {
        try {
            return new ProcessBuilder("openssl", "version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    /** On the JDK's TLS and on Conscrypt's (BoringSSL). */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TlsProvider.class, names = {"JDK", "CONSCRYPT"})
    void opensslAndThePolyserveClientTalkInOneRoomOverTls(TlsProvider provider, @TempDir Path dir) throws Exception {
        assumeTrue(hasOpenssl(), "openssl is not installed");
        Path ca = Files.writeString(dir.resolve("cert.pem"), Pem.encode("CERTIFICATE", TestTls.CERT.certificate().getEncoded()));
        ChatService chat = new ChatService(ChatLimits.DEFAULTS, ChatProtocol.LINES);
        try (Server server = Server.tcp(0).host("127.0.0.1").model("nio")
                .service(TlsService.of(chat, TestTls.server(provider), ServerConfig.DEFAULT_WRITE_QUEUE_LIMIT)).start()) {
            String port = Integer.toString(server.localAddress().getPort());
            Process openssl = new ProcessBuilder("openssl", "s_client", "-quiet", "-verify_return_error", "-CAfile", ca.toString(),
                    "-servername", "localhost", "-connect", "127.0.0.1:" + port).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try {
                BufferedReader obsIn = new BufferedReader(new InputStreamReader(openssl.getInputStream(), StandardCharsets.UTF_8));
                OutputStream obsOut = openssl.getOutputStream();
                awaitLine(obsIn, "* Welcome to polyserve chat");
                obsOut.write("obs\n".getBytes(StandardCharsets.UTF_8));
                obsOut.flush();
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
                        "localhost", port, "--name", "ann", "--ca", ca.toString()));
                awaitLine(obsIn, "* ann joined");
                keyboard.write("hi over tls\n".getBytes(StandardCharsets.UTF_8));
                keyboard.flush();
                awaitLine(obsIn, "ann: hi over tls");
                obsOut.write("hello ann\n".getBytes(StandardCharsets.UTF_8));
                obsOut.flush();
                Await.until(DEADLINE, "the client prints openssl's line",
                        () -> screen.toString(StandardCharsets.UTF_8).contains("obs: hello ann"));
                keyboard.write("/quit\n".getBytes(StandardCharsets.UTF_8));
                keyboard.flush();
                assertThat(exit.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isZero();
                awaitLine(obsIn, "* ann left");
            } finally {
                openssl.destroy();
                openssl.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void anUntrustedCertificateOrAPlaintextServerIsOneClearLine(@TempDir Path dir) throws Exception {
        ChatService chat = new ChatService(ChatLimits.DEFAULTS, ChatProtocol.LINES);
        try (Server tls = Server.tcp(0).host("127.0.0.1").model("nio")
                .service(TlsService.of(chat, TestTls.server(), ServerConfig.DEFAULT_WRITE_QUEUE_LIMIT)).start();
             Server plain = Server.tcp(0).host("127.0.0.1").model("nio").service(chat).start()) {
            String tlsPort = Integer.toString(tls.localAddress().getPort());
            // the JDK's CAs do not know a self-signed certificate
            assertThat(run("localhost", tlsPort, "--tls")).satisfies(r -> {
                assertThat(r.code()).isEqualTo(1);
                assertThat(r.err()).startsWith("polyserve chat: localhost:" + tlsPort + ": TLS handshake failed: ");
            });
            String plainPort = Integer.toString(plain.localAddress().getPort());
            assertThat(run("127.0.0.1", plainPort, "--insecure")).satisfies(r -> {
                assertThat(r.code()).isEqualTo(1);
                assertThat(r.err()).contains("TLS handshake failed").contains("does the server speak TLS?");
            });
            assertThat(run("127.0.0.1", tlsPort, "--insecure", "--ca", dir.resolve("x.pem").toString()).code()).isEqualTo(2);
        }
    }

    private record Result(int code, String err) {}

    private static Result run(String... args) throws Exception {
        ChatClientCommand client = new ChatClientCommand();
        client.terminal = TerminalBuilder.builder().system(false).dumb(true).type("dumb")
                .streams(new java.io.ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream()).build();
        CommandLine cmd = new CommandLine(client);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new Result(code, err.toString(StandardCharsets.UTF_8).strip());
    }

    private static void awaitLine(BufferedReader in, String prefix) throws Exception {
        for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith(prefix)) return;
        }
        throw new AssertionError("stream ended before a line starting " + prefix);
    }
}

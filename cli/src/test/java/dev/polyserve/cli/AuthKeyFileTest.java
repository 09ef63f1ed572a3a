package dev.polyserve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.core.auth.HmacClient;
import dev.polyserve.core.auth.HmacGate;
import dev.polyserve.core.auth.HmacKey;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --auth-key-file} gates every TCP service the same way, because every {@code serve} command is assembled by
 * one pipeline: a client without the key gets the challenge and nothing of the service; with it, the service.
 */
class AuthKeyFileTest {
    @TempDir
    Path dir;

    private PolyserveProcess start(String service, Path key) throws Exception {
        List<String> args = new ArrayList<>(List.of("serve", service, "--port", "0", "--auth-key-file", key.toString()));
        switch (service) {
            case "http" -> args.addAll(List.of("--access-log", "off"));
            case "ftp" -> {
                Files.createDirectories(dir.resolve("root"));
                args.addAll(List.of("--root", dir.resolve("root").toString(), "--anonymous"));
            }
            case "chat" -> args.add("--no-console");
            case "exec" -> args.addAll(List.of("--", "/bin/cat"));
            default -> { }
        }
        return PolyserveProcess.start(args.toArray(String[]::new));
    }

    /** The first bytes a client of {@code service} sees once admitted (after a request, for services that wait for one). */
    private static String greeting(String service, InputStream in, OutputStream out) throws Exception {
        switch (service) {
            case "echo", "exec" -> out.write("ping\n".getBytes(StandardCharsets.US_ASCII));
            case "http" -> out.write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            default -> { } // chat and FTP speak first
        }
        out.flush();
        byte[] buf = new byte[switch (service) {
            case "echo", "exec" -> 4;
            case "http" -> 12;
            case "ftp" -> 3;
            default -> 1;
        }];
        int n = in.readNBytes(buf, 0, buf.length);
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"echo", "chat", "http", "ftp", "exec"})
    void keyHoldersAreServedOthersOnlySeeTheChallenge(String service) throws Exception {
        Path keyFile = dir.resolve("key");
        byte[] secret = new byte[32];
        new java.security.SecureRandom().nextBytes(secret);
        Files.write(keyFile, secret);
        HmacKey key = new HmacKey("user", secret);
        try (PolyserveProcess p = start(service, keyFile)) {
            int port = PolyserveProcess.port(p.awaitListening());

            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(20_000);
                HmacClient.answer(s, key);
                String first = greeting(service, s.getInputStream(), s.getOutputStream());
                switch (service) {
                    case "echo", "exec" -> assertThat(first).startsWith("ping");
                    case "chat" -> assertThat(first).isNotBlank();
                    case "http" -> assertThat(first).startsWith("HTTP/1.1 200");
                    case "ftp" -> assertThat(first).startsWith("220");
                    default -> throw new AssertionError(service);
                }
            }

            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(20_000);
                InputStream in = s.getInputStream();
                byte[] challenge = in.readNBytes(HmacGate.CHALLENGE_BYTES);
                assertThat(challenge).hasSize(HmacGate.CHALLENGE_BYTES);
                byte[] wrong = HmacClient.answer(new HmacKey("other", new byte[32]), challenge);
                s.getOutputStream().write(wrong);
                s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\nping\nUSER anonymous\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] rest = in.readAllBytes();
                assertThat(rest).as("a client with the wrong key gets nothing of the %s service: %s", service,
                        Arrays.toString(rest)).isEmpty();
            }
            assertThat(p.terminate()).isZero();
        }
    }
}

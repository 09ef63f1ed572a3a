package dev.polyserve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.core.auth.HmacClient;
import dev.polyserve.core.auth.HmacKey;
import dev.polyserve.services.chat.WebMember;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code polyserve serve chat} as a user runs it, with raw sockets in the role of nc. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ServeChatCommandTest {

    /** One nc session. */
    static final class Nc implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;
        final OutputStream out;

        Nc(int port) throws IOException {
            this(port, null);
        }

        Nc(int port, HmacKey key) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(20_000);
            if (key != null) HmacClient.answer(socket, key);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = socket.getOutputStream();
        }

        Nc type(String line) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return this;
        }

        String expect(String prefix) throws IOException {
            String line = in.readLine();
            assertThat(line).as("next line").isNotNull().startsWith(prefix);
            return line;
        }

        Nc join(String name) throws IOException {
            expect("* Welcome to polyserve chat");
            expect("* Your name?");
            type(name);
            expect("* Hello " + name + "!");
            return this;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void theProcessModelIsRefusedRatherThanSplittingTheRoom() throws Exception {
        try (PolyserveProcess p = PolyserveProcess.start("serve", "chat", "--port", "0", "--model", "process", "--no-console")) {
            assertThat(p.process.waitFor()).as("usage error").isEqualTo(2);
            assertThat(p.remainingStdout()).as("no listening line").isEmpty();
        }
    }

    /**
     * Under prefork the room spans the workers: members the kernel handed to different worker JVMs see each other,
     * names stay unique across workers, the master's console reaches all, and a killed worker's members are
     * announced as gone.
     */
    @Test
    void preforkWorkersShareOneRoom() throws Exception {
        try (PolyserveProcess p = PolyserveProcess.start("serve", "chat", "--port", "0", "--model", "prefork", "--workers", "2")) {
            String line = p.awaitListening();
            assertThat(line).endsWith("(service=chat, model=prefork, transport=tcp)");
            int port = PolyserveProcess.port(line);
            List<Long> workers = p.children();
            // SO_REUSEPORT picks a worker per connection: connect until each of two workers holds one (bounded).
            Map<Long, Nc> byWorker = new HashMap<>();
            List<Nc> spares = new ArrayList<>();
            for (int i = 0; i < 40 && byWorker.size() < 2; i++) {
                Nc nc = new Nc(port);
                nc.expect("* Welcome");   // written by the worker that accepted it
                long pid = PolyserveProcess.pidServing(nc.socket, workers);
                assertThat(pid).as("some worker holds the connection").isPositive();
                if (byWorker.putIfAbsent(pid, nc) != null) spares.add(nc);
            }
            assertThat(byWorker).as("connections on two different workers").hasSize(2);
            for (Nc nc : spares) nc.close();
            Iterator<Map.Entry<Long, Nc>> it = byWorker.entrySet().iterator();
            Nc ann = it.next().getValue();
            Map.Entry<Long, Nc> second = it.next();
            Nc bob = second.getValue();
            long bobsWorker = second.getKey();

            ann.expect("* Your name?");
            ann.type("ann").expect("* Hello ann!");
            bob.expect("* Your name?");
            bob.type("ANN").expect("* The name ANN is taken. Your name?");
            bob.type("bob").expect("* Hello bob! Here: ann.");
            ann.expect("* bob joined");

            bob.type("hello from the other worker");
            ann.expect("bob: hello from the other worker");
            ann.type("/msg bob psst").expect("[private to bob] psst");
            bob.expect("[private] ann: psst");
            bob.type("/list").expect("* 2 members: ann, bob");

            OutputStream console = p.process.getOutputStream();
            console.write("maintenance at noon\n".getBytes(StandardCharsets.UTF_8));
            console.flush();
            ann.expect("[admin] maintenance at noon");
            bob.expect("[admin] maintenance at noon");

            ProcessHandle.of(bobsWorker).orElseThrow().destroyForcibly();   // SIGKILL: bob's connection dies with it
            ann.expect("* bob left");
            ann.type("/list").expect("* 1 member: ann");

            assertThat(p.terminate()).as("exit code after SIGTERM").isZero();
            ann.expect("* The server is shutting down. Bye.");
            ann.close();
        }
    }

    @Test
    void threeNcSessionsChatAndTheConsoleAnnounces() throws Exception {
        try (PolyserveProcess p = PolyserveProcess.start("serve", "chat", "--port", "0")) {
            String line = p.awaitListening();
            assertThat(line).matches("listening on 127\\.0\\.0\\.1:\\d+ \\(service=chat, model=nio, transport=tcp\\)");
            int port = PolyserveProcess.port(line);
            try (Nc ann = new Nc(port).join("ann"); Nc bob = new Nc(port).join("bob"); Nc cy = new Nc(port)) {
                ann.expect("* bob joined");
                cy.expect("* Welcome");
                cy.expect("* Your name?");
                cy.type("ANN").expect("* The name ANN is taken. Your name?");
                cy.type("cy").expect("* Hello cy! Here: ann, bob.");
                ann.expect("* cy joined");
                bob.expect("* cy joined");

                bob.type("hello room");
                ann.expect("bob: hello room");
                cy.expect("bob: hello room");
                cy.type("/list").expect("* 3 members: ann, bob, cy");
                ann.type("/msg cy hi cy").expect("[private to cy] hi cy");
                cy.expect("[private] ann: hi cy");

                OutputStream console = p.process.getOutputStream();
                console.write("maintenance at noon\n".getBytes(StandardCharsets.UTF_8));
                console.flush();
                for (Nc nc : new Nc[] {ann, bob, cy}) nc.expect("[admin] maintenance at noon");

                cy.close();
                ann.expect("* cy left");
                bob.expect("* cy left");

                assertThat(p.terminate()).as("exit code after SIGTERM").isZero();
                ann.expect("* The server is shutting down. Bye.");
            }
        }
    }

    /** The real {@code nc} (netcat-openbsd, installed by .ci/run) as the client: what a user types. */
    static final class RealNc implements AutoCloseable {
        final Process process;
        final BufferedReader out;

        RealNc(int port) throws IOException {
            process = new ProcessBuilder("nc", "127.0.0.1", Integer.toString(port))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        RealNc type(String line) throws IOException {
            process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().flush();
            return this;
        }

        /** The next line nc printed (a deadline-bound read: the test's @Timeout stops a hung nc). */
        String expect(String prefix) throws IOException {
            String line = out.readLine();
            assertThat(line).as("next line from nc").isNotNull().startsWith(prefix);
            return line;
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    @Test
    void realNcSessionsJoinAndChat() throws Exception {
        try (PolyserveProcess p = PolyserveProcess.start("serve", "chat", "--port", "0", "--no-console")) {
            int port = PolyserveProcess.port(p.awaitListening());
            try (RealNc ann = new RealNc(port); RealNc bob = new RealNc(port)) {
                ann.expect("* Welcome");
                ann.expect("* Your name?");
                ann.type("ann").expect("* Hello ann!");
                bob.expect("* Welcome");
                bob.expect("* Your name?");
                bob.type("Ann").expect("* The name Ann is taken. Your name?");
                bob.type("bob").expect("* Hello bob! Here: ann.");
                ann.expect("* bob joined");
                bob.type("héllo, ann");
                ann.expect("bob: héllo, ann");
                ann.type("/list").expect("* 2 members: ann, bob");
                bob.type("/quit").expect("* Bye.");
                ann.expect("* bob left");
            }
            assertThat(p.terminate()).isZero();
        }
    }

    @Test
    void authKeyFileGatesAnyTcpServiceAndAdminKeyHoldersMayAnnounce(@TempDir Path dir) throws Exception {
        HmacKey user = new HmacKey("user", "user-key-for-the-cli-test".getBytes(StandardCharsets.UTF_8));
        HmacKey admin = new HmacKey("admin", "admin-key-for-the-cli-test".getBytes(StandardCharsets.UTF_8));
        Path userFile = dir.resolve("user.key");
        Path adminFile = dir.resolve("admin.key");
        Files.write(userFile, user.secret());
        Files.writeString(adminFile, "admin-key-for-the-cli-test\n");   // a trailing newline is ignored

        try (PolyserveProcess echo = PolyserveProcess.start("serve", "echo", "--port", "0", "--auth-key-file", userFile.toString())) {
            int port = PolyserveProcess.port(echo.awaitListening());
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(20_000);
                HmacClient.answer(s, user);
                s.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(s.getInputStream().readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("ping");
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(20_000);
                s.getOutputStream().write("x".repeat(32).getBytes(StandardCharsets.US_ASCII));
                assertThat(s.getInputStream().readAllBytes()).as("the challenge, then a close").hasSize(32);
            }
            assertThat(echo.terminate()).isZero();
        }

        try (PolyserveProcess chat = PolyserveProcess.start("serve", "chat", "--port", "0", "--no-console",
                "--auth-key-file", userFile.toString(), "--admin-key-file", adminFile.toString())) {
            int port = PolyserveProcess.port(chat.awaitListening());
            try (Nc ann = new Nc(port, user).join("ann"); Nc boss = new Nc(port, admin).join("boss")) {
                ann.expect("* boss joined");
                ann.type("/admin hello").expect("* Only clients that passed the HMAC gate with the admin key may use /admin.");
                boss.type("/admin fire drill at three");
                ann.expect("[admin] fire drill at three");
                boss.expect("[admin] fire drill at three");
            }
            assertThat(chat.terminate()).isZero();
        }
    }

    @Test
    void framesPortServesTheSameRoomToPrograms() throws Exception {
        int framesPort;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            framesPort = probe.getLocalPort();   // a free port for the second listener
        }
        try (PolyserveProcess p = PolyserveProcess.start("serve", "chat", "--port", "0", "--no-console",
                "--frames-port", Integer.toString(framesPort))) {
            int port = PolyserveProcess.port(p.awaitListening());
            try (Nc ann = new Nc(port).join("ann"); Socket bot = new Socket("127.0.0.1", framesPort)) {
                bot.setSoTimeout(20_000);
                byte[] json = "{\"type\":\"name\",\"name\":\"bot\"}{\"type\":\"say\",\"text\":\"beep\"}".getBytes(StandardCharsets.UTF_8);
                java.nio.ByteBuffer wire = java.nio.ByteBuffer.allocate(8 + json.length);
                wire.putInt(28).put(json, 0, 28).putInt(json.length - 28).put(json, 28, json.length - 28);
                bot.getOutputStream().write(wire.array());
                ann.expect("* bot joined");
                ann.expect("bot: beep");
            }
            assertThat(p.terminate()).isZero();
        }
    }

    /**
     * {@code --web-port} under prefork: the master serves the page, and its browser members share the workers' room
     * (names, lines both ways, the console's announcements, a worker's members leaving when it dies).
     */
    @Test
    void webPortJoinsBrowsersToThePreforkRoom() throws Exception {
        int webPort;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            webPort = probe.getLocalPort();   // a free port for the page
        }
        try (PolyserveProcess p = PolyserveProcess.start("serve", "chat", "--port", "0", "--model", "prefork",
                "--workers", "2", "--web-port", Integer.toString(webPort))) {
            int port = PolyserveProcess.port(p.awaitListening());
            try (Nc ann = new Nc(port).join("ann"); WebMember web = new WebMember(webPort)) {
                web.expectNotice("welcome");
                web.expectNotice("ask-name");
                web.send("Ann");
                web.expectNotice("name-taken");
                web.send("bob");
                assertThat(web.expectNotice("hello").path("text").asText()).contains("Here: ann.");
                ann.expect("* bob joined");
                web.send("hello from the browser");
                ann.expect("bob: hello from the browser");
                ann.type("hi bob");
                web.await(WebMember.type("said", "text", "hi bob"), "ann's line");

                OutputStream console = p.process.getOutputStream();
                console.write("maintenance at noon\n".getBytes(StandardCharsets.UTF_8));
                console.flush();
                ann.expect("[admin] maintenance at noon");
                web.await(WebMember.type("admin", "text", "maintenance at noon"), "the announcement");

                long annsWorker = PolyserveProcess.pidServing(ann.socket, p.children());
                ProcessHandle.of(annsWorker).orElseThrow().destroyForcibly();
                web.await(WebMember.type("left", "name", "ann"), "ann's worker's end");
            }
            assertThat(p.terminate()).isZero();
        }
    }

    @Test
    void anAdminKeyWithoutAnAuthKeyIsAUsageError(@TempDir Path dir) throws Exception {
        Path adminFile = dir.resolve("admin.key");
        Files.writeString(adminFile, "admin-key-for-the-cli-test");
        try (PolyserveProcess p = PolyserveProcess.start("serve", "chat", "--port", "0", "--admin-key-file", adminFile.toString())) {
            assertThat(p.process.waitFor()).isEqualTo(2);
            assertThat(p.remainingStdout()).isEmpty();
        }
    }
}

package dev.polyserve.services.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.core.CapturedStderr;
import dev.polyserve.core.Engines;
import dev.polyserve.core.Server;
import dev.polyserve.core.auth.HmacGate;
import dev.polyserve.core.auth.HmacKey;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The chat room on real loopback sockets, on every model this class path offers. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ChatServerTest {
    static final int CLIENTS = 20;
    static final int MESSAGES = 200;

    private final List<Server> servers = new ArrayList<>();
    private final List<LineClient> clients = new ArrayList<>();

    /** Models that serve connections side by side; {@code iterative} serves one at a time (tested on its own). */
    /** The last byte of the next loopback source address no test has used yet: 127.0.9.1, 127.0.9.2, ... */
    private static final java.util.concurrent.atomic.AtomicInteger NEXT_SOURCE = new java.util.concurrent.atomic.AtomicInteger(1);

    private static java.net.InetAddress freshSource() throws java.net.UnknownHostException {
        return java.net.InetAddress.getByAddress(new byte[] {127, 0, 9, (byte) NEXT_SOURCE.getAndIncrement()});
    }

    static Stream<String> concurrentModels() {
        return Engines.availableNames().stream().filter(m -> !m.equals("iterative"));
    }

    private int start(String model, ChatService chat) throws IOException {
        return start(model, chat, chat);
    }

    private int start(String model, ChatService chat, dev.polyserve.core.Service served) throws IOException {
        Server s = Server.tcp(0).model(model).service(served).start();
        servers.add(s);
        return s.localAddress().getPort();
    }

    private LineClient track(LineClient c) {
        clients.add(c);
        return c;
    }

    @AfterEach
    void tearDown() throws IOException {
        for (LineClient c : clients) c.close();
        for (Server s : servers) s.stop(Duration.ofSeconds(2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("concurrentModels")
    void threeNcSessionsJoinChatListMessageAndHearTheConsole(String model) throws Exception {
        ChatService chat = new ChatService(ChatLimits.DEFAULTS, ChatProtocol.LINES);
        int port = start(model, chat);
        LineClient ann = track(LineClient.join(port, "ann"));
        assertThat(ann.lines).isEmpty();
        LineClient bob = track(LineClient.join(port, "bob"));
        ann.expect("* bob joined");

        LineClient dup = track(new LineClient(port));
        dup.expect("* Welcome");
        dup.expect("* Your name?");
        dup.send("Bob");
        dup.expect("* The name Bob is taken. Your name?");
        dup.send("cy");
        dup.expect("* Hello cy! Here: ann, bob.");
        LineClient cy = dup;
        ann.expect("* cy joined");
        bob.expect("* cy joined");

        ann.send("hi everyone");
        bob.expect("ann: hi everyone");
        cy.expect("ann: hi everyone");
        cy.send("/list");
        cy.expect("* 3 members: ann, bob, cy");
        bob.send("/msg cy just between us");
        bob.expect("[private to cy] just between us");
        cy.expect("[private] bob: just between us");

        PipedOutputStream console = new PipedOutputStream();
        AdminConsole.start(new PipedInputStream(console), chat);
        console.write("server restarts at noon\n".getBytes(StandardCharsets.UTF_8));
        console.flush();
        for (LineClient c : List.of(ann, bob, cy)) c.expect("[admin] server restarts at noon");
        console.close();

        bob.send("/quit");
        bob.expect("* Bye.");
        bob.awaitEof();
        ann.expect("* bob left");
        cy.expect("* bob left");
        cy.close();   // drops without a word
        ann.expect("* cy left");
        assertThat(ann.lines).isEmpty();   // nothing twice, nothing about ann herself
    }

    /**
     * A member whose line never ends (a trickle of bytes with no newline) is told why and dropped at the line
     * deadline; the others hear it left, and a member who finishes its lines stays.
     */
    @Test
    void aLineLeftUnfinishedPastTheDeadlineDropsTheMemberWithANotice() throws Exception {
        ChatService chat = new ChatService(ChatLimits.DEFAULTS.withLineTimeout(Duration.ofMillis(300)), ChatProtocol.LINES);
        int port = start("nio", chat);
        LineClient ann = track(LineClient.join(port, "ann"));
        LineClient bob = track(LineClient.join(port, "bob"));
        ann.expect("* bob joined");
        bob.sendRaw("never end".getBytes(StandardCharsets.UTF_8));
        bob.expect("* Closing: a line was left unfinished for 0.3 s.");
        bob.awaitEof();
        ann.expect("* bob left (unfinished line)");
        ann.send("still here");
        LineClient cy = track(LineClient.join(port, "cy"));
        ann.expect("* cy joined");
        cy.send("/list");
        cy.expect("* 2 members: ann, cy");
    }

    /** The unfinished-line deadline in the trickle tests. */
    private static final Duration LINE_TIMEOUT = Duration.ofMillis(300);
    /**
     * The trickle: one byte this often, a fifteenth of the deadline, so that a timer each byte reset would not fire
     * (unless the machine stalls the sender for the whole deadline).
     */
    private static final Duration TRICKLE_EVERY = Duration.ofMillis(20);
    /** Bytes a trickle sends at most (40 s of them): fewer than a line or frame may hold, so no length limit interferes. */
    private static final int TRICKLE_MAX_BYTES = 2000;

    /**
     * Sends {@code b} one byte at a time (no Nagle: each its own segment) every {@link #TRICKLE_EVERY} on a thread
     * of its own, until closed, the server ends the connection (the write fails) or {@link #TRICKLE_MAX_BYTES} went
     * out.
     */
    private static AutoCloseable trickle(java.net.Socket socket, byte b) throws IOException {
        socket.setTcpNoDelay(true);
        java.io.OutputStream out = socket.getOutputStream();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < TRICKLE_MAX_BYTES; i++) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(TRICKLE_EVERY);
                }
            } catch (IOException | InterruptedException ended) {
                // dropped by the server, or the test is done
            }
        });
        return () -> {
            t.interrupt();
            t.join(LineClient.DEADLINE.toMillis());
        };
    }

    /**
     * A member whose line never ends while its bytes keep coming (slowloris against the room: every byte would
     * reset an idle timer) is dropped when the line has been unfinished for the line deadline, on every model:
     * the notice, the end of the stream, and the room hears why it left.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("concurrentModels")
    void aMemberTricklingALineThatNeverEndsIsDroppedAtTheLineDeadline(String model) throws Exception {
        ChatService chat = new ChatService(ChatLimits.DEFAULTS.withLineTimeout(LINE_TIMEOUT), ChatProtocol.LINES);
        int port = start(model, chat);
        try (CapturedStderr log = new CapturedStderr()) {
            LineClient ann = track(LineClient.join(port, "ann"));
            // From an address of its own: the server logs such drops at most 3 a minute per client address, and this
            // test runs once per model.
            LineClient bob = track(LineClient.joinFrom(freshSource(), port, "bob"));
            String bobAddress = bob.socket.getLocalSocketAddress().toString(); // as the server logs its peer
            ann.expect("* bob joined");
            bob.send("a whole line first");
            ann.expect("bob: a whole line first");
            try (AutoCloseable t = trickle(bob.socket, (byte) 'x')) {
                bob.expect("* Closing: a line was left unfinished for 0.3 s.");
                bob.awaitEof();
            }
            ann.expect("* bob left (unfinished line)");
            ann.send("/list");
            ann.expect("* 1 member: ann");
            assertThat(log.text().lines().filter(l -> l.contains(bobAddress) && l.contains("stayed unfinished")))
                    .as("one log line for the dropped member: %s", log.text()).hasSize(1);
        }
    }

    /** The same in frames mode: a frame whose announced header never finishes arriving, a byte at a time. */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"virtual", "nio", "epoll"})
    void aFrameTrickledForeverIsDroppedAtTheLineDeadline(String model) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Engines.availableNames().contains(model));
        ChatService chat = new ChatService(ChatLimits.DEFAULTS.withLineTimeout(LINE_TIMEOUT), ChatProtocol.FRAMES);
        int port = start(model, chat);
        try (FrameClient a = new FrameClient(port); FrameClient b = new FrameClient(port)) {
            for (FrameClient c : List.of(a, b)) {
                assertThat(c.next().get("code").asText()).isEqualTo("welcome");
                assertThat(c.next().get("code").asText()).isEqualTo("ask-name");
            }
            a.send("{\"type\":\"name\",\"name\":\"alpha\"}");
            assertThat(a.next().get("code").asText()).isEqualTo("hello");
            b.send("{\"type\":\"name\",\"name\":\"beta\"}");
            assertThat(b.next().get("code").asText()).isEqualTo("hello");
            assertThat(a.next().get("type").asText()).isEqualTo("joined");
            // A header of 20,000 bytes announced (the limit is 25,600), then its bytes one by one.
            b.sendRaw(java.nio.ByteBuffer.allocate(4).putInt(20_000).array());
            try (AutoCloseable t = trickle(b.socket, (byte) ' ')) {
                assertThat(b.next().get("code").asText()).isEqualTo("unfinished-line");
                assertThat(b.awaitEndOrReset()).isTrue();
            }
            var left = a.next();
            assertThat(left.get("type").asText()).isEqualTo("left");
            assertThat(left.get("reason").asText()).isEqualTo("unfinished-line");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("concurrentModels")
    void everyClientGetsEveryOtherClientsMessagesOnceInSenderOrder(String model) throws Exception {
        ChatService chat = new ChatService(ChatLimits.DEFAULTS.withLinesPerSecond(0), ChatProtocol.LINES);
        int port = start(model, chat);
        List<LineClient> room = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) room.add(track(LineClient.join(port, String.format("c%02d", i))));
        // Every join is announced before anyone speaks, so nobody misses a message sent before it arrived.
        // (Joins of different clients may be announced in either order: each joiner announces itself.)
        for (int i = 0; i < CLIENTS; i++) {
            LineClient c = room.get(i);
            java.util.Set<String> expected = new java.util.HashSet<>();
            java.util.Set<String> got = new java.util.HashSet<>();
            for (int j = i + 1; j < CLIENTS; j++) {
                expected.add(String.format("* c%02d joined", j));
                got.add(c.next());
            }
            assertThat(got).isEqualTo(expected);
        }

        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> senders = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                LineClient c = room.get(i);
                String name = String.format("c%02d", i);
                senders.add(pool.submit(() -> {
                    StringBuilder batch = new StringBuilder();
                    for (int m = 0; m < MESSAGES; m++) {
                        batch.append(name).append(" says ").append(m).append('\n');
                        if (m % 7 == 6) {   // several writes of uneven size: lines split across reads
                            c.sendRaw(batch.toString().getBytes(StandardCharsets.UTF_8));
                            batch.setLength(0);
                        }
                    }
                    c.sendRaw(batch.toString().getBytes(StandardCharsets.UTF_8));
                    return null;
                }));
            }
            List<Future<Map<String, List<Integer>>>> receivers = new ArrayList<>();
            for (LineClient c : room) {
                receivers.add(pool.submit(() -> {
                    Map<String, List<Integer>> bySender = new HashMap<>();
                    for (int n = 0; n < (CLIENTS - 1) * MESSAGES; n++) {
                        String line = c.next();
                        int colon = line.indexOf(": ");
                        assertThat(colon).as(line).isPositive();
                        String from = line.substring(0, colon);
                        String text = line.substring(colon + 2);
                        assertThat(text).startsWith(from + " says ");
                        bySender.computeIfAbsent(from, k -> new ArrayList<>())
                                .add(Integer.parseInt(text.substring(from.length() + 6)));
                    }
                    return bySender;
                }));
            }
            for (Future<?> f : senders) f.get(60, TimeUnit.SECONDS);
            List<Integer> inOrder = java.util.stream.IntStream.range(0, MESSAGES).boxed().toList();
            for (int i = 0; i < CLIENTS; i++) {
                Map<String, List<Integer>> got = receivers.get(i).get(60, TimeUnit.SECONDS);
                String self = String.format("c%02d", i);
                assertThat(got).as("client " + self).doesNotContainKey(self).hasSize(CLIENTS - 1);
                got.forEach((from, seq) -> assertThat(seq).as(self + " hearing " + from).isEqualTo(inOrder));
            }
        }
        for (LineClient c : room) assertThat(c.lines).as("nothing extra").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("concurrentModels")
    void aClientThatDoesNotReadIsDroppedWithoutStallingTheOthers(String model) throws Exception {
        ChatLimits limits = ChatLimits.DEFAULTS.withLinesPerSecond(0).withMaxQueuedBytes(64 << 10);
        ChatService chat = new ChatService(limits, ChatProtocol.LINES);
        int port = start(model, chat);
        LineClient talker = track(LineClient.join(port, "talker"));
        LineClient listener = track(LineClient.join(port, "listener"));
        talker.expect("* listener joined");

        // The sloth joins, then never reads again: a small receive buffer so the server's queue fills soon.
        LineClient sloth = track(new LineClient(port, null, 4096));
        sloth.send("sloth");
        talker.expect("* sloth joined");
        listener.expect("* sloth joined");
        sloth.socket.shutdownInput();   // stop our reader; the kernel buffer stays small and full

        // Lock step: the listener hears each line before the next is sent, so only the sloth backs up. The
        // cap (20 MB) is far above loopback socket buffers plus the room's 64 KiB allowance.
        String line = "x".repeat(4000);
        boolean told = false;
        for (int i = 0; i < 5000 && !told; i++) {
            talker.send(line);
            String got = listener.next();
            if (got.equals("* sloth left (too slow)")) {
                told = true;
                got = listener.next();
            }
            assertThat(got).isEqualTo("talker: " + line);
        }
        assertThat(told).as("the room announced the slow client's drop").isTrue();
        talker.await("* sloth left (too slow)"::equals, "the drop notice");
        talker.send("/list");
        talker.await(l -> l.startsWith("* 2 members:"), "the list without the sloth");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("concurrentModels")
    void adminKeyHoldersMayAnnounceThroughTheGateOthersMayNot(String model) throws Exception {
        HmacKey user = new HmacKey("user", "user-key-0123456789".getBytes(StandardCharsets.UTF_8));
        HmacKey admin = new HmacKey(ChatService.ADMIN_KEY_NAME, "admin-key-0123456789".getBytes(StandardCharsets.UTF_8));
        ChatService chat = new ChatService(ChatLimits.DEFAULTS, ChatProtocol.LINES);
        int port = start(model, chat, new HmacGate(chat, List.of(user, admin), Duration.ofSeconds(10)));

        LineClient ann = track(new LineClient(port, user, 0));
        ann.expect("* Welcome");
        ann.expect("* Your name?");
        ann.send("ann");
        ann.expect("* Hello ann!");
        LineClient boss = track(new LineClient(port, admin, 0));
        boss.expect("* Welcome");
        boss.expect("* Your name?");
        boss.send("boss");
        boss.expect("* Hello boss!");
        ann.expect("* boss joined");

        ann.send("/admin I am in charge");
        ann.expect("* Only clients that passed the HMAC gate with the admin key may use /admin.");
        boss.send("/admin lunch is served");
        ann.expect("[admin] lunch is served");
        boss.expect("[admin] lunch is served");

        // Without the key: the 32-byte challenge, then nothing the room says, and the connection closes.
        try (var raw = new java.net.Socket("127.0.0.1", port)) {
            raw.setSoTimeout((int) LineClient.DEADLINE.toMillis());
            var in = raw.getInputStream();
            assertThat(in.readNBytes(HmacGate.CHALLENGE_BYTES)).hasSize(HmacGate.CHALLENGE_BYTES);
            raw.getOutputStream().write(("ann\n" + "x".repeat(40) + "\n").getBytes(StandardCharsets.UTF_8));
            assertThat(in.readAllBytes()).isEmpty();
        }
        assertThat(ann.lines).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("concurrentModels")
    void framesModeSpeaksJsonFramesOverSockets(String model) throws Exception {
        ChatService chat = new ChatService(ChatLimits.DEFAULTS, ChatProtocol.FRAMES);
        int port = start(model, chat);
        try (FrameClient a = new FrameClient(port); FrameClient b = new FrameClient(port)) {
            assertThat(a.next().get("code").asText()).isEqualTo("welcome");
            assertThat(a.next().get("code").asText()).isEqualTo("ask-name");
            a.send("{\"type\":\"name\",\"name\":\"alpha\"}");
            assertThat(a.next().get("code").asText()).isEqualTo("hello");
            b.next();
            b.next();
            b.send("{\"type\":\"name\",\"name\":\"beta\"}");
            assertThat(b.next().get("code").asText()).isEqualTo("hello");
            var joined = a.next();
            assertThat(joined.get("type").asText()).isEqualTo("joined");
            assertThat(joined.get("name").asText()).isEqualTo("beta");
            b.send("{\"type\":\"say\",\"text\":\"line one\\nline two\"}");   // control characters are refused in frames too
            assertThat(b.next().toString()).contains("\"code\":\"bad-text\"");
            b.send("{\"type\":\"say\",\"text\":\"héllo ☃\"}");
            var said = a.next();
            assertThat(said.get("from").asText()).isEqualTo("beta");
            assertThat(said.get("text").asText()).isEqualTo("héllo ☃");
            b.send("{\"type\":\"say\",");   // malformed JSON: a notice, then the server closes
            assertThat(b.next().get("code").asText()).isEqualTo("protocol-error");
            assertThat(b.awaitEof()).isTrue();
            var left = a.next();
            assertThat(left.get("type").asText()).isEqualTo("left");
            assertThat(left.get("reason").asText()).isEqualTo("protocol-error");
        }
    }

    @Test
    void iterativeServesTheRoomOneMemberAtATime() throws Exception {
        if (!Engines.availableNames().contains("iterative")) return;
        ChatService chat = new ChatService(ChatLimits.DEFAULTS, ChatProtocol.LINES);
        int port = start("iterative", chat);
        try (LineClient ann = LineClient.join(port, "ann")) {
            assertThat(ann.lines).isEmpty();
            ann.send("/list");
            ann.expect("* 1 member: ann");
            ann.send("/quit");
            ann.expect("* Bye.");
            ann.awaitEof();
        }
        try (LineClient bob = LineClient.join(port, "ann")) {   // the name was released
            bob.send("/quit");
            bob.expect("* Bye.");
        }
    }
}

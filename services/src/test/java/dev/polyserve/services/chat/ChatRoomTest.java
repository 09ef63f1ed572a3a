package dev.polyserve.services.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.polyserve.core.codec.HeaderBodyDecoder;
import dev.polyserve.core.codec.HeaderBodyEncoder;
import dev.polyserve.core.codec.FrameLimits;
import dev.polyserve.core.codec.ProtocolException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The room's sans-I/O core, driven with byte arrays and a hand-moved clock: no sockets, no threads. Runs on one
 * {@link InProcessChatBus}; {@link RelayedChatRoomTest} runs every test again with the members spread over two
 * simulated prefork workers.
 */
class ChatRoomTest {
    long now = 1_000_000_000L;
    ChatLimits limits = ChatLimits.DEFAULTS;
    /** The bus of the first client (on the relayed room: the first worker's). */
    ChatBus bus;
    private int clients;

    @BeforeEach
    void openRoom() {
        newRoom(limits.maxMembers());
    }

    /** A fresh, empty room for at most {@code maxMembers}. */
    void newRoom(int maxMembers) {
        bus = new InProcessChatBus(maxMembers);
    }

    /** The bus the {@code n}th client (from 0) connects through. */
    ChatBus busForClient(int n) {
        return bus;
    }

    /** Lets every message in flight between processes arrive: nothing to do in one process. */
    void settle() {}

    /** One simulated connection. */
    final class Client implements Member {
        final ChatProtocol protocol;
        final ChatSession session;
        final ChatReader reader;
        final List<String> lines = new ArrayList<>();
        final List<byte[]> raw = new ArrayList<>();
        boolean closed;
        boolean dropped;
        boolean slow;

        Client(ChatProtocol protocol) {
            this(protocol, null);
        }

        /** A client on {@code via}, or on the next client's bus if null. */
        Client(ChatProtocol protocol, ChatBus via) {
            this.protocol = protocol;
            this.reader = protocol.reader(limits);
            settle();
            ChatBus bus = via != null ? via : busForClient(clients);
            clients++;
            this.session = new ChatSession(bus, limits, this, () -> closed = true, Runnable::run, () -> now);
            session.open();
            settle();
        }

        Client() {
            this(ChatProtocol.LINES);
        }

        @Override
        public boolean deliver(Delivery d) {
            if (closed || dropped) return true;
            if (slow) return false;
            byte[] bytes = d.bytes(protocol);
            raw.add(bytes);
            if (protocol == ChatProtocol.LINES) {
                String text = new String(bytes, StandardCharsets.UTF_8);
                assertThat(text).endsWith("\r\n");
                lines.addAll(Arrays.asList(text.substring(0, text.length() - 2).split("\r\n", -1)));
            }
            return true;
        }

        @Override
        public void drop() {
            dropped = true;
            session.onClosed(ChatEvent.Reason.LEFT);
        }

        Client type(String line) {
            send((line + "\n").getBytes(StandardCharsets.UTF_8));
            return this;
        }

        void send(byte[] bytes) {
            try {
                reader.read(ByteBuffer.wrap(bytes), session);
            } catch (ProtocolException e) {
                session.onProtocolError(e.getMessage());
            }
            settle();
        }

        String last() {
            settle();
            return lines.getLast();
        }

        List<String> take() {
            settle();
            List<String> out = List.copyOf(lines);
            lines.clear();
            return out;
        }
    }

    Client named(String name) {
        Client c = new Client();
        c.type(name);
        assertThat(c.last()).startsWith("* Hello " + name + "!");
        c.take();
        return c;
    }

    @Test
    void joinChatAndLeaveWithNotices() {
        Client ann = new Client();
        assertThat(ann.take()).containsExactly("* Welcome to polyserve chat (0 members here).", "* Your name?");
        ann.type("ann");
        assertThat(ann.take()).containsExactly("* Hello ann! Nobody else is here yet. Type /help for commands.");

        Client bob = named("bob");
        assertThat(ann.take()).containsExactly("* bob joined");
        Client cy = named("cy");
        assertThat(ann.take()).containsExactly("* cy joined");
        assertThat(bob.take()).containsExactly("* cy joined");

        ann.type("hello all").type("second");
        assertThat(ann.take()).isEmpty();
        assertThat(bob.take()).containsExactly("ann: hello all", "ann: second");
        assertThat(cy.take()).containsExactly("ann: hello all", "ann: second");

        bob.type("/quit");
        assertThat(bob.take()).containsExactly("* Bye.");
        assertThat(bob.closed).isTrue();
        assertThat(ann.take()).containsExactly("* bob left");

        cy.session.onClosed(ChatEvent.Reason.LEFT);   // just drops
        cy.session.onClosed(ChatEvent.Reason.LEFT);   // told twice, announced once
        assertThat(ann.take()).containsExactly("* cy left");
    }

    @Test
    void linesTypedRightAfterTheNameWaitForItAndKeepTheirOrder() {
        Client ann = named("ann");
        Client bob = new Client();
        bob.send("bob\nfirst\n/nick robert\nsecond\n".getBytes(StandardCharsets.UTF_8));
        assertThat(ann.take()).containsExactly("* bob joined", "bob: first", "* bob is now known as robert", "robert: second");
        assertThat(bob.take()).endsWith("* bob is now known as robert");
    }

    @Test
    @SuppressWarnings("unchecked")
    void whatTheRoomSaysWhileANameClaimIsOutReachesTheNewcomerAfterItsGreeting() {
        Client ann = named("ann");
        ChatBus room = busForClient(clients);
        // Like Redis or the prefork master: the claim seats bob, and ann speaks before bob's session hears the answer.
        ChatBus answersAfterAnnSpeaks = (ChatBus) Proxy.newProxyInstance(ChatBus.class.getClassLoader(), new Class<?>[] {ChatBus.class},
                (proxy, method, args) -> {
                    Object result = method.invoke(room, args);
                    if (!method.getName().equals("join")) return result;
                    CompletableFuture<ChatBus.Join> seated = ((CompletionStage<ChatBus.Join>) result).toCompletableFuture();
                    settle();
                    assertThat(seated).as("bob's claim answered").isCompletedWithValue(ChatBus.Join.JOINED);
                    ann.type("said while bob's claim was out");
                    return seated;
                });
        Client bob = new Client(ChatProtocol.LINES, answersAfterAnnSpeaks);
        bob.take();
        bob.type("bob");
        assertThat(bob.take()).containsExactly("* Hello bob! Here: ann. Type /help for commands.", "ann: said while bob's claim was out");
        assertThat(ann.take()).containsExactly("* bob joined");
    }

    @Test
    void namesAreUniqueIgnoringCaseAndMustBePrintable() {
        named("Ann");
        Client other = new Client();
        other.take();
        other.type("ANN");
        assertThat(other.take()).containsExactly("* The name ANN is taken. Your name?");
        other.type("two words");
        assertThat(other.last()).startsWith("* That name cannot be used: a name takes printable characters only");
        other.type("x".repeat(33));
        assertThat(other.last()).contains("at most 32 characters");
        other.type("/etc");
        assertThat(other.last()).startsWith("* Unknown command /etc");
        other.type("*star");
        assertThat(other.last()).contains("cannot start with '*'");
        other.type("hello");
        assertThat(other.last()).startsWith("* Hello hello! Here: Ann.");
    }

    @Test
    void commandsListMsgNickMeHelp() {
        Client ann = named("ann");
        Client bob = named("bob");
        Client cy = named("cy");
        ann.take();
        bob.take();

        ann.type("/list");
        assertThat(ann.take()).containsExactly("* 3 members: ann, bob, cy");

        ann.type("/msg BOB psst, a secret");
        assertThat(ann.take()).containsExactly("[private to bob] psst, a secret");
        assertThat(bob.take()).containsExactly("[private] ann: psst, a secret");
        assertThat(cy.take()).isEmpty();
        ann.type("/msg nobody hi");
        assertThat(ann.last()).isEqualTo("* Nobody called nobody is here; /list shows who is.");
        ann.type("/msg bob");
        assertThat(ann.last()).isEqualTo("* Usage: /msg NAME TEXT");
        ann.take();

        bob.type("/me waves");
        assertThat(ann.take()).containsExactly("* bob waves");
        assertThat(bob.take()).isEmpty();
        assertThat(cy.take()).containsExactly("* bob waves");

        cy.type("/nick Cyrus");
        assertThat(ann.take()).containsExactly("* cy is now known as Cyrus");
        assertThat(cy.take()).containsExactly("* cy is now known as Cyrus");
        assertThat(bob.take()).containsExactly("* cy is now known as Cyrus");
        bob.type("/nick ANN");
        assertThat(bob.take()).containsExactly("* The name ANN is taken.");
        ann.type("/nick Ann");   // a change of case only
        assertThat(bob.take()).containsExactly("* ann is now known as Ann");
        ann.take();
        Client dee = new Client();
        dee.type("cy");          // the old name is free again
        assertThat(dee.last()).startsWith("* Hello cy!");
        assertThat(bob.take()).containsExactly("* cy joined");
        ann.take();

        bob.type("/help");
        assertThat(bob.take()).first().isEqualTo("* Commands:");
        bob.type("/dance");
        assertThat(bob.last()).isEqualTo("* Unknown command /dance; /help lists them.");
        bob.type("//slash at start");
        assertThat(ann.last()).isEqualTo("bob: /slash at start");
        bob.type("");
        assertThat(ann.last()).isEqualTo("bob: /slash at start");
    }

    @Test
    void onlyAdminKeyHoldersMayAnnounceAndTheConsoleAlwaysMay() {
        Client ann = named("ann");
        Client boss = named("boss");
        ann.take();
        ann.type("/admin I am root");
        assertThat(ann.take()).containsExactly("* Only clients that passed the HMAC gate with the admin key may use /admin.");
        assertThat(boss.take()).isEmpty();

        boss.session.grantAdmin();
        boss.type("/admin maintenance at noon");
        assertThat(ann.take()).containsExactly("[admin] maintenance at noon");
        assertThat(boss.take()).containsExactly("[admin] maintenance at noon");

        ChatService service = new ChatService(bus, limits, ChatProtocol.LINES, () -> now);
        AdminConsole.run(new java.io.ByteArrayInputStream("from the console\n\n\u001b[2Jclean\n".getBytes(StandardCharsets.UTF_8)), service);
        assertThat(ann.take()).containsExactly("[admin] from the console", "[admin] [2Jclean");
    }

    @Test
    void overlongLinesAreDroppedWithANotice() {
        Client ann = named("ann");
        Client bob = named("bob");
        ann.take();
        bob.type("x".repeat(limits.maxLineBytes() + 1));
        assertThat(bob.take()).containsExactly("* Line longer than 4096 bytes; dropped.");
        bob.type("y".repeat(limits.maxLineBytes()));
        assertThat(ann.take()).containsExactly("bob: " + "y".repeat(limits.maxLineBytes()));
    }

    @Test
    void controlCharactersAreRefused() {
        Client ann = named("ann");
        Client bob = named("bob");
        ann.take();
        bob.type("evil \u001b[2J clear");
        assertThat(bob.last()).isEqualTo("* Messages cannot contain control characters; dropped.");
        assertThat(ann.take()).isEmpty();
    }

    @Test
    void aPastedBurstIsTrimmedAndTheSenderToldExactlyWhichLinesWereNotSent() {
        Client ann = named("ann");
        Client bob = named("bob");
        ann.take();
        now += 1_000_000_000L;   // typing the name used a line; start with a full bucket
        StringBuilder paste = new StringBuilder();
        for (int i = 1; i <= 50; i++) paste.append("line ").append(i).append('\n');
        bob.send(paste.toString().getBytes(StandardCharsets.UTF_8));   // 50 lines in one read, as a paste arrives
        List<String> got = ann.take();
        assertThat(got).hasSize(limits.linesPerSecond()).first().isEqualTo("bob: line 1");
        assertThat(got.getLast()).isEqualTo("bob: line 20");
        assertThat(bob.take()).containsExactly("* Slow down: at most 20 lines per second. Not sent: lines 21-50 (30 in all)"
                + " of your last 50 lines; send them again in a moment.");
        assertThat(bob.closed).as("a paste is trimmed, never punished").isFalse();

        now += 100_000_000L;     // a tenth of a second later: two lines' worth of tokens
        bob.send("line 51\nline 52\nline 53\n".getBytes(StandardCharsets.UTF_8));
        assertThat(ann.take()).containsExactly("bob: line 51", "bob: line 52");
        assertThat(bob.take()).containsExactly("* Slow down: at most 20 lines per second. Not sent: line 53 (1 in all)"
                + " of your last 53 lines; send it again in a moment.");

        now += 1_000_000_000L;   // a second of quiet refills the bucket: a new burst, numbered from 1
        bob.type("calm again");
        assertThat(ann.take()).containsExactly("bob: calm again");
        assertThat(bob.take()).isEmpty();
    }

    @Test
    void droppedLinesThatAreNotContiguousAreListedAsRanges() {
        DroppedLines d = new DroppedLines();
        for (int n : new int[] {3, 4, 5, 7, 9, 10}) d.add(n);
        assertThat(d.report(20, 12)).isEqualTo("Slow down: at most 20 lines per second. Not sent: lines 3-5, 7, 9-10 (6 in all)"
                + " of your last 12 lines; send them again in a moment.");
        assertThat(d.isEmpty()).isTrue();
        for (int n = 1; n <= 20; n += 2) d.add(n);
        assertThat(d.report(20, 20)).contains("lines 1, 3, 5, 7, 9 and 5 more ranges (10 in all)");
    }

    @Test
    void aScriptThatKeepsFloodingIsDisconnected() {
        Client ann = named("ann");
        Client bob = named("bob");
        ann.take();
        // 50 lines a second, steadily: over the limit for longer than a paste ever is.
        int sent = 0;
        while (!bob.closed && sent < 1_000) {
            bob.type("spam " + sent++);
            now += 20_000_000L;
        }
        assertThat(bob.closed).isTrue();
        assertThat(sent).as("lines sent before the cut").isLessThanOrEqualTo(
                50 * (FloodControl.PERSISTENT_FLOOD_SECONDS + 1) + 1);
        assertThat(bob.lines).contains("* Disconnected for flooding.");
        assertThat(ann.last()).isEqualTo("* bob left (flooding)");
    }

    @Test
    void tabsAreAllowedInMessages() {
        Client ann = named("ann");
        Client bob = named("bob");
        ann.take();
        bob.type("name\tsize\tdate");
        assertThat(ann.take()).containsExactly("bob: name\tsize\tdate");
        bob.type("/me tabs\there");
        assertThat(ann.take()).containsExactly("* bob tabs\there");
    }

    @Test
    void nickWithSpacesIsAUsageErrorAndAMemberIsNotAskedForANameAgain() {
        Client ann = named("ann");
        ann.type("/nick a b");
        assertThat(ann.take()).containsExactly("* Usage: /nick NEWNAME (one word, no spaces)");
        ann.type("/nick *star");
        assertThat(ann.take()).containsExactly("* That name cannot be used: a name cannot start with '*' (it would look like a command or a notice).");
        ann.type("/list");
        assertThat(ann.take()).containsExactly("* 1 member: ann");
    }

    @Test
    void aSlowMemberIsDroppedAndTheOthersAreTold() {
        Client ann = named("ann");
        Client bob = named("bob");
        Client cy = named("cy");
        ann.take();
        bob.take();
        bob.slow = true;
        ann.type("are you there?");
        assertThat(bob.dropped).isTrue();
        assertThat(cy.take()).containsExactly("ann: are you there?", "* bob left (too slow)");
        assertThat(ann.take()).containsExactly("* bob left (too slow)");
        assertThat(bus.names()).containsExactly("ann", "cy");
    }

    @Test
    void aMemberDroppedWhileRenamingLeavesNoGhostName() {
        Client ann = named("ann");
        bus.leave("ann", ann.session.member());   // what a concurrent slow-member drop does
        var renamed = bus.rename("ann", "anne", ann.session.member()).toCompletableFuture();
        settle();
        assertThat(renamed.join()).isFalse();
        assertThat(bus.names()).isEmpty();
        assertThat(bus.size()).isZero();
    }

    @Test
    void aFullRoomRefusesNewcomers() {
        limits = ChatLimits.DEFAULTS.withMaxMembers(2);
        newRoom(2);
        named("ann");
        Client bob = new Client();
        Client cy = new Client();   // not refused yet: bob has not picked a name
        bob.type("bob");
        cy.type("cy");
        assertThat(cy.last()).isEqualTo("* The room is full (2 members); try again later.");
        assertThat(cy.closed).isTrue();
        Client dee = new Client();
        assertThat(dee.take()).containsExactly("* The room is full (2 members); try again later.");
        assertThat(dee.closed).isTrue();
    }

    @Test
    void framesClientsShareTheRoomWithLineClients() throws Exception {
        Client ann = named("ann");
        ann.take();
        Client prog = new Client(ChatProtocol.FRAMES);
        prog.send(frame("{\"type\":\"name\",\"name\":\"bot\"}"));
        prog.send(concat(frame("{\"type\":\"say\",\"text\":\"beep\"}"), frame("{\"type\":\"msg\",\"to\":\"ann\",\"text\":\"hi\"}")));
        assertThat(ann.take()).containsExactly("* bot joined", "bot: beep", "[private] bot: hi");
        ann.type("hello bot");

        List<JsonNode> got = decodeFrames(prog.raw);
        assertThat(got).extracting(n -> n.get("type").asText())
                .containsExactly("notice", "notice", "notice", "private-sent", "said");
        assertThat(got.get(0).get("code").asText()).isEqualTo("welcome");
        assertThat(got.get(2).get("code").asText()).isEqualTo("hello");
        assertThat(got.get(4).get("from").asText()).isEqualTo("ann");
        assertThat(got.get(4).get("text").asText()).isEqualTo("hello bot");

        prog.raw.clear();
        prog.send(frame("{\"type\":\"dance\"}"));
        prog.send(frame("{\"type\":\"say\"}"));
        assertThat(decodeFrames(prog.raw)).extracting(n -> n.get("code").asText()).containsExactly("unknown-command", "usage");

        prog.raw.clear();
        prog.send(frame("{\"type\":\"say\",\"text\":"));   // malformed JSON: a notice, a leave, a close
        assertThat(decodeFrames(prog.raw).getFirst().get("code").asText()).isEqualTo("protocol-error");
        assertThat(prog.closed).isTrue();
        assertThat(ann.take()).containsExactly("* bot left (protocol error)");
    }

    @Test
    void onShutdownEveryoneIsToldOnceWithoutLeaveNotices() {
        Client ann = named("ann");
        Client bob = named("bob");
        ann.take();
        ann.session.onShutdown();
        bob.session.onShutdown();
        assertThat(ann.take()).containsExactly("* The server is shutting down. Bye.");
        assertThat(bob.take()).containsExactly("* The server is shutting down. Bye.");
        assertThat(ann.closed && bob.closed).isTrue();
        settle();
        assertThat(bus.size()).isZero();
    }

    @Test
    void idleMembersStayButIdleNamelessConnectionsAreClosed() {
        Client ann = named("ann");
        Client lurker = new Client();
        ann.session.onIdle();
        assertThat(ann.closed).isFalse();
        lurker.session.onIdle();
        assertThat(lurker.last()).isEqualTo("* Closing: idle for too long.");
        assertThat(lurker.closed).isTrue();
    }

    private static byte[] frame(String json) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + b.length).putInt(b.length).put(b).array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        return ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
    }

    private static List<JsonNode> decodeFrames(List<byte[]> raw) throws ProtocolException {
        HeaderBodyDecoder decoder = new HeaderBodyDecoder(FrameLimits.DEFAULTS);
        List<JsonNode> out = new ArrayList<>();
        for (byte[] b : raw) {
            decoder.decode(ByteBuffer.wrap(b), e -> out.add(((HeaderBodyDecoder.Frame) e).header()));
        }
        return out;
    }

    @SuppressWarnings("unused")
    private static ObjectNode header() {
        return JsonNodeFactory.instance.objectNode();
    }

    @SuppressWarnings("unused")
    private static final ObjectMapper JSON = new ObjectMapper();

    @SuppressWarnings("unused")
    private static ByteBuffer encode(ObjectNode h) {
        return HeaderBodyEncoder.encode(h, new byte[0]);
    }
}

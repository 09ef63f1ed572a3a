package dev.polyserve.services.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.core.SharedState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every {@link ChatRoomTest} again, with the room split over two simulated prefork workers: clients alternate
 * between two {@link RelayedChatBus}es linked to one {@link ChatHub}, so every pair of neighbouring clients talks
 * across the hub. The links are one queue the test drains ({@link #settle}), in order, on one thread, handing
 * each inbox the messages queued for it back to back as one batch, as a channel read does: the same messages the
 * prefork channels carry, minus the sockets.
 */
class RelayedChatRoomTest extends ChatRoomTest {
    private record InFlight(SharedState.Inbox to, byte[] message) {}

    private final Deque<InFlight> wire = new ArrayDeque<>();
    ChatHub hub;
    RelayedChatBus first;
    RelayedChatBus second;
    SharedState.Inbox secondAtHub;

    @Override
    void newRoom(int maxMembers) {
        wire.clear();
        hub = new ChatHub(maxMembers);
        first = link();
        second = link();
        bus = first;
    }

    /** One worker's bus, linked to the hub both ways through {@link #wire}. */
    private RelayedChatBus link() {
        SharedState.Inbox[] atHub = new SharedState.Inbox[1];
        RelayedChatBus relay = new RelayedChatBus(bytes -> wire.add(new InFlight(atHub[0], bytes)));
        atHub[0] = hub.workerAttached(bytes -> wire.add(new InFlight(relay, bytes)));
        secondAtHub = atHub[0];
        return relay;
    }

    @Override
    ChatBus busForClient(int n) {
        return n % 2 == 0 ? first : second;
    }

    @Override
    void settle() {
        while (!wire.isEmpty()) {
            SharedState.Inbox to = wire.peek().to();
            List<byte[]> batch = new ArrayList<>();
            while (!wire.isEmpty() && wire.peek().to() == to) batch.add(wire.poll().message());
            to.receive(batch);
        }
    }

    @Test
    void eventsRelayedTogetherReachEachMemberInOneWriteAndInOrder() {
        Client ann = named("ann");   // first worker
        Client bob = named("bob");   // second worker
        ann.take();
        ann.raw.clear();
        bob.session.onCommand(new ChatCommand.Say("one"));
        bob.session.onCommand(new ChatCommand.Private("ann", "psst"));
        bob.session.onCommand(new ChatCommand.Say("two"));
        bob.session.onCommand(new ChatCommand.Say("three"));
        assertThat(ann.take()).containsExactly("bob: one", "[private] bob: psst", "bob: two", "bob: three");
        assertThat(ann.raw).as("one write per run of relayed events; the private line cuts the run")
                .extracting(b -> new String(b, StandardCharsets.UTF_8))
                .containsExactly("bob: one\r\n", "[private] bob: psst\r\n", "bob: two\r\nbob: three\r\n");
    }

    @Test
    void twoWorkersAskingForOneNameAtOnceGetItOnce() {
        Client onFirst = new Client();
        Client onSecond = new Client();
        onFirst.take();
        onSecond.take();
        // Both ask before either answer is back: the hub decides, in arrival order.
        onFirst.session.onCommand(new ChatCommand.Name("Zed"));
        onSecond.session.onCommand(new ChatCommand.Name("zed"));
        assertThat(onFirst.take()).singleElement().asString().startsWith("* Hello Zed!");
        assertThat(onSecond.take()).containsExactly("* The name zed is taken. Your name?");
        assertThat(first.names()).containsExactly("Zed");
        assertThat(second.names()).containsExactly("Zed");
        assertThat(hub.size()).isEqualTo(1);
    }

    @Test
    void aWorkerThatDiesTakesItsMembersAndTheOthersAreTold() {
        Client ann = named("ann");   // first worker
        Client bob = named("bob");   // second worker
        ann.take();
        secondAtHub.closed();        // the second worker's channel ended: it was killed
        assertThat(ann.take()).containsExactly("* bob left");
        assertThat(first.names()).containsExactly("ann");
        Client bobAgain = new Client();   // 3rd client: the first worker
        bobAgain.take();
        bobAgain.type("bob");
        assertThat(bobAgain.last()).startsWith("* Hello bob! Here: ann.");
        assertThat(bob.closed).isFalse();   // (its connection died with its worker; nothing here to close)
    }

    /**
     * Across workers, one stopping is one process of several (a rolling restart): its members are told the server
     * stops, and the members on the other workers that they left; nothing more.
     */
    @Override
    @Test
    void onShutdownEveryoneIsToldOnceWithoutLeaveNotices() {
        Client ann = named("ann");   // first worker
        Client bob = named("bob");   // second worker
        ann.take();
        ann.session.onShutdown();
        assertThat(ann.take()).containsExactly("* The server is shutting down. Bye.");
        assertThat(bob.take()).containsExactly("* ann left");
        bob.type("/list");
        assertThat(bob.take()).containsExactly("* 1 member: bob");
        bob.session.onShutdown();
        assertThat(bob.take()).containsExactly("* The server is shutting down. Bye.");
        assertThat(ann.take()).isEmpty();
        assertThat(ann.closed && bob.closed).isTrue();
        assertThat(first.size() + second.size()).isZero();
    }

    @Test
    void inputHeldBehindANameClaimIsBounded() {
        limits = limits.withLinesPerSecond(0);   // no flood control: only the hold limit stands in the way
        Client ann = named("ann");
        Client bob = new Client();
        bob.take();
        bob.session.onCommand(new ChatCommand.Name("bob"));
        int extra = 6;
        for (int i = 0; i < ChatSession.MAX_HELD_COMMANDS + extra; i++) bob.session.onCommand(new ChatCommand.Say("line " + i));
        List<String> told = bob.take();
        assertThat(told).filteredOn(l -> l.startsWith("* Slow down: wait for the answer to your name")).hasSize(extra);
        assertThat(told).last().asString().startsWith("* Hello bob!");
        List<String> heard = ann.take();
        assertThat(heard).first().isEqualTo("* bob joined");
        assertThat(heard).hasSize(1 + ChatSession.MAX_HELD_COMMANDS).last().isEqualTo("bob: line " + (ChatSession.MAX_HELD_COMMANDS - 1));
    }

    @Test
    void theMastersConsoleReachesEveryWorker() {
        Client ann = named("ann");
        Client bob = named("bob");
        ann.take();
        hub.announce("maintenance at noon");
        assertThat(ann.take()).containsExactly("[admin] maintenance at noon");
        assertThat(bob.take()).containsExactly("[admin] maintenance at noon");
    }

    @Test
    void aWorkerThatLostTheMasterRefusesNewNamesPolitely() {
        named("ann");
        Client late = new Client();   // second worker
        late.take();
        late.session.onCommand(new ChatCommand.Name("late"));   // the claim is on the wire...
        second.closed();                                         // ...when the master goes
        wire.clear();                                            // with everything else in flight
        assertThat(late.take()).containsExactly("* The server is shutting down. Bye.");
        assertThat(late.closed).isTrue();
    }

    @Test
    void hubMessagesSurviveTheirEncoding() {
        for (ChatEvent e : new ChatEvent[] {new ChatEvent.Joined("Zoë"), new ChatEvent.Left("a", ChatEvent.Reason.TOO_SLOW),
                new ChatEvent.Said("a", "héllo\tthere"), new ChatEvent.Acted("a", "waves"), new ChatEvent.PrivateFrom("a", "psst"),
                new ChatEvent.Renamed("a", "b"), new ChatEvent.Announcement("")}) {
            assertThat(HubMessage.decode(HubMessage.encode(new HubMessage.Relay(e)))).isEqualTo(new HubMessage.Relay(e));
            assertThat(HubMessage.decode(HubMessage.encode(new HubMessage.Direct("bob", e)))).isEqualTo(new HubMessage.Direct("bob", e));
        }
        byte[] join = HubMessage.encode(new HubMessage.Join(7, "ann"));
        assertThat(HubMessage.decode(join)).isEqualTo(new HubMessage.Join(7, "ann"));
        byte[] truncated = java.util.Arrays.copyOf(join, join.length - 1);
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> HubMessage.decode(truncated));
        hub.workerAttached(bytes -> { }).receive(List.of("\u0063junk".getBytes(StandardCharsets.UTF_8)));   // logged, ignored
        assertThat(hub.size()).isZero();
    }
}

package dev.polyserve.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.polyserve.core.Await;
import dev.polyserve.core.Server;
import dev.polyserve.services.chat.ChatLimits;
import dev.polyserve.services.chat.ChatProtocol;
import dev.polyserve.services.chat.ChatService;
import dev.polyserve.services.chat.LineClient;
import dev.polyserve.services.chat.redis.RedisAddress;
import dev.polyserve.services.chat.redis.RedisChatBus;
import dev.polyserve.services.chat.redis.RedisServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes of one room on a real {@code redis-server}: two chat servers in this JVM and one real
 * {@code polyserve serve chat --bus} process (once on nio, once as prefork workers, each worker a node of its own).
 * Names are unique under claims racing from all three, every member gets every other member's lines exactly once
 * and in per-sender order, {@code /list} agrees everywhere, and when the process node is SIGKILLed (no goodbye) the
 * others announce its members as left once its lease runs out.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RedisChatNodesTest {
    /** Short, so a killed node's names expire quickly; the nodes renew at a fraction of it. */
    static final Duration LEASE = Duration.ofMillis(1500);
    static final int MEMBERS = 20;
    static final int LINES_EACH = 500;

    @TempDir
    Path dir;
    RedisServer redis;
    final List<RedisChatBus> buses = new ArrayList<>();
    final List<Server> servers = new ArrayList<>();
    final List<LineClient> clients = new ArrayList<>();
    PolyserveProcess processNode;

    @BeforeEach
    void startRedis() throws Exception {
        String why = RedisServer.unavailable();
        assumeTrue(why == null, why);
        redis = RedisServer.start(dir);
    }

    @AfterEach
    void stopAll() throws Exception {
        for (LineClient c : clients) c.close();
        if (processNode != null) killTree(processNode);
        for (Server s : servers) s.stop(Duration.ofSeconds(2));
        for (RedisChatBus b : buses) b.close();
        if (redis != null) redis.close();
    }

    @Test
    void threeNodesOneOfThemAProcessAreOneRoom() throws Exception {
        oneRoomOnThreeNodes();
    }

    @Test
    void theSameWithPreforkWorkersAsTheThirdNode() throws Exception {
        oneRoomOnThreeNodes("--model", "prefork", "--workers", "2");
    }

    private void oneRoomOnThreeNodes(String... processModel) throws Exception {
        int[] ports = {inProcessNode(), inProcessNode(), processNode(processModel)};

        // Names: nine claims of one name at once, three from each node: exactly one wins.
        List<LineClient> racers = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            LineClient c = connect(ports[i % 3]);
            c.expect("* Welcome");
            c.expect("* Your name?");
            racers.add(c);
        }
        for (LineClient c : racers) c.send("winner");
        int won = 0;
        for (LineClient c : racers) {
            String answer = c.await(l -> l.startsWith("* Hello winner") || l.startsWith("* The name winner is taken"), "an answer");
            if (answer.startsWith("* Hello")) won++;
        }
        assertThat(won).as("claims of 'winner' granted across three nodes").isEqualTo(1);
        for (LineClient c : racers) c.close();
        Await.until(Duration.ofSeconds(20), "the winner's name released", () -> !buses.get(0).names().contains("winner"));

        // Members dealt over the three nodes; everyone sees the room complete before anyone talks.
        List<LineClient> members = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++) {
            LineClient m = LineClient.join(ports[i % 3], "m" + i);
            clients.add(m);
            members.add(m);
        }
        Await.until(Duration.ofSeconds(20), "every node's presence shows all members",
                () -> buses.get(0).names().size() == MEMBERS && buses.get(1).names().size() == MEMBERS);

        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Map<String, List<Integer>>>> received = new ArrayList<>();
            for (int i = 0; i < MEMBERS; i++) {
                LineClient m = members.get(i);
                String self = "m" + i;
                received.add(threads.submit(() -> linesFromOthers(m, self)));
            }
            for (int i = 0; i < MEMBERS; i++) {
                LineClient m = members.get(i);
                int sender = i;
                threads.submit(() -> {
                    for (int k = 0; k < LINES_EACH; k++) m.send(k + " from m" + sender);
                    return null;
                });
            }
            List<Integer> inOrder = IntStream.range(0, LINES_EACH).boxed().toList();
            for (int i = 0; i < MEMBERS; i++) {
                Map<String, List<Integer>> got = received.get(i).get(60, TimeUnit.SECONDS);
                assertThat(got).as("senders heard by m" + i).hasSize(MEMBERS - 1);
                for (var fromOne : got.entrySet()) {
                    assertThat(fromOne.getValue()).as("lines from " + fromOne.getKey() + " at m" + i + ": each once, in order")
                            .containsExactlyElementsOf(inOrder);
                }
            }
        }

        // One answer to /list on every node.
        List<String> lists = new ArrayList<>();
        for (int n = 0; n < 3; n++) {
            LineClient asker = members.get(n);   // member n sits on node n
            asker.send("/list");
            lists.add(asker.await(l -> l.startsWith("* " + MEMBERS + " members: "), "the member list"));
        }
        assertThat(lists).as("/list on each node").containsOnly(lists.get(0));

        // The process node dies without a word: once its lease runs out the others say its members left.
        killTree(processNode);
        processNode = null;
        List<String> leftExpected = new ArrayList<>();
        for (int i = 2; i < MEMBERS; i += 3) leftExpected.add("* m" + i + " left");
        List<String> leftSeen = new ArrayList<>();
        LineClient watcher = members.get(0);
        while (leftSeen.size() < leftExpected.size()) {
            String line = watcher.await(l -> l.endsWith(" left") || l.contains(" left ("), "the killed node's members leaving");
            leftSeen.add(line.replaceAll(" \\(.*\\)$", ""));
        }
        assertThat(leftSeen).containsExactlyInAnyOrderElementsOf(leftExpected);
        int remaining = MEMBERS - leftExpected.size();
        watcher.send("/list");
        watcher.await(l -> l.startsWith("* " + remaining + " members: "), "the list without the killed node's members");
    }

    /** Reads {@code m}'s lines until it has every other member's {@link #LINES_EACH} lines, by sender. */
    private static Map<String, List<Integer>> linesFromOthers(LineClient m, String self) throws InterruptedException {
        Map<String, List<Integer>> bySender = new HashMap<>();
        int expected = (MEMBERS - 1) * LINES_EACH, got = 0;
        while (got < expected) {
            String line;
            try {
                line = m.next();
            } catch (AssertionError silent) {
                // Late or lost? Say who fell short, so a failure under load can be told from a lost line.
                Map<String, Integer> counts = new java.util.TreeMap<>();
                bySender.forEach((sender, lines) -> counts.put(sender, lines.size()));
                throw new AssertionError(self + " heard " + got + " of " + expected + " lines; by sender: " + counts, silent);
            }
            assertThat(line).as(self + "'s stream ended early").isNotEqualTo(LineClient.EOF);
            int colon = line.indexOf(": ");
            if (line.startsWith("* ") || colon < 0) continue;   // notices (joins and the like)
            String sender = line.substring(0, colon);
            if (sender.equals(self)) continue;
            String text = line.substring(colon + 2);
            assertThat(text).as("a line's text").endsWith(" from " + sender);
            bySender.computeIfAbsent(sender, s -> new ArrayList<>()).add(Integer.parseInt(text.substring(0, text.indexOf(' '))));
            got++;
        }
        return bySender;
    }

    private LineClient connect(int port) throws IOException {
        LineClient c = new LineClient(port);
        clients.add(c);
        return c;
    }

    /** A chat server in this JVM whose room is on the test's Redis (flood control off: the test floods on purpose). */
    private int inProcessNode() throws IOException {
        RedisChatBus bus = RedisChatBus.connect(RedisAddress.parse(redis.url()), RedisChatBus.Settings.defaults(1000).withLease(LEASE));
        buses.add(bus);
        ChatService chat = new ChatService(bus, ChatLimits.DEFAULTS.withLinesPerSecond(0), ChatProtocol.LINES, System::nanoTime);
        Server s = Server.tcp(0).model("nio").service(chat).start();
        servers.add(s);
        return s.localAddress().getPort();
    }

    /** {@code polyserve serve chat --bus} as a user runs it, on {@code model} options; its port. */
    private int processNode(String... model) throws IOException {
        List<String> args = new ArrayList<>(List.of("serve", "chat", "--port", "0", "--no-console", "--lines-per-second", "0",
                "--bus", redis.url(), "--bus-lease", LEASE.toMillis() + "ms"));
        args.addAll(List.of(model));
        processNode = PolyserveProcess.startLoggingTo(dir.resolve("node.log"), args.toArray(String[]::new));
        return PolyserveProcess.port(processNode.awaitListening());
    }

    /** SIGKILL to the process and everything it started (prefork workers): a node that vanishes without a word. */
    private static void killTree(PolyserveProcess p) throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(p.process.toHandle().descendants().toList());
        tree.add(p.process.toHandle());
        for (ProcessHandle h : tree) h.destroyForcibly();
        for (ProcessHandle h : tree) h.onExit().orTimeout(30, TimeUnit.SECONDS).exceptionally(t -> h).join();
    }
}

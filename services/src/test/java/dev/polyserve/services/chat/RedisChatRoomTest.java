package dev.polyserve.services.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.polyserve.core.Await;
import dev.polyserve.core.Server;
import dev.polyserve.services.chat.redis.RedisAddress;
import dev.polyserve.services.chat.redis.RedisChatBus;
import dev.polyserve.services.chat.redis.RedisServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two chat servers in this JVM, each a node of one room on a real {@code redis-server}, with nc-like clients on
 * both: the room behaves as one, names are unique across nodes, and a Redis restart loses and duplicates nothing.
 * The three-node run with a real {@code polyserve} process (and a SIGKILL) is the cli's {@code RedisChatNodesTest}.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RedisChatRoomTest {
    static final Duration LEASE = Duration.ofMillis(1500);

    @TempDir
    Path dir;
    RedisServer redis;
    final List<RedisChatBus> buses = new ArrayList<>();
    final List<Server> servers = new ArrayList<>();
    final List<LineClient> clients = new ArrayList<>();

    @BeforeEach
    void startRedis() throws Exception {
        String why = RedisServer.unavailable();
        assumeTrue(why == null, why);
        redis = RedisServer.start(dir);
    }

    @AfterEach
    void stopAll() throws Exception {
        for (LineClient c : clients) c.close();
        for (Server s : servers) s.stop(Duration.ofSeconds(2));
        for (RedisChatBus b : buses) b.close();
        if (redis != null) redis.close();
    }

    /** A node: a chat server on {@code model} whose room is on the test's Redis. */
    int node(RedisChatBus.Settings settings) throws IOException {
        return node(RedisAddress.parse(redis.url()), settings);
    }

    int node(RedisAddress address) throws IOException {
        return node(address, RedisChatBus.Settings.defaults(1000).withLease(LEASE));
    }

    int node(RedisAddress address, RedisChatBus.Settings settings) throws IOException {
        RedisChatBus bus = RedisChatBus.connect(address, settings);
        buses.add(bus);
        ChatService chat = new ChatService(bus, ChatLimits.DEFAULTS.withLinesPerSecond(0), ChatProtocol.LINES, System::nanoTime);
        Server s = Server.tcp(0).model("nio").service(chat).start();
        servers.add(s);
        return s.localAddress().getPort();
    }

    int node() throws IOException {
        return node(RedisChatBus.Settings.defaults(1000).withLease(LEASE));
    }

    LineClient join(int port, String name) throws Exception {
        LineClient c = LineClient.join(port, name);
        clients.add(c);
        return c;
    }

    @Test
    void membersOnTwoNodesAreInOneRoom() throws Exception {
        int a = node(), b = node();
        LineClient ann = join(a, "ann");
        LineClient bob = join(b, "bob");
        ann.expect("* bob joined");
        bob.send("hello ann");
        ann.expect("bob: hello ann");
        ann.send("/me waves");
        // bob may also hear "* ann joined" after his greeting (which already named her) if node b read ann's join from
        // Redis only after seating bob: a late echo of what the greeting said, not a lost or reordered line.
        bob.await(l -> l.startsWith("* ann waves"), "ann's action");
        ann.send("/msg BOB psst");
        ann.expect("[private to bob] psst");
        bob.expect("[private] ann: psst");
        bob.send("/list");
        bob.expect("* 2 members: ann, bob");
        ann.send("/nick anne");
        ann.expect("* ann is now known as anne");
        bob.expect("* ann is now known as anne");
        bob.send("/msg anne still there?");
        bob.expect("[private to anne] still there?");
        ann.expect("[private] bob: still there?");
        ann.send("/list");
        ann.expect("* 2 members: anne, bob");
        buses.get(0).broadcast(new ChatEvent.Announcement("maintenance at noon"), null);   // what the console does
        ann.expect("[admin] maintenance at noon");
        bob.expect("[admin] maintenance at noon");
        ann.send("/quit");
        bob.expect("* anne left");
        bob.send("/list");
        bob.expect("* 1 member: bob");
    }

    @Test
    void theWelcomeCountsTheMembersOnEveryNode() throws Exception {
        int a = node(), b = node();
        join(a, "ann");
        Await.until(Duration.ofSeconds(10), "node b knows ann", () -> buses.get(1).names().equals(List.of("ann")));
        LineClient other = new LineClient(b);
        clients.add(other);
        other.expect("* Welcome to polyserve chat (1 member here).");
    }

    @Test
    void aNameIsTakenOnceAcrossNodesAndCaseInsensitively() throws Exception {
        int a = node(), b = node();
        join(a, "Zed");
        LineClient other = new LineClient(b);
        clients.add(other);
        other.expect("* Welcome");
        other.expect("* Your name?");
        other.send("zed");
        other.expect("* The name zed is taken.");
        other.send("zara");
        other.expect("* Hello zara! Here: Zed.");
    }

    @Test
    void racingClaimsFromBothNodesGetEachNameOnce() throws Exception {
        int[] ports = {node(), node()};
        int racers = 8;
        List<LineClient> racing = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
            LineClient c = new LineClient(ports[i % 2]);
            clients.add(c);
            c.expect("* Welcome");
            c.expect("* Your name?");
            racing.add(c);
        }
        for (LineClient c : racing) c.send("winner");   // all at once, half on each node
        int won = 0;
        for (LineClient c : racing) {
            String answer = c.await(l -> l.startsWith("* Hello winner") || l.startsWith("* The name winner is taken"), "an answer");
            if (answer.startsWith("* Hello")) won++;
        }
        assertThat(won).as("members granted the name").isEqualTo(1);
    }

    @Test
    void redisRestartedMidRunLosesAndDuplicatesNothing() throws Exception {
        int a = node(), b = node();
        LineClient ann = join(a, "ann");
        LineClient bob = join(b, "bob");
        ann.expect("* bob joined");
        int perPhase = 50;
        for (int i = 0; i < perPhase; i++) ann.send("before " + i);
        redis.kill();
        ann.await(l -> l.startsWith("* The room is reconnecting"), "the reconnecting notice");
        for (int i = 0; i < perPhase; i++) ann.send("during " + i);
        redis.startAgain();
        ann.await(l -> l.startsWith("* The room is back"), "the room back");
        for (int i = 0; i < perPhase; i++) ann.send("after " + i);
        List<String> got = new ArrayList<>();
        boolean told = false, back = false;
        while (got.size() < 3 * perPhase) {
            String line = bob.next();
            if (line.startsWith("ann: ")) got.add(line.substring(5));
            else if (line.startsWith("* The room is reconnecting")) told = true;
            else if (line.startsWith("* The room is back")) back = true;
        }
        List<String> expected = new ArrayList<>();
        for (String phase : List.of("before", "during", "after")) for (int i = 0; i < perPhase; i++) expected.add(phase + " " + i);
        assertThat(got).as("every line once, in order").containsExactlyElementsOf(expected);
        assertThat(told && back).as("bob was told the room was reconnecting, then back").isTrue();
        bob.send("/list");
        bob.await(l -> l.startsWith("* 2 members: ann, bob"), "both still listed after the restart");
        // Names were restored in the fresh Redis: a newcomer cannot take them.
        LineClient other = new LineClient(b);
        clients.add(other);
        other.expect("* Welcome");
        other.expect("* Your name?");
        other.send("ann");
        other.expect("* The name ann is taken.");
    }

    @Test
    void linesPastTheHoldingBoundAreRefusedWithANotice() throws Exception {
        int a = node(RedisChatBus.Settings.defaults(1000).withLease(LEASE).withMaxHeldLines(3)), b = node();
        LineClient ann = join(a, "ann");
        LineClient bob = join(b, "bob");
        ann.expect("* bob joined");
        redis.stop();
        ann.await(l -> l.startsWith("* The room is reconnecting"), "the reconnecting notice");
        for (int i = 0; i < 5; i++) ann.send("held " + i);
        ann.expect("* The room is reconnecting and holds 3 lines already; this one was not sent.");
        ann.expect("* The room is reconnecting and holds 3 lines already; this one was not sent.");
        redis.startAgain();
        Set<String> got = ConcurrentHashMap.newKeySet();
        while (got.size() < 3) {
            String line = bob.next();
            if (line.startsWith("ann: ")) got.add(line.substring(5));
        }
        assertThat(got).containsExactlyInAnyOrder("held 0", "held 1", "held 2");
        ann.send("after");
        assertThat(bob.await(l -> l.startsWith("ann: "), "the next line")).isEqualTo("ann: after");
    }

    @Test
    void overTlsTheRoomTrustsTheGivenCertificateAndNothingElse() throws Exception {
        redis.close();
        RedisServer.TlsFiles tls = selfSignedCertificateFor127(dir.resolve("tls"));
        redis = RedisServer.start(dir.resolve("tls-redis"), tls);
        RedisAddress address = RedisAddress.parse(redis.tlsUrl());
        assertThatThrownBy(() -> RedisChatBus.connect(address, RedisChatBus.Settings.defaults(10)))
                .as("a self-signed server the JDK does not trust").isInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot reach Redis at " + redis.tlsUrl() + ": ");
        int a = node(address.trusting(tls.certificate())), b = node(address.trusting(tls.certificate()));
        LineClient ann = join(a, "ann");
        LineClient bob = join(b, "bob");
        ann.expect("* bob joined");
        bob.send("over TLS");
        ann.expect("bob: over TLS");
        assertThatThrownBy(() -> RedisAddress.parse(redis.url()).trusting(tls.certificate()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rediss://");
    }

    /** A certificate for 127.0.0.1 and its key, made by {@code openssl} as an operator would. */
    static RedisServer.TlsFiles selfSignedCertificateFor127(Path into) throws Exception {
        java.nio.file.Files.createDirectories(into);
        RedisServer.TlsFiles files = new RedisServer.TlsFiles(into.resolve("cert.pem"), into.resolve("key.pem"));
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", files.key().toString(), "-out", files.certificate().toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(openssl.waitFor(30, TimeUnit.SECONDS) && openssl.exitValue() == 0).as("openssl made a certificate").isTrue();
        return files;
    }

    @Test
    void redisDownAtStartIsOneClearErrorWithoutThePassword() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        RedisAddress nowhere = RedisAddress.parse("redis://someone:s3cret@127.0.0.1:" + port + "/2");
        assertThat(nowhere.toString()).isEqualTo("redis://someone@127.0.0.1:" + port + "/2");
        assertThatThrownBy(() -> RedisChatBus.connect(nowhere, RedisChatBus.Settings.defaults(10)))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot reach Redis at redis://someone@127.0.0.1:" + port + "/2: ")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void aNodeThatLeavesTellsTheOthersItsMembersLeft() throws Exception {
        int a = node(), b = node();
        LineClient ann = join(a, "ann");
        join(b, "bob");
        ann.expect("* bob joined");
        servers.get(1).stop(Duration.ofSeconds(2));   // bob's server stops: bob is told so, ann that bob left
        ann.expect("* bob left");
        buses.get(1).close();
        ann.send("/list");
        ann.expect("* 1 member: ann");
        Await.until(Duration.ofSeconds(10), "bob's name free again", () -> buses.get(0).names().equals(List.of("ann")));
    }
}

package dev.polyserve.services.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.core.Engines;
import dev.polyserve.core.Server;
import dev.polyserve.core.ServerStats;
import dev.polyserve.services.http.HttpApp;
import dev.polyserve.services.http.HttpOptions;
import dev.polyserve.services.http.HttpService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The browser member is a member of the same room: a JDK WebSocket on the page's socket and nc-style TCP members
 * see each other's joins, lines, actions, private messages, renames and leaves, and share names, admin
 * announcements and flood control.
 */
class ChatWebTest {
    private final List<Server> servers = new ArrayList<>();
    private final List<AutoCloseable> clients = new ArrayList<>();

    static Stream<String> concurrentModels() {
        return Engines.availableNames().stream().filter(m -> !m.equals("iterative"));
    }

    private record Ports(int tcp, int web) {}

    private Ports start(String model, ChatService chat) throws Exception {
        Server tcp = Server.tcp(0).model(model).service(chat).start();
        servers.add(tcp);
        ServerStats stats = new ServerStats();
        HttpApp web = ChatWeb.install(new HttpApp(), chat.bus(), chat.limits(), System::nanoTime);
        Server http = Server.tcp(0).model(model).stats(stats).service(new HttpService(web, HttpOptions.defaults(), stats)).start();
        servers.add(http);
        return new Ports(tcp.localAddress().getPort(), http.localAddress().getPort());
    }

    private <T extends AutoCloseable> T track(T c) {
        clients.add(c);
        return c;
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : clients) c.close();
        for (Server s : servers) s.stop(Duration.ofSeconds(2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("concurrentModels")
    void browserAndNcMembersShareTheRoom(String model) throws Exception {
        ChatService chat = new ChatService(ChatLimits.DEFAULTS, ChatProtocol.LINES);
        Ports p = start(model, chat);
        LineClient nc = track(LineClient.join(p.tcp(), "ann"));

        WebMember web = track(new WebMember(p.web()));
        web.expectNotice("welcome");
        web.expectNotice("ask-name");
        web.send("ANN");
        assertThat(web.expectNotice("name-taken").path("text").asText()).contains("taken");
        web.send("bob");
        assertThat(web.expectNotice("hello").path("text").asText()).contains("Here: ann.");
        nc.expect("* bob joined");

        web.send("hello from the browser");
        nc.expect("bob: hello from the browser");
        nc.send("hi bob");
        assertThat(web.next().toString()).isEqualTo("{\"type\":\"said\",\"from\":\"ann\",\"text\":\"hi bob\"}");
        web.send("/me waves");
        nc.expect("* bob waves");
        web.send("/msg ann psst");
        assertThat(web.next().path("type").asText()).isEqualTo("private-sent");
        nc.expect("[private] bob: psst");
        web.send("/list");
        assertThat(web.next().path("names").toString()).isEqualTo("[\"ann\",\"bob\"]");
        web.send("/nick bobby");
        nc.expect("* bob is now known as bobby");
        assertThat(web.next().toString()).isEqualTo("{\"type\":\"renamed\",\"from\":\"bob\",\"to\":\"bobby\"}");
        chat.announce("maintenance at noon");
        nc.expect("[admin] maintenance at noon");
        assertThat(web.next().toString()).isEqualTo("{\"type\":\"admin\",\"text\":\"maintenance at noon\"}");
        web.send("/admin not allowed");
        web.expectNotice("not-admin");

        web.send("/quit");
        web.expectNotice("bye");
        assertThat(web.closed.get(LineClient.DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(1000);
        nc.expect("* bobby left");
    }

    @Test
    void theBrowserSeesAnNcMemberComeAndGoAndAClosedTabLeaves() throws Exception {
        ChatService chat = new ChatService(ChatLimits.DEFAULTS, ChatProtocol.LINES);
        Ports p = start("nio", chat);
        WebMember web = track(WebMember.join(p.web(), "cy"));
        LineClient nc = LineClient.join(p.tcp(), "dee");
        web.await(WebMember.type("joined", "name", "dee"), "dee joined");
        nc.close();
        web.await(WebMember.type("left", "name", "dee"), "dee left");
        // A tab closed without a close frame: the room notices and says so.
        LineClient watcher = track(LineClient.join(p.tcp(), "eve"));
        web.close();
        watcher.expect("* cy left");
    }

    @Test
    void aServerShutdownTellsThePageAndAnnouncesNoLeaves() throws Exception {
        ChatService chat = new ChatService(ChatLimits.DEFAULTS, ChatProtocol.LINES);
        Ports p = start("nio", chat);
        WebMember ann = track(WebMember.join(p.web(), "ann"));
        WebMember bob = track(WebMember.join(p.web(), "bob"));
        ann.await(WebMember.type("joined", "name", "bob"), "bob joined");
        servers.get(1).stop(Duration.ofSeconds(5));   // the page's server
        for (WebMember m : List.of(ann, bob)) {
            assertThat(m.await(e -> e.path("type").asText().equals("notice"), "the shutdown notice").path("code").asText())
                    .isEqualTo("shutdown");
            assertThat(m.closed.get(LineClient.DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).as("going away").isEqualTo(1001);
            assertThat(m.remaining()).as("no leave notices while everyone is being sent away")
                    .noneMatch(e -> e.path("type").asText().equals("left"));
        }
    }

    @Test
    void floodControlAndLongLinesAsForTcp() throws Exception {
        ChatLimits limits = new ChatLimits(64, 5, 100, ChatLimits.DEFAULT_MAX_QUEUED_BYTES, ChatLimits.DEFAULT_LINE_TIMEOUT);
        ChatService chat = new ChatService(limits, ChatProtocol.LINES);
        Ports p = start("nio", chat);
        WebMember web = track(WebMember.join(p.web(), "fay"));
        web.send("x".repeat(65));
        web.expectNotice("line-too-long");
        for (int i = 0; i < 20; i++) web.send("line " + i);
        web.await(e -> e.path("code").asText().equals("flood"), "a flood notice");
    }

    @Test
    void thePageIsServedSmallAndStrict() throws Exception {
        ChatService chat = new ChatService(ChatLimits.DEFAULTS, ChatProtocol.LINES);
        Ports p = start("nio", chat);
        try (HttpClient http = HttpClient.newHttpClient()) {
            long total = 0;
            for (String path : List.of("/", "/chat.js", "/chat.css")) {
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.web() + path)).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(r.statusCode()).as(path).isEqualTo(200);
                assertThat(r.headers().firstValue("Content-Security-Policy")).as(path).isPresent();
                total += r.body().length;
            }
            assertThat(total).as("the whole page, uncompressed").isLessThan(100 * 1024);
        }
    }
}

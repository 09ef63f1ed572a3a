package dev.polyserve.services.http.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.polyserve.core.Server;
import dev.polyserve.core.ServerStats;
import dev.polyserve.services.http.DemoApi;
import dev.polyserve.services.http.HttpApp;
import dev.polyserve.services.http.HttpOptions;
import dev.polyserve.services.http.HttpService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The dashboard's feed: rates from two samples, and the live stream over a real WebSocket. */
class DashboardTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(15);

    @Test
    void pointsAreRatesPerSecondAndBusyIsAShareOfACore() {
        DashboardSample a = new DashboardSample("nio", 3, 100, 1000, 5000, 40, Map.of("process", 1_000_000_000L, "nio-loop-0", 0L));
        DashboardSample b = new DashboardSample("nio", 5, 110, 3000, 9000, 60, Map.of("process", 1_500_000_000L, "nio-loop-0", 250_000_000L));
        JsonNode p = DashboardFeed.point(a, b, 2.0);
        assertThat(p.get("open").asLong()).isEqualTo(5);
        assertThat(p.get("accepted").asDouble()).isEqualTo(5.0);
        assertThat(p.get("requests").asDouble()).isEqualTo(10.0);
        assertThat(p.get("in").asDouble()).isEqualTo(1000.0);
        assertThat(p.get("out").asDouble()).isEqualTo(2000.0);
        assertThat(p.get("busy").get("process").asDouble()).isEqualTo(0.25);
        assertThat(p.get("busy").get("nio-loop-0").asDouble()).isEqualTo(0.125);
        DashboardSample uncounted = new DashboardSample("prefork", 0, 0, 0, 0, -1, Map.of());
        assertThat(DashboardFeed.point(uncounted, uncounted, 1).get("requests").isNull()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "virtual"})
    void theStreamShowsRequestsAsTheyHappen(String model) throws Exception {
        ServerStats stats = new ServerStats();
        HttpApp app = DemoApi.install(new HttpApp());
        HttpService http = new HttpService(app, HttpOptions.defaults(), stats);
        Dashboard.install(app, new InProcessSource(stats, model, http::requestsServed));
        Server server = Server.tcp(0).model(model).stats(stats).service(http).start();
        LinkedBlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
        try (HttpClient client = HttpClient.newHttpClient()) {
            String base = "127.0.0.1:" + server.localAddress().getPort();
            HttpResponse<String> page = client.send(HttpRequest.newBuilder(URI.create("http://" + base + "/dashboard")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("/dashboard/dashboard.js");
            WebSocket ws = client.newWebSocketBuilder().buildAsync(URI.create("ws://" + base + Dashboard.SOCKET_PATH),
                    new WebSocket.Listener() {
                        final StringBuilder text = new StringBuilder();

                        @Override
                        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                            text.append(data);
                            if (last) {
                                try {
                                    messages.add(JSON.readTree(text.toString()));
                                } catch (Exception e) {
                                    throw new AssertionError(e);
                                }
                                text.setLength(0);
                            }
                            w.request(1);
                            return null;
                        }
                    }).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(next(messages).get("type").asText()).isEqualTo("history");
            // Requests keep coming until a point reports them (each point covers one second).
            JsonNode busy = null;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                for (int i = 0; i < 20; i++) {
                    client.send(HttpRequest.newBuilder(URI.create("http://" + base + "/api/hello")).build(), HttpResponse.BodyHandlers.discarding());
                }
                JsonNode m = messages.poll(100, TimeUnit.MILLISECONDS);
                if (m == null) continue;
                assertThat(m.get("type").asText()).isEqualTo("point");
                JsonNode p = m.get("point");
                assertThat(p.get("model").asText()).isEqualTo(model);
                if (p.get("requests").asDouble() > 0 && p.get("in").asDouble() > 0) {
                    busy = p.get("busy");
                    break;
                }
            }
            assertThat(busy).as("a point with requests and bytes in").isNotNull();
            assertThat(busy.has("process")).isTrue();
            if (model.equals("nio")) assertThat(busy.has("nio-loop-0")).as(busy.toString()).isTrue();
            ws.abort();
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    private static JsonNode next(LinkedBlockingQueue<JsonNode> q) throws InterruptedException {
        JsonNode n = q.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(n).as("a message within " + WAIT).isNotNull();
        return n;
    }
}

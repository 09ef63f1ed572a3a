package dev.polyserve.services.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A browser member without the browser: the JDK WebSocket on the chat page's socket, events as JSON. */
public final class WebMember implements WebSocket.Listener, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LinkedBlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    public final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private final HttpClient client = HttpClient.newHttpClient();
    private final WebSocket ws;

    public WebMember(int webPort) throws Exception {
        ws = client.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + webPort + ChatWeb.SOCKET_PATH), this)
                .get(LineClient.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Connects and joins as {@code name}, consuming everything up to the greeting. */
    public static WebMember join(int webPort, String name) throws Exception {
        WebMember m = new WebMember(webPort);
        m.expectNotice("welcome");
        m.expectNotice("ask-name");
        m.send(name);
        m.expectNotice("hello");
        return m;
    }

    public void send(String line) throws Exception {
        ws.sendText(line, true).get(LineClient.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    public JsonNode next() throws InterruptedException {
        JsonNode e = events.poll(LineClient.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(e).as("an event within " + LineClient.DEADLINE).isNotNull();
        return e;
    }

    /** The next event, which must be a notice with {@code code}. */
    public JsonNode expectNotice(String code) throws InterruptedException {
        JsonNode e = next();
        assertThat(e.path("type").asText() + " " + e.path("code").asText()).as(e.toString()).isEqualTo("notice " + code);
        return e;
    }

    /** Skips events until one matches. */
    public JsonNode await(Predicate<JsonNode> wanted, String what) throws InterruptedException {
        while (true) {
            JsonNode e = events.poll(LineClient.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(e).as("waiting for " + what).isNotNull();
            if (wanted.test(e)) return e;
        }
    }

    /** The events received and not yet taken. */
    public java.util.List<JsonNode> remaining() {
        java.util.List<JsonNode> all = new java.util.ArrayList<>();
        events.drainTo(all);
        return all;
    }

    public static Predicate<JsonNode> type(String type, String field, String value) {
        return e -> e.path("type").asText().equals(type) && e.path(field).asText().equals(value);
    }

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            for (String line : partial.toString().split("\n")) {
                if (line.isEmpty()) continue;
                try {
                    events.add(JSON.readTree(line));
                } catch (Exception e) {
                    throw new AssertionError("not JSON: " + line, e);
                }
            }
            partial.setLength(0);
        }
        w.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
        closed.complete(code);
        return null;
    }

    @Override
    public void onError(WebSocket w, Throwable error) {
        closed.completeExceptionally(error);
    }

    @Override
    public void close() {
        ws.abort();
        client.close();
    }
}

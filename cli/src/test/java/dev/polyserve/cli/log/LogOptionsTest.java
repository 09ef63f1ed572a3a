package dev.polyserve.cli.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.polyserve.cli.PolyserveProcess;
import dev.polyserve.core.auth.HmacClient;
import dev.polyserve.core.auth.HmacKey;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

/** {@code --log-format json}, {@code --quiet} and {@code --log-level} on real servers, workers included. */
class LogOptionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void jsonRecordIsOneObjectWithTheFieldsShippersIndex() throws Exception {
        String line = ConsoleLog.json(Instant.EPOCH, "dev.polyserve.X", Level.WARN, "loop-1", "say \"hi\"\nagain",
                new IllegalStateException("boom"));
        assertThat(line).endsWith("}\n").hasLineCount(1);
        JsonNode j = JSON.readTree(line);
        assertThat(j.get("time").asText()).isEqualTo("1970-01-01T00:00:00Z");
        assertThat(j.get("level").asText()).isEqualTo("WARN");
        assertThat(j.get("logger").asText()).isEqualTo("dev.polyserve.X");
        assertThat(j.get("thread").asText()).isEqualTo("loop-1");
        assertThat(j.get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
        assertThat(j.get("message").asText()).isEqualTo("say \"hi\"\nagain");
        assertThat(j.get("error").asText()).startsWith("java.lang.IllegalStateException: boom");
    }

    @Test
    void textRecordNamesLevelThreadAndShortLogger() {
        assertThat(ConsoleLog.text(Instant.EPOCH, "dev.polyserve.X", Level.INFO, "main", "hello", null))
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[main\\] INFO X - hello\n");
    }

    @Test
    void preforkMasterAndWorkersAllLogJson() throws Exception {
        Path err = dir.resolve("stderr");
        try (PolyserveProcess p = PolyserveProcess.startLoggingTo(err, "serve", "echo", "--port", "0",
                "--model", "prefork", "--workers", "2", "--log-format", "json")) {
            p.awaitListening();
            assertThat(p.terminate()).isZero();
        }
        List<JsonNode> records = records(err);
        Set<Long> pids = new HashSet<>();
        for (JsonNode r : records) pids.add(r.get("pid").asLong());
        assertThat(pids).as("the master and both workers").hasSizeGreaterThanOrEqualTo(3);
        assertThat(records).anySatisfy(r -> assertThat(r.get("message").asText()).contains("SIGTERM received"));
    }

    @Test
    void httpAccessLogFollowsTheJsonFormat() throws Exception {
        Path err = dir.resolve("stderr");
        try (PolyserveProcess p = PolyserveProcess.startLoggingTo(err, "serve", "http", "--port", "0", "--log-format", "JSON")) {
            int port = PolyserveProcess.port(p.awaitListening());
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/nothing-here")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(p.terminate()).isZero();
        }
        assertThat(records(err)).anySatisfy(r -> {
            assertThat(r.get("type").asText()).isEqualTo("access");
            assertThat(r.get("request").asText()).isEqualTo("GET /nothing-here HTTP/1.1");
            assertThat(r.get("status").asInt()).isEqualTo(404);
        });
    }

    @Test
    void quietLeavesOnlyWarningsAndErrorsAndNoAccessLog() throws Exception {
        Path err = dir.resolve("stderr");
        try (PolyserveProcess p = PolyserveProcess.startLoggingTo(err, "serve", "http", "--port", "0", "--quiet")) {
            int port = PolyserveProcess.port(p.awaitListening());
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertThat(p.terminate()).isZero();
        }
        assertThat(Files.readString(err)).isEmpty();
    }

    @Test
    void levelsChooseWhatIsWritten() throws Exception {
        Path key = Files.write(dir.resolve("key"), new byte[32]);
        String[] levels = {"error", "info", "DEBUG"};
        List<String> logs = new ArrayList<>();
        for (String level : levels) {
            Path f = dir.resolve(level + ".log");
            try (PolyserveProcess p = PolyserveProcess.startLoggingTo(f, "serve", "echo", "--port", "0",
                    "--auth-key-file", key.toString(), "--log-level", level)) {
                int port = PolyserveProcess.port(p.awaitListening());
                try (Socket s = new Socket("127.0.0.1", port)) {
                    HmacClient.answer(s, HmacKey.read("user", key));
                    s.getOutputStream().write('x');
                    assertThat(s.getInputStream().read()).as("echoed past the gate").isEqualTo('x');
                }
                assertThat(p.terminate()).isZero();
            }
            logs.add(Files.readString(f));
        }
        assertThat(logs.get(0)).as("error").isEmpty();
        assertThat(logs.get(1)).as("info").contains("INFO Signals - SIGTERM received").doesNotContain(" DEBUG ");
        assertThat(logs.get(2)).as("debug").contains("DEBUG HmacGate - ").contains("passed the HMAC gate");
    }

    private static List<JsonNode> records(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            assertThat(line).as("every stderr line is a JSON object").startsWith("{").endsWith("}");
            out.add(JSON.readTree(line));
        }
        assertThat(out).isNotEmpty();
        return out;
    }
}

package dev.polyserve.services.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.core.Await;
import dev.polyserve.core.Server;
import dev.polyserve.core.ServerStats;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AccessLogTest {

    @Test
    void combinedLogFormatWithEscapedQuotes() {
        StringBuilder sb = new StringBuilder();
        AccessLog.format(new AccessLog.Entry("127.0.0.1", 0, "GET /a\"b HTTP/1.1", 200, 1234, null, "curl/8 \"x\"\n"), sb);
        assertThat(sb.toString()).matches(
                "127\\.0\\.0\\.1 - - \\[01/Jan/1970:\\d\\d:\\d\\d:\\d\\d [+-]\\d{4}\\] \"GET /a\\\\\"b HTTP/1\\.1\" 200 1234 \"-\" \"curl/8 \\\\\"x\\\\\"\\\\x0A\"\n");
    }

    @Test
    void jsonStyleIsOneParsableObjectPerLine() throws Exception {
        StringBuilder sb = new StringBuilder();
        AccessLog.formatJson(new AccessLog.Entry("::1", 0, "GET /a\"b HTTP/1.1", 404, 0, null, "evil\n{\"x\":1}"), sb);
        assertThat(sb.toString()).endsWith("}\n").hasLineCount(1);
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(sb.toString());
        assertThat(json.get("time").asText()).isEqualTo("1970-01-01T00:00:00Z");
        assertThat(json.get("type").asText()).isEqualTo("access");
        assertThat(json.get("remote").asText()).isEqualTo("::1");
        assertThat(json.get("request").asText()).isEqualTo("GET /a\"b HTTP/1.1");
        assertThat(json.get("status").asInt()).isEqualTo(404);
        assertThat(json.get("bytes").asLong()).isZero();
        assertThat(json.get("referer").isNull()).isTrue();
        assertThat(json.get("user_agent").asText()).isEqualTo("evil\n{\"x\":1}");
    }

    @Test
    void serverWritesOneLinePerRequestOffTheHotPath() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        ServerStats stats = new ServerStats();
        try (AccessLog log = AccessLog.to(sink, AccessLog.Style.COMBINED)) {
            HttpService http = new HttpService(new HttpApp().bundledSite(), HttpOptions.defaults().withAccessLog(log), stats);
            try (Server server = Server.tcp(0).model("nio").stats(stats).service(http).start();
                 RawClient c = new RawClient(server.localAddress())) {
                c.send("GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: test-agent\r\nReferer: http://r/\r\n\r\n").read();
                c.send("GET /missing HTTP/1.1\r\nHost: x\r\n\r\n").read();
                c.send("GET / HTTP/9.9\r\n\r\n").read();
                Await.until(Duration.ofSeconds(10), "three log lines", () -> text(sink).lines().count() == 3);
            }
        }
        var lines = text(sink).lines().toList();
        assertThat(lines.get(0)).startsWith("127.0.0.1 - - [").contains("\"GET / HTTP/1.1\" 200 ")
                .endsWith("\"http://r/\" \"test-agent\"");
        assertThat(lines.get(1)).contains("\"GET /missing HTTP/1.1\" 404 ");
        assertThat(lines.get(2)).contains("\"-\" 505 ");
    }

    private static String text(ByteArrayOutputStream b) {
        synchronized (b) {
            return b.toString(StandardCharsets.UTF_8);
        }
    }
}

package dev.polyserve.services.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.core.Server;
import dev.polyserve.core.ServerStats;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A corpus of path traversal attempts, sent raw over a socket: none may ever return a file outside the root. */
class PathTraversalTest {
    static final List<String> CORPUS = List.of(
            "/../secret.txt",
            "/../../secret.txt",
            "/../outside/secret.txt",
            "/..",
            "/../",
            "/./../secret.txt",
            "/docs/../../secret.txt",
            "/docs/../../../outside/secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E/secret.txt",
            "/%2e%2e%2fsecret.txt",
            "/%2e%2e%2f%2e%2e%2fsecret.txt",
            "/..%2fsecret.txt",
            "/..%2Foutside%2Fsecret.txt",
            "/%2e./secret.txt",
            "/.%2e/secret.txt",
            "/docs/%2e%2e/%2e%2e/secret.txt",
            "/%252e%252e/secret.txt",
            "/%252e%252e%252fsecret.txt",
            "/..%252fsecret.txt",
            "/%25%32%65%25%32%65/secret.txt",
            "/..%5csecret.txt",
            "/..%5c..%5csecret.txt",
            "/%c0%ae%c0%ae/secret.txt",
            "/%c0%ae%c0%ae%c0%afsecret.txt",
            "/%e0%80%ae%e0%80%ae/secret.txt",
            "/..%00/secret.txt",
            "/secret.txt%00.html",
            "/%00../secret.txt",
            "/escape/secret.txt",
            "/escape/",
            "/escape",
            "/link.txt",
            "/escape%2fsecret.txt",
            "/docs/..%2f..%2fsecret.txt",
            "//../secret.txt",
            "/.../secret.txt",
            "/....//secret.txt",
            "/docs/./../../secret.txt",
            "http://localhost/../secret.txt",
            "/%u002e%u002e/secret.txt",
            "/..;/secret.txt",
            "/docs/..\\..\\secret.txt");

    static TestSite site;
    static Server server;

    @BeforeAll
    static void start() throws IOException {
        site = new TestSite();
        ServerStats stats = new ServerStats();
        HttpService http = new HttpService(new HttpApp().staticFiles(site.root), HttpOptions.defaults(), stats);
        server = Server.tcp(0).model("nio").stats(stats).service(http).start();
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) server.stop(Duration.ofSeconds(2));
        if (site != null) site.delete();
    }

    @Test
    void corpusHasEnoughAttempts() {
        assertThat(CORPUS).hasSizeGreaterThanOrEqualTo(30).doesNotHaveDuplicates();
    }

    @Test
    void noAttemptEscapesTheRootOverTheWire() throws IOException {
        for (String target : CORPUS) {
            try (RawClient c = new RawClient(server.localAddress())) {
                c.send("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                String all = c.readToEnd();
                assertThat(all).as(target).doesNotContain("TOP SECRET");
                assertThat(all).as(target).startsWith("HTTP/1.1 ");
                int status = Integer.parseInt(all.substring(9, 12));
                assertThat(status).as(target).isIn(400, 403, 404);
            }
        }
    }

    @Test
    void noAttemptEscapesTheRootInTheCore() {
        StaticFiles files = StaticFiles.directory(site.root);
        for (String target : CORPUS) {
            RequestHead head = new RequestHead("GET", target, 1, new HttpHeaders(), 0, true, false);
            Request req = HttpService.request(head, new byte[0], null, "test");
            if (req == null) continue; // refused as a bad path (400) before any file lookup
            assertThat(req.path()).as(target).startsWith("/");
            assertThat(req.path().split("/")).as(target).doesNotContain("..", ".");
            Response r = files.serve(req);
            ResponseWriter.closeQuietly(r.body());
            assertThat(r.status()).as(target).isIn(301, 403, 404);
        }
    }

    @Test
    void symlinksInsideTheRootStillWork() throws IOException {
        try (RawClient c = new RawClient(server.localAddress())) {
            var r = c.send("GET /inside-link.txt HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("Hello, world!\n");
        }
    }
}

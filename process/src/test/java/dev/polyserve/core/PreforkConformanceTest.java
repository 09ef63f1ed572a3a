package dev.polyserve.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.process.PreforkStatus;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Echo under {@code prefork} with two worker JVMs, each running the default in-process model (nio). */
class PreforkConformanceTest extends MultiProcessConformance {
    static final int WORKERS = 2;

    @Override
    protected String model() {
        return "prefork";
    }

    @Override
    protected Server.Builder configure(Server.Builder builder) {
        return builder.workers(WORKERS);
    }

    /**
     * {@code --max-connections} holds per worker (each worker is its own server), so with two workers and a limit
     * of one, three connections see at least one refusal, never more than two served, and the refusals show in
     * the shared stats {@code polyserve status} reads.
     */
    @Test
    @Override
    void connectionsBeyondTheLimitAreRefusedWithTheServicesReply() throws Exception {
        Server server = startOwn(b -> b.maxConnections(1), new ChildServices.Echo());
        List<Socket> sockets = new ArrayList<>();
        int served = 0, busy = 0;
        try {
            for (int i = 0; i < 3; i++) {
                Socket s = connectTo(server);
                sockets.add(s);
                s.getOutputStream().write("one\n".getBytes(StandardCharsets.US_ASCII));
                String reply = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                        StandardCharsets.US_ASCII)).readLine();
                if ("one".equals(reply)) served++;
                else if ("busy".equals(reply)) busy++;
                else throw new AssertionError("unexpected reply " + reply);
            }
        } finally {
            for (Socket s : sockets) s.close();
        }
        assertThat(served).isBetween(1, WORKERS);
        assertThat(busy).isEqualTo(3 - served);
        int port = server.localAddress().getPort();
        int refused = busy;
        Await.until(DEADLINE, "the refusals in the shared stats", () -> refusedInSharedStats(port) == refused);
    }

    private static long refusedInSharedStats(int port) {
        try {
            return PreforkStatus.read().stream().filter(s -> s.port() == port).mapToLong(PreforkStatus.Server::refused).sum();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

}

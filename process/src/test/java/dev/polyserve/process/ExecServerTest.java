package dev.polyserve.process;

import dev.polyserve.core.Await;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExecServerTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);

    private static ExecServer exec(int max, String... command) throws IOException {
        return ExecServer.start(new ExecServer.Options("127.0.0.1", 0, max, List.of(command)));
    }

    /** Sends {@code request}, half-closes, returns everything the server sent until it closed. */
    private static String exchange(InetSocketAddress at, String request) throws IOException {
        try (Socket s = new Socket(at.getAddress(), at.getPort())) {
            s.setSoTimeout((int) LIMIT.toMillis());
            s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            s.shutdownOutput();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void catEchoesThroughNetcat() throws Exception {
        try (ExecServer server = exec(10, "/bin/cat")) {
            // nc -N: shut down the socket after stdin's EOF, so cat sees EOF and exits, which ends the reply.
            Process nc = new ProcessBuilder("nc", "-N", "127.0.0.1", Integer.toString(server.localAddress().getPort()))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            nc.getOutputStream().write("hello through cat\n".getBytes(StandardCharsets.UTF_8));
            nc.getOutputStream().close();
            String reply = new String(nc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(nc.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(reply).isEqualTo("hello through cat\n");
        }
    }

    @Test
    void catEchoesLargeTransfersBothWays() throws Exception {
        try (ExecServer server = exec(10, "cat")) {
            byte[] payload = new byte[3 << 20];
            for (int i = 0; i < payload.length; i++) payload[i] = (byte) (i * 31 + 7);
            try (Socket s = new Socket("127.0.0.1", server.localAddress().getPort())) {
                s.setSoTimeout((int) LIMIT.toMillis());
                Thread writer = Thread.ofVirtual().start(() -> {
                    try {
                        s.getOutputStream().write(payload);
                        s.shutdownOutput();
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                byte[] got = s.getInputStream().readAllBytes();
                writer.join();
                assertThat(got).isEqualTo(payload);
            }
            Await.until(LIMIT, "child reaped", () -> server.activeChildren() == 0);
            assertThat(server.stats().bytesIn()).isEqualTo(payload.length);
            assertThat(server.stats().bytesOut()).isEqualTo(payload.length);
        }
    }

    @Test
    void envShowsThePeer() throws Exception {
        try (ExecServer server = exec(10, "/usr/bin/env")) {
            try (Socket s = new Socket("127.0.0.1", server.localAddress().getPort())) {
                s.setSoTimeout((int) LIMIT.toMillis());
                String env = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(env.lines()).contains(
                        "TCPREMOTEIP=127.0.0.1",
                        "TCPREMOTEPORT=" + s.getLocalPort(),
                        "TCPLOCALIP=127.0.0.1",
                        "TCPLOCALPORT=" + server.localAddress().getPort(),
                        "PROTO=TCP");
            }
        }
    }

    @Test
    void missingCommandIsAClearStartUpError(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws IOException {
        java.nio.file.Path plain = java.nio.file.Files.writeString(dir.resolve("not-a-program"), "data");
        assertThatThrownBy(() -> exec(10, "/no/such/program"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("command not found: /no/such/program");
        assertThatThrownBy(() -> exec(10, "no-such-program-polyserve"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("command not found in PATH");
        assertThatThrownBy(() -> exec(10, plain.toString()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an executable file");
    }

    @Test
    void connectionsBeyondTheLimitAreRefused() throws Exception {
        try (ExecServer server = exec(1, "/bin/cat")) {
            InetSocketAddress at = server.localAddress();
            try (Socket first = new Socket(at.getAddress(), at.getPort())) {
                first.setSoTimeout((int) LIMIT.toMillis());
                first.getOutputStream().write('x');
                assertThat(first.getInputStream().read()).isEqualTo('x');   // its child is running
                try (Socket second = new Socket(at.getAddress(), at.getPort())) {
                    second.setSoTimeout((int) LIMIT.toMillis());
                    assertThat(readToEnd(second.getInputStream())).isEmpty();  // closed without a child
                }
                assertThat(server.stats().refused()).isEqualTo(1);
            }
            Await.until(LIMIT, "first child reaped", () -> server.activeChildren() == 0);
            assertThat(exchange(at, "after\n")).isEqualTo("after\n");       // a slot is free again
        }
    }

    @Test
    void everyChildIsReapedEvenWhenKilled() throws Exception {
        long self = ProcessHandle.current().pid();
        try (ExecServer server = exec(50, "/bin/cat")) {
            InetSocketAddress at = server.localAddress();
            List<Socket> open = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Socket s = new Socket(at.getAddress(), at.getPort());
                s.setSoTimeout((int) LIMIT.toMillis());
                s.getOutputStream().write('a');
                assertThat(s.getInputStream().read()).isEqualTo('a');
                open.add(s);
            }
            Set<Long> pids = server.childPids();
            assertThat(pids).hasSize(10);
            // Half of them die abruptly (SIGKILL), the rest finish normally when their peer closes.
            List<Long> ordered = new ArrayList<>(pids);
            for (int i = 0; i < 5; i++) ProcessHandle.of(ordered.get(i)).ifPresent(ProcessHandle::destroyForcibly);
            for (Socket s : open) s.close();
            Await.until(LIMIT, "all children finished", () -> server.activeChildren() == 0);
            Await.until(LIMIT, "no child left in /proc", () -> pids.stream().allMatch(p -> ProcTable.stat(p).isEmpty()));
            assertThat(ProcTable.zombiesOf(self)).isEmpty();
        }
        assertThat(ProcTable.zombiesOf(self)).isEmpty();
    }

    @Test
    void stopTerminatesRunningChildren() throws Exception {
        ExecServer server = exec(10, "/bin/cat");
        InetSocketAddress at = server.localAddress();
        try (Socket s = new Socket(at.getAddress(), at.getPort())) {
            s.setSoTimeout((int) LIMIT.toMillis());
            s.getOutputStream().write('a');
            assertThat(s.getInputStream().read()).isEqualTo('a');
            Set<Long> pids = server.childPids();
            server.stop(Duration.ofSeconds(2));
            assertThat(server.activeChildren()).isZero();
            assertThat(pids).allMatch(p -> ProcTable.stat(p).isEmpty());
            assertThat(readToEnd(s.getInputStream())).isEmpty();
        }
    }

    private static byte[] readToEnd(InputStream in) throws IOException {
        try {
            return in.readAllBytes();
        } catch (java.net.SocketException reset) {
            return new byte[0];
        }
    }
}

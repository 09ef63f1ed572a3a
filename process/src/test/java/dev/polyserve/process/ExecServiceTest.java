package dev.polyserve.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.polyserve.core.Await;
import dev.polyserve.core.Server;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code serve exec} as a service: any program per connection, its connection side on any model. */
class ExecServiceTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);

    private static Server serve(String model, ExecService exec) throws IOException {
        return Server.tcp(0).model(model).service(exec).start();
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

    @ParameterizedTest
    @ValueSource(strings = {"nio", "virtual", "threads"})
    void catEchoesThroughNetcat(String model) throws Exception {
        try (Server server = serve(model, new ExecService(List.of("/bin/cat"), 10))) {
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

    @ParameterizedTest
    @ValueSource(strings = {"nio", "virtual", "threads"})
    void catEchoesLargeTransfersBothWaysWithBackPressure(String model) throws Exception {
        ExecService exec = new ExecService(List.of("cat"), 10);
        try (Server server = serve(model, exec)) {
            // Far more than the pipes, the pump queues and the socket buffers hold together: both directions must wait.
            byte[] payload = new byte[24 << 20];
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
            Await.until(LIMIT, "child reaped", () -> exec.runningChildren() == 0);
            assertThat(server.stats().bytesIn()).isEqualTo(payload.length);
            assertThat(server.stats().bytesOut()).isEqualTo(payload.length);
        }
    }

    @Test
    void envShowsThePeer() throws Exception {
        try (Server server = serve("nio", new ExecService(List.of("/usr/bin/env"), 10))) {
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
    void missingCommandIsAClearStartUpError(@TempDir Path dir) throws IOException {
        Path plain = Files.writeString(dir.resolve("not-a-program"), "data");
        assertThatThrownBy(() -> new ExecService(List.of("/no/such/program"), 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("command not found: /no/such/program");
        assertThatThrownBy(() -> new ExecService(List.of("no-such-program-polyserve"), 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("command not found in PATH");
        assertThatThrownBy(() -> new ExecService(List.of(plain.toString()), 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an executable file");
    }

    @Test
    void connectionsBeyondTheChildLimitAreRefused() throws Exception {
        ExecService exec = new ExecService(List.of("/bin/cat"), 1);
        try (Server server = serve("nio", exec)) {
            InetSocketAddress at = server.localAddress();
            try (Socket first = new Socket(at.getAddress(), at.getPort())) {
                first.setSoTimeout((int) LIMIT.toMillis());
                first.getOutputStream().write('x');
                assertThat(first.getInputStream().read()).isEqualTo('x');   // its child is running
                try (Socket second = new Socket(at.getAddress(), at.getPort())) {
                    second.setSoTimeout((int) LIMIT.toMillis());
                    assertThat(readToEnd(second.getInputStream())).isEmpty();  // closed without a child
                }
                assertThat(exec.refusedForChildren()).isEqualTo(1);
            }
            Await.until(LIMIT, "first child reaped", () -> exec.runningChildren() == 0);
            assertThat(exchange(at, "after\n")).isEqualTo("after\n");       // a slot is free again
        }
    }

    @Test
    void everyChildIsReapedEvenWhenKilled() throws Exception {
        long self = ProcessHandle.current().pid();
        ExecService exec = new ExecService(List.of("/bin/cat"), 50);
        try (Server server = serve("nio", exec)) {
            InetSocketAddress at = server.localAddress();
            List<Socket> open = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Socket s = new Socket(at.getAddress(), at.getPort());
                s.setSoTimeout((int) LIMIT.toMillis());
                s.getOutputStream().write('a');
                assertThat(s.getInputStream().read()).isEqualTo('a');
                open.add(s);
            }
            Set<Long> pids = exec.childPids();
            assertThat(pids).hasSize(10);
            // Half of them die abruptly (SIGKILL), the rest finish when their peer closes.
            List<Long> ordered = new ArrayList<>(pids);
            for (int i = 0; i < 5; i++) ProcessHandle.of(ordered.get(i)).ifPresent(ProcessHandle::destroyForcibly);
            for (Socket s : open) s.close();
            Await.until(LIMIT, "all children finished", () -> exec.runningChildren() == 0);
            Await.until(LIMIT, "no child left in /proc", () -> pids.stream().allMatch(p -> ProcTable.stat(p).isEmpty()));
            assertThat(ProcTable.zombiesOf(self)).isEmpty();
        }
    }

    @Test
    void aPeerThatResetsStopsItsProgram() throws Exception {
        // A half-close (FIN) only ends the program's stdin, as under tcpserver; a reset ends the connection.
        ExecService exec = new ExecService(List.of("/bin/sleep", "600"), 10);
        try (Server server = serve("nio", exec)) {
            try (Socket s = new Socket("127.0.0.1", server.localAddress().getPort())) {
                Await.until(LIMIT, "sleep started", () -> exec.runningChildren() == 1);
                s.setSoLinger(true, 0);   // close() sends RST
            }
            Await.until(LIMIT, "sleep stopped after its peer left", () -> exec.runningChildren() == 0);
        }
    }

    @Test
    void stopTerminatesRunningChildren() throws Exception {
        ExecService exec = new ExecService(List.of("/bin/cat"), 10);
        Server server = serve("nio", exec);
        InetSocketAddress at = server.localAddress();
        try (Socket s = new Socket(at.getAddress(), at.getPort())) {
            s.setSoTimeout((int) LIMIT.toMillis());
            s.getOutputStream().write('a');
            assertThat(s.getInputStream().read()).isEqualTo('a');
            Set<Long> pids = exec.childPids();
            server.stop(Duration.ofSeconds(2));
            Await.until(LIMIT, "children gone", () -> exec.runningChildren() == 0);
            Await.until(LIMIT, "no child left in /proc", () -> pids.stream().allMatch(p -> ProcTable.stat(p).isEmpty()));
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

package dev.polyserve.loadgen;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Runs the real load generator against a loopback echo server; checks counts and consistency, never speed. */
@Timeout(60)
class EchoLoadTest {
    private static final Duration SHORT = Duration.ofMillis(400);

    private static EchoLoadSpec spec(InetSocketAddress target, int connections, int size) {
        return EchoLoadSpec.of(target, connections, size, SHORT).withWarmup(Duration.ZERO).withLoops(Math.min(2, connections));
    }

    @Test
    void closedLoopCountsEveryEchoedMessageOnce() throws Exception {
        try (var server = new LoopbackEchoServer(LoopbackEchoServer.Behaviour.ECHO)) {
            EchoLoadResult result = EchoLoad.run(spec(server.address(), 8, 64), ProgressDisplay.NONE);

            assertThat(result.connected()).isEqualTo(8);
            assertThat(result.served()).isEqualTo(8);
            assertThat(result.messages()).isPositive();
            assertThat(result.latency().count()).isEqualTo(result.messages());
            assertThat(result.latency().p50()).isPositive().isLessThanOrEqualTo(result.latency().p99());
            assertThat(result.latency().p99()).isLessThanOrEqualTo(result.latency().p999());
            assertThat(result.latency().p999()).isLessThanOrEqualTo(result.latency().max());
            assertThat(result.errors()).isZero();
            assertThat(result.firstError()).isNull();
            // Everything recorded was echoed by the server; the server may have echoed more (warm-up, drain).
            assertThat(server.bytesEchoed.get()).isGreaterThanOrEqualTo(result.messages() * 64);
            assertThat(result.messagesPerSecond()).isEqualTo(result.messages() / result.windowSeconds());
            assertThat(result.megabytesPerSecond()).isEqualTo(result.messagesPerSecond() * 64 / 1e6);
        }
    }

    @Test
    void pipelinedConnectionsKeepSeveralMessagesInFlight() throws Exception {
        try (var server = new LoopbackEchoServer(LoopbackEchoServer.Behaviour.ECHO)) {
            EchoLoadResult result = EchoLoad.run(spec(server.address(), 3, 100).withPipelineDepth(16), ProgressDisplay.NONE);

            assertThat(result.connected()).isEqualTo(3);
            assertThat(result.messages()).isPositive();
            assertThat(result.errors()).isZero();
            assertThat(result.latency().count()).isEqualTo(result.messages());
        }
    }

    @Test
    void messagesLargerThanTheSocketBuffersArriveIntact() throws Exception {
        try (var server = new LoopbackEchoServer(LoopbackEchoServer.Behaviour.ECHO)) {
            // 1 MB messages: far beyond the 64 KiB payload window and one read buffer, so writes and
            // reads are partial. One in flight: with both directions' socket buffers full, loopback TCP
            // spends its time in zero-window stalls, which would test the kernel rather than this code.
            EchoLoadSpec spec = EchoLoadSpec.of(server.address(), 2, 1_000_000, Duration.ofMillis(1500))
                    .withWarmup(Duration.ZERO);
            EchoLoadResult result = EchoLoad.run(spec, ProgressDisplay.NONE);

            assertThat(result.messages()).isPositive();
            assertThat(result.errors()).isZero();
        }
    }

    @Test
    void connectionsLeftWaitingAreConnectedButNotServed() throws Exception {
        try (var server = new LoopbackEchoServer(LoopbackEchoServer.Behaviour.ONE_CLIENT_AT_A_TIME)) {
            EchoLoadResult result = EchoLoad.run(spec(server.address(), 4, 64), ProgressDisplay.NONE);

            assertThat(result.connected()).isEqualTo(4);   // the kernel's accept queue completes the handshakes
            assertThat(result.served()).isEqualTo(1);
            assertThat(result.messages()).isPositive();
            assertThat(result.errors()).isZero();
        }
    }

    @Test
    void replacingConnectionsAfterEachEchoMeasuresSetUpCost() throws Exception {
        try (var server = new LoopbackEchoServer(LoopbackEchoServer.Behaviour.ECHO)) {
            EchoLoadResult result = EchoLoad.run(spec(server.address(), 4, 64).withMessagesPerConnection(1), ProgressDisplay.NONE);

            assertThat(result.connectionsCompleted()).isPositive();
            assertThat(result.setup().count()).isPositive().isLessThanOrEqualTo(result.messages());
            assertThat(result.setup().p50()).isPositive();
            assertThat(result.messages()).isGreaterThanOrEqualTo(result.connectionsCompleted());
            assertThat(result.errors()).isZero();
            // Every completed connection was a real accept; the first four were opened before the window.
            assertThat(server.accepted.get()).isGreaterThanOrEqualTo(result.connectionsCompleted() + 4);
            assertThat(result.summaryLine()).contains(" msgs_per_conn=1 ");
        }
    }

    @Test
    void severalMessagesPerConnectionArePipelinedUpToTheLimit() throws Exception {
        try (var server = new LoopbackEchoServer(LoopbackEchoServer.Behaviour.ECHO)) {
            EchoLoadResult result = EchoLoad.run(spec(server.address(), 2, 64).withMessagesPerConnection(5).withPipelineDepth(3),
                    ProgressDisplay.NONE);

            assertThat(result.connectionsCompleted()).isPositive();
            assertThat(result.errors()).isZero();
            assertThat(result.messages()).isGreaterThanOrEqualTo(5 * result.connectionsCompleted());
        }
    }

    @Test
    void aWrongEchoIsReportedAsCorrupt() throws Exception {
        try (var server = new LoopbackEchoServer(LoopbackEchoServer.Behaviour.FLIP_FIRST_BYTE)) {
            EchoLoadResult result = EchoLoad.run(spec(server.address(), 4, 64), ProgressDisplay.NONE);

            assertThat(result.corrupt()).isEqualTo(4);
            assertThat(result.served()).isZero();
            assertThat(result.messages()).isZero();
            assertThat(result.firstError()).contains("echo differs");
        }
    }

    @Test
    void aServerThatHangsUpIsCounted() throws Exception {
        try (var server = new LoopbackEchoServer(LoopbackEchoServer.Behaviour.CLOSE_AFTER_FIRST_READ)) {
            EchoLoadResult result = EchoLoad.run(spec(server.address(), 5, 64), ProgressDisplay.NONE);

            assertThat(result.closedByServer() + result.ioErrors()).isEqualTo(5);
            assertThat(result.messages()).isZero();
        }
    }

    @Test
    void refusedConnectionsEndTheRunWithoutLoad() throws Exception {
        InetSocketAddress nobody;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nobody = new InetSocketAddress(InetAddress.getLoopbackAddress(), probe.getLocalPort());
        }
        EchoLoadResult result = EchoLoad.run(spec(nobody, 6, 64), ProgressDisplay.NONE);

        assertThat(result.connected()).isZero();
        assertThat(result.connectFailures()).isEqualTo(6);
        assertThat(result.messages()).isZero();
        assertThat(result.summaryLine()).contains(" connected=0 ", " connect_failures=6 ");
    }

    @Test
    void serverCpuIsMeasuredForTheGivenProcess() throws Exception {
        try (var server = new LoopbackEchoServer(LoopbackEchoServer.Behaviour.ECHO)) {
            // The in-test server runs in this JVM, so this JVM is "the server" here.
            long self = ProcessHandle.current().pid();
            EchoLoadResult result = EchoLoad.run(spec(server.address(), 4, 64).withServerPid(self), ProgressDisplay.NONE);

            assertThat(result.serverCpuSeconds()).isPresent();
            assertThat(result.serverCpuSeconds().getAsDouble()).isGreaterThanOrEqualTo(0);
            assertThat(result.summaryLine()).contains(" server_pid=" + self + " ");
            if (result.serverCpuSeconds().getAsDouble() > 0) {
                assertThat(result.messagesPerServerCpuSecond()).hasValue(result.messages() / result.serverCpuSeconds().getAsDouble());
            }
        }
    }

    @Test
    void anUnknownServerPidIsRefusedBeforeTheRun() throws Exception {
        try (var server = new LoopbackEchoServer(LoopbackEchoServer.Behaviour.ECHO)) {
            EchoLoadSpec spec = spec(server.address(), 1, 64).withServerPid(Long.MAX_VALUE);
            assertThatThrownBy(() -> EchoLoad.run(spec, ProgressDisplay.NONE))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("--server-pid");
        }
    }
}

package dev.polyserve.process;

import dev.polyserve.core.Await;
import dev.polyserve.core.ChildServices;
import dev.polyserve.core.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** The prefork master's promises, checked with real worker JVMs, real signals and /proc. */
class PreforkSupervisionTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final long SELF = ProcessHandle.current().pid();
    private Server server;

    @AfterEach
    void stop() {
        if (server != null) server.stop(Duration.ofSeconds(5));
        assertThat(ProcTable.zombiesOf(SELF)).as("zombie children").isEmpty();
    }

    private Server prefork(int workers) throws IOException {
        server = Server.tcp(0).host("127.0.0.1").model("prefork").workers(workers).service(new ChildServices.Echo()).start();
        return server;
    }

    private static PreforkStatus.Server status(int port) {
        try {
            return PreforkStatus.read().stream().filter(s -> s.port() == port).findFirst()
                    .orElseThrow(() -> new AssertionError("no stats segment for port " + port));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Set<Long> serving(int port) {
        return status(port).workers().stream().filter(w -> w.state().equals("serving"))
                .map(PreforkStatus.Worker::pid).collect(Collectors.toSet());
    }

    private static Set<Long> spares(int port) {
        return status(port).workers().stream().filter(w -> w.state().equals("spare"))
                .map(PreforkStatus.Worker::pid).collect(Collectors.toSet());
    }

    private static boolean migratesQueuedConnections() {
        try {
            return Files.readString(Path.of("/proc/sys/net/ipv4/tcp_migrate_req")).trim().equals("1");
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void sigkillOfOneWorkerUnderLoadRefusesNoConnection() throws Exception {
        int port = prefork(2).localAddress().getPort();
        Set<Long> before = serving(port);
        assertThat(before).hasSize(2);
        Await.until(LIMIT, "the warm spare standing by", () -> spares(port).size() == 1);
        long spare = spares(port).iterator().next();
        long victim = before.iterator().next();
        ClientLoop loop = new ClientLoop(port);
        // 1,000 connects; one worker is killed with SIGKILL after the first 200.
        loop.run(1_000, () -> true, 200, () -> ProcessHandle.of(victim).orElseThrow().destroyForcibly());
        System.out.println("SIGKILL of 1 of 2 workers during 1,000 connects: " + loop);
        assertThat(loop.refused.get()).as(loop.toString()).isZero();
        // Only connections the dead worker held can fail; the kernel routes every new one to a live listener.
        assertThat(loop.served.get()).as(loop.toString()).isGreaterThanOrEqualTo(1_000 - 10);
        Await.until(LIMIT, "the killed worker replaced", () -> {
            Set<Long> now = serving(port);
            return now.size() == 2 && !now.contains(victim);
        });
        assertThat(serving(port)).as("the spare took the dead worker's slot").contains(spare);
        Await.until(LIMIT, "a new spare behind it", () -> spares(port).size() == 1 && !spares(port).contains(spare));
        assertThat(ProcTable.stat(victim)).as("the killed worker was reaped").isEmpty();
        assertThat(status(port).workersReplaced()).isEqualTo(1);
    }

    @Test
    void eachWorkerJvmSeesItsShareOfTheProcessors() throws Exception {
        int port = prefork(2).localAddress().getPort();
        int share = PreforkMaster.processorsPerWorker(Runtime.getRuntime().availableProcessors(), 2);
        for (long pid : serving(port)) {
            String cmdline = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ');
            assertThat(cmdline).contains("-XX:ActiveProcessorCount=" + share);
        }
        assertThat(PreforkMaster.processorsPerWorker(2, 2)).isEqualTo(1);
        assertThat(PreforkMaster.processorsPerWorker(8, 2)).isEqualTo(4);
        assertThat(PreforkMaster.processorsPerWorker(2, 5)).as("never none").isEqualTo(1);
    }

    @Test
    void killedWorkersLeaveNoZombies() throws Exception {
        int port = prefork(2).localAddress().getPort();
        List<Long> killed = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            Set<Long> current = serving(port);
            for (long pid : current) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                killed.add(pid);
            }
            Await.until(LIMIT, "both workers replaced", () -> {
                Set<Long> now = serving(port);
                return now.size() == 2 && now.stream().noneMatch(killed::contains);
            });
        }
        Await.until(LIMIT, "every killed worker gone from /proc", () -> killed.stream().allMatch(p -> ProcTable.stat(p).isEmpty()));
        assertThat(ProcTable.zombiesOf(SELF)).isEmpty();
        try (var s = new java.net.Socket("127.0.0.1", port)) {
            s.getOutputStream().write("still\n".getBytes());
            assertThat(new String(s.getInputStream().readNBytes(6))).isEqualTo("still\n");
        }
    }

    @Test
    void sighupRestartsEveryWorkerWithoutRefusingConnections() throws Exception {
        assumeFalse(SignalsTest.hangupIgnoredHere(), "the tests run with SIGHUP ignored (under nohup): the master cannot get it");
        int port = prefork(2).localAddress().getPort();
        Set<Long> before = serving(port);
        ClientLoop loop = new ClientLoop(port);
        // A real SIGHUP to this JVM (the master) after 100 connects; the loop runs until both workers are new.
        loop.run(1_000, () -> {
            Set<Long> now = serving(port);
            return now.size() == 2 && now.stream().noneMatch(before::contains)
                    && before.stream().allMatch(p -> ProcTable.stat(p).isEmpty());
        }, 100, () -> {
            try {
                new ProcessBuilder("kill", "-HUP", Long.toString(SELF)).inheritIO().start().waitFor();
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        System.out.println("SIGHUP rolling restart of 2 workers during " + loop.attempts() + " connects: " + loop);
        assertThat(loop.refused.get()).as(loop.toString()).isZero();
        if (migratesQueuedConnections()) {
            // With tcp_migrate_req=1 a draining worker's queued connections move to a live worker: none is lost.
            assertThat(loop.reset.get()).as(loop.toString()).isZero();
        }
        assertThat(serving(port)).hasSize(2);
        Await.until(LIMIT, "a new spare", () -> !spares(port).isEmpty());
    }

    @Test
    void stopDrainsReapsAndRemovesTheSegment() throws Exception {
        int port = prefork(2).localAddress().getPort();
        PreforkStatus.Server st = status(port);
        List<Long> pids = st.workers().stream().map(PreforkStatus.Worker::pid).toList();
        for (int i = 0; i < 10; i++) {
            try (var s = new java.net.Socket("127.0.0.1", port)) {
                s.getOutputStream().write("abc\n".getBytes());
                assertThat(s.getInputStream().readNBytes(4)).hasSize(4);
            }
        }
        // A worker publishes a connection's accept and its bytes in different rounds: wait for both.
        Await.until(LIMIT, "ten connections and their 40 bytes in the shared stats",
                () -> status(port).accepted() == 10 && status(port).bytesIn() == 40);
        assertThat(PreforkStatus.format(List.of(status(port)))).contains("port " + port).contains("serving");
        server.stop(Duration.ofSeconds(5));
        server = null;
        assertThat(pids).allMatch(p -> ProcTable.stat(p).isEmpty());
        assertThat(Files.exists(st.file())).isFalse();
        assertThat(PreforkStatus.read()).noneMatch(s -> s.port() == port);
    }

    @Test
    void crashLoopBackOffGrows() {
        assertThat(PreforkMaster.backoff(1)).isEqualTo(Duration.ZERO);
        assertThat(PreforkMaster.backoff(2)).isEqualTo(PreforkMaster.FIRST_BACKOFF);
        assertThat(PreforkMaster.backoff(3)).isEqualTo(PreforkMaster.FIRST_BACKOFF.multipliedBy(2));
        assertThat(PreforkMaster.backoff(40)).isEqualTo(PreforkMaster.MAX_BACKOFF);
        assertThat(PreforkMaster.describe(137)).isEqualTo("status 137 (killed by SIGKILL)");
        assertThat(PreforkMaster.describe(3)).isEqualTo("status 3");
    }
}

package dev.polyserve.cli.bench;

import dev.polyserve.core.Server;
import dev.polyserve.services.echo.EchoService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bench hold} against real echo servers on loopback: every connection opened, every echo checked. */
@Timeout(180)
class HoldCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine bench = new CommandLine(new BenchCommand());
        bench.setOut(new PrintWriter(out, true));
        bench.setErr(new PrintWriter(err, true));
        return bench.execute(args);
    }

    @Test
    void holdsTwoHundredConnectionsAndVerifiesEveryEcho() throws Exception {
        try (var server = Server.tcp(0).model("virtual").service(new EchoService(false)).start()) {
            long self = ProcessHandle.current().pid();
            int exit = run("hold", "--port", Integer.toString(server.localAddress().getPort()), "--connections", "200",
                    "--sources", "7", "--deadline", "120", "--server-pid", Long.toString(self));

            assertThat(exit).as(out + "\n" + err).isZero();
            assertThat(out.toString()).contains("connections held: 200 of 200 (1 client process, 7 source addresses)",
                    "echo verified: 200 of 200", "failures: none", "server RSS (process tree of " + self + ")")
                    .containsOnlyOnce("RESULT connections=200 opened=200 ");
        }
    }

    @Test
    void splitsTheConnectionsOverChildProcesses() throws Exception {
        try (var server = Server.tcp(0).model("nio").service(new EchoService(true)).start()) {
            // --upper: the server answers in upper case, so no reply matches what was sent
            int exit = run("hold", "--port", Integer.toString(server.localAddress().getPort()), "--connections", "150",
                    "--per-process", "60", "--deadline", "120");

            assertThat(exit).as(out + "\n" + err).isEqualTo(1);
            assertThat(out.toString()).contains("connections held: 150 of 150 (3 client processes", "echo verified: 0 of 150",
                    "failures: wrong-reply=150");
        }
    }

    @Test
    void countsRefusedConnectionsByKind() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        assertThat(run("hold", "--port", Integer.toString(closedPort), "--connections", "5", "--deadline", "30")).isEqualTo(1);
        assertThat(out.toString()).contains("connections held: 0 of 5", "failures: refused=5");
    }

    @Test
    void refusesMoreThanTheDescriptorCapPerProcess() {
        assertThat(run("hold", "--port", "7", "--per-process", "19001")).isEqualTo(2);
        assertThat(err.toString()).contains("--per-process must be between 1 and 19000");
    }
}

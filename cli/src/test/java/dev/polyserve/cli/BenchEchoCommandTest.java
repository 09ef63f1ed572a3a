package dev.polyserve.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code polyserve bench echo} against a real {@code polyserve serve echo} child process, charging its CPU. */
@Timeout(120)
class BenchEchoCommandTest {

    @Test
    void loadsARealServerAndReportsItsCpu() throws Exception {
        try (PolyserveProcess server = PolyserveProcess.start("serve", "echo", "--model", "nio", "--port", "0")) {
            int port = PolyserveProcess.port(server.awaitListening());
            long pid = server.process.pid();
            StringWriter out = new StringWriter();
            CommandLine polyserve = Main.commandLine();
            polyserve.setOut(new PrintWriter(out, true));

            int exit = polyserve.execute("bench", "echo", "--port", Integer.toString(port), "--connections", "10",
                    "--size", "64", "--duration", "0.5", "--warmup", "0.2", "--server-pid", Long.toString(pid), "--quiet");

            assertThat(exit).isZero();
            String result = out.toString().lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow();
            assertThat(result).contains(" connections=10 ", " connected=10 ", " errors=0 ", " server_pid=" + pid + " ")
                    .doesNotContain("server_cpu_s=-");
            assertThat(server.terminate()).isZero();
        }
    }
}

package dev.polyserve.cli.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(120)
class LabCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine bench = new CommandLine(new BenchCommand());
        bench.setOut(new PrintWriter(out, true));
        bench.setErr(new PrintWriter(err, true));
        return bench.execute(args);
    }

    @Test
    void aTinyLabWritesTheReportAndOneSeriesPerModelInEachChart(@TempDir Path dir) throws Exception {
        int exit = run("lab", "--scenarios", "echo", "--models", "nio,virtual", "--connections", "2,4", "--idle", "5",
                "--duration", "0.2", "--warmup", "0", "--out", dir.toString());

        assertThat(exit).isZero();
        String report = Files.readString(dir.resolve(LabReport.REPORT));
        assertThat(report).contains("| nio |", "| virtual |", "Load average", "Other processes used ", "polyserve bench lab --scenarios echo --models nio,virtual",
                EchoScenario.THROUGHPUT, EchoScenario.MEMORY);
        for (String chart : new String[] {EchoScenario.THROUGHPUT, EchoScenario.P99, EchoScenario.CPU}) {
            var svg = SvgChartTest.parse(Files.readString(dir.resolve(chart)));
            assertThat(svg.getElementsByTagName("polyline").getLength()).as(chart).isEqualTo(2);
        }
        var memory = SvgChartTest.parse(Files.readString(dir.resolve(EchoScenario.MEMORY)));
        assertThat(memory.getElementsByTagName("rect").getLength()).as("background and one bar per model").isEqualTo(1 + 2);
        assertThat(memory.getDocumentElement().getTextContent()).contains("(5 held)", "log scale");
        assertThat(out.toString()).contains("lab report: ");
    }

    @Test
    void anUnknownModelExitsWithTwo(@TempDir Path dir) {
        assertThat(run("lab", "--models", "carrier-pigeon", "--out", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("carrier-pigeon");
    }

    @Test
    void cappedModelsSkipTheLevelsTheyCannotTake() {
        assertThat(EchoScenario.skipReason("iterative", 100, 0)).contains("up to 10");
        assertThat(EchoScenario.skipReason("epoll", 10_000, 20_000)).isNull();
        assertThat(EchoScenario.skipReason("epoll", 10_000, 1_024)).contains("ulimit -n is 1024");
    }
}

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
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Each lab scenario run small against real server JVMs on loopback: the report says what it measured, the charts are drawn. */
@Timeout(300)
class LabScenariosTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine bench = new CommandLine(new BenchCommand());
        bench.setOut(new PrintWriter(out, true));
        bench.setErr(new PrintWriter(err, true));
        return bench.execute(args);
    }

    @Test
    void selectRefusesTheConnectionPastFdSetsizeWithALogLineWhilePollHoldsThemAll(@TempDir Path dir) throws Exception {
        assumeTrue(Lab.fdLimitOfThisProcess() == 0 || Lab.fdLimitOfThisProcess() > SelectLimitScenario.PROBE + Lab.FD_HEADROOM,
                "ulimit -n too low for " + SelectLimitScenario.PROBE + " connections");
        int exit = run("lab", "--scenarios", "select-limit", "--models", "select,poll", "--out", dir.toString());

        assertThat(exit).isZero();
        String report = Files.readString(dir.resolve(LabReport.REPORT));
        String select = report.lines().filter(l -> l.startsWith("| select |")).findFirst().orElseThrow();
        int held = Integer.parseInt(select.split("\\|")[2].trim().replace(",", ""));
        assertThat(held).isBetween(900, 1023); // the server's own descriptors take the rest of the bitmap
        assertThat(select).contains("FD_SETSIZE");
        assertThat(report).contains("| poll | 1,100 | all held |");
        assertThat(err.toString()).contains("[1/2]", "[2/2]");
    }

    @Test
    void theSpinSpeedupAndCpuScenariosDrawOneBarOrSeriesPerModel(@TempDir Path dir) throws Exception {
        int exit = run("lab", "--scenarios", "spin,threads-cpu,cpu", "--models", "nonblocking,epoll", "--duration", "0.3", "--warmup", "0",
                "--cpu-work", "40000", "--out", dir.toString());

        assertThat(exit).isZero();
        String report = Files.readString(dir.resolve(LabReport.REPORT));
        assertThat(report).contains("## The non-blocking loop's CPU when idle", "| nonblocking |", "| 4 |", "SHA-256", "cores busy");
        assertThat(SvgChartTest.parse(Files.readString(dir.resolve(SpinScenario.CHART))).getElementsByTagName("rect").getLength())
                .isEqualTo(1 + 2); // the background and one bar per model
        assertThat(SvgChartTest.parse(Files.readString(dir.resolve(CpuScenario.CHART))).getElementsByTagName("rect").getLength()).isEqualTo(1 + 2);
        assertThat(SvgChartTest.parse(Files.readString(dir.resolve(ThreadSpeedupScenario.CHART))).getElementsByTagName("polyline").getLength())
                .isEqualTo(2); // measured and ideal
    }

    @Test
    void theChatIdleCostAndSpawnScenariosReportEveryModelTheyRan(@TempDir Path dir) throws Exception {
        int exit = run("lab", "--scenarios", "chat,idle-cost,spawn", "--models", "poll,epoll,virtual", "--idle-levels", "0,200",
                "--duration", "0.3", "--warmup", "0", "--out", dir.toString());

        assertThat(exit).isZero();
        String report = Files.readString(dir.resolve(LabReport.REPORT));
        assertThat(report).contains("## Chat broadcast", "| epoll | ", " 0 · 0 |", // nothing missing, nobody dropped
                "## poll vs epoll", "| poll |", "## Processes vs threads", "| virtual thread |", "| process (true) |");
        assertThat(SvgChartTest.parse(Files.readString(dir.resolve(IdleCostScenario.CPU_CHART))).getElementsByTagName("polyline").getLength())
                .isEqualTo(2);
        var spawnMemory = SvgChartTest.parse(Files.readString(dir.resolve(SpawnScenario.MEMORY_CHART)));
        assertThat(spawnMemory.getElementsByTagName("rect").getLength()).isEqualTo(1 + 1);
        assertThat(spawnMemory.getDocumentElement().getTextContent()).contains("log scale");
    }

    @Test
    void selectCappedBelowAnIdleLevelIsReportedInThatLevelsColumnAtItsCap(@TempDir Path dir) throws Exception {
        assumeTrue(Lab.fdLimitOfThisProcess() == 0 || Lab.fdLimitOfThisProcess() > 1_000 + IdleCostScenario.ACTIVE + Lab.FD_HEADROOM,
                "ulimit -n too low for 1,000 idle connections");
        int exit = run("lab", "--scenarios", "idle-cost", "--models", "select,poll", "--idle-levels", "0,1000",
                "--duration", "0.3", "--warmup", "0", "--out", dir.toString());

        assertThat(exit).isZero();
        String report = Files.readString(dir.resolve(LabReport.REPORT));
        assertThat(report).contains("| model | +0 idle: us CPU/msg · p99 us | +1,000 idle: us CPU/msg · p99 us |\n|---|---|---|\n")
                .doesNotContain("+900 idle");
        String select = report.lines().filter(l -> l.startsWith("| select |")).findFirst().orElseThrow();
        assertThat(select.split("\\|")[3]).contains("(at 900)");
        String poll = report.lines().filter(l -> l.startsWith("| poll |")).findFirst().orElseThrow();
        assertThat(poll).doesNotContain("(at ");
        var chart = SvgChartTest.parse(Files.readString(dir.resolve(IdleCostScenario.CPU_CHART)));
        assertThat(chart.getElementsByTagName("polyline").getLength()).isEqualTo(2);
        assertThat(chart.getDocumentElement().getTextContent()).doesNotContain("900");
        assertThat(err.toString()).contains("[4/4]");
    }

    @Test
    void anUnknownScenarioExitsWithTwoAndNamesTheKnownOnes(@TempDir Path dir) {
        assertThat(run("lab", "--scenarios", "teleport", "--out", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("teleport", "select-limit", "threads-cpu");
    }
}

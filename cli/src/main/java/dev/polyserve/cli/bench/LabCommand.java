package dev.polyserve.cli.bench;

import dev.polyserve.loadgen.EchoLoadSpec;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code polyserve bench lab}: the course's claims about the models, each answered by a measurement (a scenario),
 * every server in its own JVM, written up as a Markdown report with SVG charts.
 */
@Command(name = "lab", mixinStandardHelpOptions = true,
        description = {"The model lab: runs each --scenarios on the models it concerns (each server its own JVM) and writes DIR/README.md with SVG charts.",
                "Scenarios: echo (ping-pong at each --connections level, memory per --idle connection, io_uring vs epoll), cpu (a CPU-heavy handler: "
                        + "cores used), chat (broadcast deliveries/s), idle-cost (poll vs epoll as idle connections grow), select-limit (FD_SETSIZE), "
                        + "spin (idle CPU of the non-blocking loop), spawn (processes vs threads vs virtual threads), threads-cpu (CPU-bound speed-up by threads).",
                "One progress line per step goes to stderr. The defaults take under 10 minutes on 2 cores; 10,000 connections need "
                        + "`ulimit -n 20000` in this shell (servers inherit it); what does not fit is skipped and said so."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:report written", "1:no scenario measured anything", "2:bad options"})
final class LabCommand implements Callable<Integer> {
    static final List<String> SCENARIOS = List.of(EchoScenario.NAME, CpuScenario.NAME, ChatScenario.NAME, IdleCostScenario.NAME,
            SelectLimitScenario.NAME, SpinScenario.NAME, SpawnScenario.NAME, ThreadSpeedupScenario.NAME);

    /** Sub-directory of --out with each server's stderr. */
    static final String LOGS = "logs";

    @Option(names = "--scenarios", split = ",", paramLabel = "NAME", description = "Scenarios to run, in this order (default: all).")
    List<String> scenarios = SCENARIOS;

    @Option(names = "--models", split = ",", paramLabel = "MODEL",
            description = "Only these models, in every scenario (default: each scenario's own list; echo: every available one but process).")
    List<String> models;

    @Option(names = "--connections", split = ",", paramLabel = "N", defaultValue = "10,100,1000,10000",
            description = "echo: ping-pong levels (default: ${DEFAULT-VALUE}).")
    List<Integer> levels;

    @Option(names = "--idle", paramLabel = "N", defaultValue = "2000", description = "echo: idle connections held to measure memory per connection; 0 skips (default: ${DEFAULT-VALUE}).")
    int idle;

    @Option(names = "--idle-levels", split = ",", paramLabel = "N", defaultValue = "0,1000,5000,10000",
            description = "idle-cost: idle connections held beside the active ones (default: ${DEFAULT-VALUE}).")
    List<Integer> idleLevels;

    @Option(names = "--cpu-work", paramLabel = "DIGESTS", defaultValue = "" + ThreadSpeedupScenario.WORK,
            description = "threads-cpu: SHA-256 digests split over the threads (default: ${DEFAULT-VALUE}).")
    int cpuWork;

    @Option(names = {"-d", "--duration"}, paramLabel = "SECONDS", defaultValue = "1.5", description = "Measured seconds per level (default: ${DEFAULT-VALUE}; spin watches twice this).")
    double duration;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "1", description = "Unrecorded seconds before each level (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = {"-s", "--size"}, paramLabel = "BYTES", defaultValue = "64", description = "Echo message size (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "lab-report", description = "Where the report and charts go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Spec
    CommandSpec command;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter err = command.commandLine().getErr();
        if (models != null) {
            for (String m : models) {
                if (!Lab.available(m)) {
                    err.println("polyserve bench lab: no available model '" + m + "' (see `polyserve models`)");
                    return 2;
                }
            }
        }
        if (levels.stream().anyMatch(n -> n < 1 || n > EchoLoadSpec.MAX_CONNECTIONS) || idleLevels.stream().anyMatch(n -> n < 0 || n > EchoLoadSpec.MAX_CONNECTIONS)
                || idle < 0 || duration <= 0 || warmup < 0 || size < 1 || cpuWork < 4) {
            err.println("polyserve bench lab: connections and idle levels must be up to " + EchoLoadSpec.MAX_CONNECTIONS
                    + ", --idle >= 0, --duration > 0, --warmup >= 0, --size >= 1, --cpu-work >= 4");
            return 2;
        }
        Map<String, LabScenario> all = new LinkedHashMap<>();
        for (LabScenario s : List.of(new EchoScenario(levels, idle), new CpuScenario(), new ChatScenario(), new IdleCostScenario(idleLevels),
                new SelectLimitScenario(), new SpinScenario(seconds(2 * duration)), new SpawnScenario(), new ThreadSpeedupScenario(cpuWork))) {
            all.put(s.name(), s);
        }
        List<LabScenario> chosen = new ArrayList<>();
        for (String name : scenarios) {
            LabScenario s = all.get(name);
            if (s == null) {
                err.println("polyserve bench lab: no scenario '" + name + "'; there are " + String.join(", ", all.keySet()));
                return 2;
            }
            chosen.add(s);
        }
        Files.createDirectories(out);
        Path logs = Files.createDirectories(out.resolve(LOGS)); // each server's stderr, apart from the report
        Lab lab = new Lab(models == null ? List.of() : models, models != null, seconds(warmup), seconds(duration), size, logs,
                Lab.fdLimitOfThisProcess(), err);
        lab.steps = chosen.stream().mapToInt(s -> s.steps(lab)).sum();
        Instant began = Instant.now();
        String loadBefore = Lab.loadAverage();
        OtherCpu.Reading cpuBefore = OtherCpu.read();
        List<LabSection> sections = new ArrayList<>();
        for (LabScenario s : chosen) sections.add(s.run(lab));
        OtherCpu.Reading cpuAfter = OtherCpu.read();
        double otherCores = cpuBefore == null || cpuAfter == null ? -1 : OtherCpu.cores(cpuBefore, cpuAfter);
        new LabReport(sections, began, Duration.between(began, Instant.now()), loadBefore, Lab.loadAverage(), otherCores,
                ownArgs(command.commandLine().getParseResult().originalArgs())).write(out);
        PrintWriter stdout = command.commandLine().getOut();
        stdout.println("lab report: " + out.resolve(LabReport.REPORT));
        stdout.flush();
        return sections.stream().anyMatch(s -> !s.charts().isEmpty() || s.scenario().equals(SelectLimitScenario.NAME)) ? 0 : 1;
    }

    /** The options after {@code lab}: the original arguments also hold the parent commands' names. */
    static String ownArgs(List<String> original) {
        int at = original.indexOf("lab");
        return String.join(" ", original.subList(at + 1, original.size()));
    }

    private static Duration seconds(double s) {
        return Duration.ofNanos(Math.round(s * 1e9));
    }
}

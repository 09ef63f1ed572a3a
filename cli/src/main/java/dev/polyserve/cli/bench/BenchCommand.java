package dev.polyserve.cli.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code polyserve bench ...}: load generators that report throughput, latency and server CPU per message. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Load generators: throughput, latency percentiles and work per server CPU-second.",
                "Many connections need many file descriptors: raise the limit first, e.g. `ulimit -n 20000`,",
                "in the shell of both the server and the load generator."},
        subcommands = {EchoBenchCommand.class, ChatBenchCommand.class, LabCommand.class, HoldCommand.class})
public final class BenchCommand {
    /** Runs the bench commands without the rest of the CLI: {@code java -cp polyserve.jar dev.polyserve.cli.bench.BenchCommand echo --port P}. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchCommand()).execute(args));
    }
}

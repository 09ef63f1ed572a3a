package dev.polyserve.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code polyserve} command: servers on any concurrency model, their clients, benchmarks and lessons. */
@Command(
        name = "polyserve",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Concurrent network servers on the JVM: every service on every concurrency model.",
        subcommands = {
            ServeCommand.class,
            ModelsCommand.class,
            StatusCommand.class,
            dev.polyserve.cli.chat.ChatClientCommand.class,
            dev.polyserve.cli.ftp.FtpCommand.class,
            dev.polyserve.cli.ftp.FtpUserCommand.class,
            dev.polyserve.loadgen.BenchCommand.class,
            DemoCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class Main {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            // A usage-level failure (bad model, port in use): one clear line, no stack trace.
            if (e instanceof IllegalArgumentException || e instanceof java.io.IOException) {
                cmd.getErr().println("polyserve: " + e.getMessage());
                return e instanceof IllegalArgumentException ? 2 : 1;
            }
            throw e;
        });
        return cl;
    }

    /** Reads the version the build wrote into the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"polyserve " + (v == null ? "(development build)" : v)};
        }
    }
}

package dev.polyserve.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code polyserve} command: servers on any concurrency model, their clients, benchmarks and lessons. */
@Command(
        name = "polyserve",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Concurrent network servers on the JVM: every service on every concurrency model.",
        subcommands = {
            ServeCommand.class,
            ModelsCommand.class,
            CertCommand.class,
            StatusCommand.class,
            dev.polyserve.cli.chat.ChatClientCommand.class,
            dev.polyserve.cli.ftp.FtpCommand.class,
            dev.polyserve.cli.ftp.FtpUserCommand.class,
            dev.polyserve.cli.bench.BenchCommand.class,
            DemoCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class Main {
    /** Exit code of a usage error: bad options, a host that does not resolve, a file the options name that cannot be read. */
    public static final int EXIT_USAGE = 2;

    /** Exit code of a failure at run time (a port in use, a peer that went away). */
    public static final int EXIT_FAILURE = 1;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
        versionEverywhere(cl, new Version());
        // A usage error is one line, not fifty lines of usage: what is wrong, and where the help is.
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println(usageError(cmd, e.getMessage()));
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
            if (t instanceof IllegalArgumentException || t instanceof UnknownHostException || t instanceof FileSystemException) {
                cmd.getErr().println(usageError(cmd, describe(t)));
                return EXIT_USAGE;
            }
            if (t instanceof IOException) {
                cmd.getErr().println("polyserve: " + describe(t));
                return EXIT_FAILURE;
            }
            throw e;
        });
        return cl;
    }

    /** Every command's {@code -V/--version} says what the top one does (picocli gives a subcommand none of its own). */
    private static void versionEverywhere(CommandLine cl, CommandLine.IVersionProvider version) {
        cl.getCommandSpec().versionProvider(version);
        for (CommandLine sub : cl.getSubcommands().values()) versionEverywhere(sub, version);
    }

    /** {@code polyserve: MESSAGE (see 'polyserve serve echo --help')}. */
    static String usageError(CommandLine cmd, String message) {
        return "polyserve: " + message + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')";
    }

    /**
     * A failure in words. The JDK's file exceptions carry only the path as their message and an unresolved address
     * none at all, so those are spelled out here.
     */
    public static String describe(Throwable t) {
        return switch (t) {
            case UnresolvedAddressException u -> "cannot resolve the host name";
            case UnknownHostException u -> "unknown host " + u.getMessage();
            case NoSuchFileException f -> f.getFile() + ": no such file or directory";
            case AccessDeniedException f -> f.getFile() + ": permission denied";
            case FileSystemException f -> f.getFile() + ": " + (f.getReason() != null ? f.getReason() : "cannot be read");
            default -> t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
        };
    }
}

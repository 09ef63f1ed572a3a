package dev.polyserve.cli;

import picocli.CommandLine.Command;

/** {@code polyserve serve SERVICE}: one subcommand per service. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = "Run a server. Every service runs on every model: pick one with --model (see `polyserve models`).",
        subcommands = {
            ServeHttpCommand.class,
            ServeEchoCommand.class,
            ServeChatCommand.class,
            dev.polyserve.cli.ftp.FtpServeCommand.class,
            ServeExecCommand.class,
        })
final class ServeCommand {}

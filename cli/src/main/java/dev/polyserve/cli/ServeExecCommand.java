package dev.polyserve.cli;

import dev.polyserve.process.ExecService;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code polyserve serve exec --port P -- COMMAND [ARGS...]}: any program serves each connection (tcpserver). */
@Command(name = "exec", mixinStandardHelpOptions = true,
        description = {"Run COMMAND for each connection, its stdin/stdout carrying the connection's bytes (like ucspi-tcp's tcpserver).",
                "The environment names the peer: TCPREMOTEIP, TCPREMOTEPORT, TCPLOCALIP, TCPLOCALPORT, PROTO=TCP.",
                "The connections run on any --model, with every server option (idle timeout, --auth-key-file, ...).",
                "Example: polyserve serve exec --port 7000 -- /bin/cat"})
final class ServeExecCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServeExecCommand.class);

    @Mixin
    ServerOptions server;

    @Option(names = "--max-children", paramLabel = "N", defaultValue = "" + ExecService.DEFAULT_MAX_CHILDREN,
            description = "Programs running at once; a connection beyond it is closed with a log line (default: ${DEFAULT-VALUE}).")
    int maxChildren;

    @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The program and its arguments (after --).")
    List<String> command;

    @Override
    public Integer call() throws Exception {
        if (server.port() == null) throw new IllegalArgumentException("serve exec needs --port (0 picks a free one)");
        ExecService exec = new ExecService(command, maxChildren);
        log.info("exec: each connection runs {}", String.join(" ", exec.command()));
        return ServePipeline.tcp(server, "exec", 0).serve(exec);
    }
}

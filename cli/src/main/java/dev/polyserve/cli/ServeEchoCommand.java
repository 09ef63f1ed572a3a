package dev.polyserve.cli;

import dev.polyserve.services.echo.EchoService;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code polyserve serve echo}: the course's first server. */
@Command(name = "echo", mixinStandardHelpOptions = true,
        description = "Echo every byte back, over TCP (any model) or UDP (--udp: iterative or threads). Default port 7007.")
final class ServeEchoCommand implements Callable<Integer> {
    /** Echo's well-known port is 7, which needs root; 7007 keeps the 7 and does not. */
    static final int DEFAULT_PORT = 7007;

    @Mixin
    ServerOptions server;

    @Option(names = "--upper", description = "Reply in upper case (the course's upper-casing server).")
    boolean upper;

    @Option(names = "--udp", description = "Serve datagrams instead of a stream.")
    boolean udp;

    @Override
    public Integer call() throws Exception {
        EchoService echo = new EchoService(upper);
        return udp ? ServePipeline.udp(server, "echo", DEFAULT_PORT, echo)
                : ServePipeline.tcp(server, "echo", DEFAULT_PORT).serve(echo);
    }
}

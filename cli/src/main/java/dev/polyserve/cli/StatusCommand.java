package dev.polyserve.cli;

import dev.polyserve.process.PreforkStatus;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code polyserve status}: live counters of the running prefork servers, read from their shared memory. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the running prefork servers of this user: workers, connections and bytes, read from the"
                + " shared-memory segment the workers update (at most 100 ms old).")
final class StatusCommand implements Callable<Integer> {

    @Option(names = "--port", paramLabel = "PORT", description = "Only the server on this port (exit status 1 if none).")
    Integer port;

    @Override
    public Integer call() throws Exception {
        List<PreforkStatus.Server> servers = PreforkStatus.read();
        if (port != null) servers = servers.stream().filter(s -> s.port() == port).toList();
        System.out.print(PreforkStatus.format(servers));
        return port != null && servers.isEmpty() ? 1 : 0;
    }
}

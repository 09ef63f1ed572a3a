package dev.polyserve.process;

import dev.polyserve.core.Engine;
import dev.polyserve.core.ServerConfig;
import dev.polyserve.core.ServerStats;
import dev.polyserve.core.Service;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The {@code prefork} model. In a master, {@link ServerConfig#workers()} worker JVMs each run the in-process model
 * {@link ServerConfig#workerModel()} on the same port (see {@link PreforkMaster}); in a worker (environment
 * {@code POLYSERVE_ROLE=prefork-worker}) this same engine runs that in-process model and reports to the master.
 * The master's own {@link ServerStats} stay at zero: the counters live in the workers and in the shared
 * segment {@code polyserve status} reads.
 */
final class PreforkEngine implements Engine {
    private PreforkMaster master;
    private PreforkWorker worker;

    @Override
    public void start(ServerConfig config, Service service, ServerStats stats) throws IOException {
        var role = ChildRole.current();
        if (role.isPresent() && role.get() instanceof ChildRole.Worker w) {
            worker = new PreforkWorker(w);
            worker.start(config, service, stats);
            return;
        }
        master = new PreforkMaster(config, service);
        master.start();
    }

    @Override
    public InetSocketAddress localAddress() {
        return master != null ? master.localAddress() : worker.localAddress();
    }

    /** Master only: the shared stats segment. */
    Path statsFile() {
        return master.statsFile();
    }

    /** Master only: the pids of the live workers. */
    List<Long> workerPids() {
        return master.workerPids();
    }

    /** Master only: workers serving now. */
    long readyWorkers() {
        return master.readyWorkers();
    }

    /** Master only: SIGHUP's rolling restart, synchronously. */
    void rollingRestart() {
        master.rollingRestart();
    }

    @Override
    public void shutdown(Duration grace) {
        if (master != null) master.shutdown(grace);
        if (worker != null) worker.shutdown(grace);
    }
}

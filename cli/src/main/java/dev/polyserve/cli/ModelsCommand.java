package dev.polyserve.cli;

import dev.polyserve.core.Engines;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code polyserve models}: every concurrency model, and whether it runs on this machine. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List the concurrency models and whether each is available here.")
final class ModelsCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        for (Engines.Listing m : Engines.all()) {
            String status = m.available() ? "available" : "unavailable: " + m.unavailableReason().get();
            System.out.printf("%-12s %s%n             %s%n", m.name(), m.description(), status);
        }
        return 0;
    }
}

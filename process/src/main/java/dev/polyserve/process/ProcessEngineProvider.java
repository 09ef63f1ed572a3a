package dev.polyserve.process;

import dev.polyserve.core.Engine;
import dev.polyserve.core.EngineProvider;

import java.util.List;
import java.util.Optional;

/** The multi-process models: {@code prefork} (N worker JVMs on one port) and {@code process} (a JVM per connection). */
public final class ProcessEngineProvider implements EngineProvider {

    @Override
    public List<Model> models() {
        return List.of(
                new Model("prefork", "N worker JVMs on one port (SO_REUSEPORT), each running --worker-model (default nio)"),
                new Model("process", "a child JVM per connection, its stdin/stdout carrying the bytes (inetd style)"));
    }

    @Override
    public Optional<String> unavailableReason(String model) {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return Optional.of("the process models read /proc and rely on Linux SO_REUSEPORT semantics");
        }
        return Optional.empty();
    }

    @Override
    public Engine create(String model) {
        return switch (model) {
            case "prefork" -> new PreforkEngine();
            case "process" -> new ProcessEngine();
            default -> throw new IllegalArgumentException("unknown model '" + model + "'");
        };
    }
}

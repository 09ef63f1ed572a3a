package dev.polyserve.core;

import java.util.List;
import java.util.Optional;

/**
 * Supplies engines by model name; found through {@link java.util.ServiceLoader}, so a module adds models by
 * listing its provider in {@code META-INF/services/dev.polyserve.core.EngineProvider}.
 */
public interface EngineProvider {

    /** The model names this provider knows, with a one-line description each, in display order. */
    List<Model> models();

    /** Why {@code model} cannot run on this machine (one sentence), or empty when it can. */
    default Optional<String> unavailableReason(String model) {
        return Optional.empty();
    }

    /** A new, unstarted engine for {@code model}. */
    Engine create(String model);

    /** A model's name and what it is, for {@code polyserve models} and {@code --help}. */
    record Model(String name, String description) {}
}

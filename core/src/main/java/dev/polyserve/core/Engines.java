package dev.polyserve.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/** Every model the class path provides, looked up by name. */
public final class Engines {

    private Engines() {}

    /**
     * The providers on the class path, found once, when first needed. {@link ServiceLoader} reads every jar's
     * {@code META-INF/services} entry and instantiates each provider again on every call: a cost the FTP service
     * otherwise paid for each passive data listener it started (91 in one 200-client burst). The class path does
     * not change while the JVM runs.
     */
    private static final class Providers {
        static final List<EngineProvider> ALL = load();

        private static List<EngineProvider> load() {
            List<EngineProvider> out = new ArrayList<>();
            for (EngineProvider p : ServiceLoader.load(EngineProvider.class, Engines.class.getClassLoader())) out.add(p);
            return List.copyOf(out);
        }
    }

    /** A model as listed for users: its provider, name, description and, if it cannot run here, why. */
    public record Listing(EngineProvider provider, String name, String description, Optional<String> unavailableReason) {
        public boolean available() {
            return unavailableReason.isEmpty();
        }
    }

    /** All models in provider order (the JDK engines first). */
    public static List<Listing> all() {
        List<Listing> out = new ArrayList<>();
        for (EngineProvider p : Providers.ALL) {
            for (EngineProvider.Model m : p.models()) {
                out.add(new Listing(p, m.name(), m.description(), p.unavailableReason(m.name())));
            }
        }
        return out;
    }

    /** Names of the models that can run on this machine. */
    public static List<String> availableNames() {
        return all().stream().filter(Listing::available).map(Listing::name).toList();
    }

    /**
     * A new engine for {@code model}.
     *
     * @throws IllegalArgumentException with one clear sentence if the model is unknown or cannot run here
     */
    public static Engine create(String model) {
        for (EngineProvider p : Providers.ALL) {
            for (EngineProvider.Model m : p.models()) {
                if (m.name().equals(model)) {
                    Optional<String> why = p.unavailableReason(model);
                    if (why.isPresent()) {
                        throw new IllegalArgumentException("model '" + model + "' is not available here: " + why.get());
                    }
                    return p.create(model);
                }
            }
        }
        throw new IllegalArgumentException(
                "unknown model '" + model + "'; available here: " + String.join(", ", availableNames()));
    }
}

package dev.polyserve.core.engine;

import dev.polyserve.core.Engine;
import dev.polyserve.core.EngineProvider;
import java.util.List;

/** The models that need nothing but the JDK. */
public final class JdkEngines implements EngineProvider {

    @Override
    public List<Model> models() {
        return List.of(
                new Model("iterative", "one connection at a time on the accepting thread (the course's loop server)"),
                new Model("threads", "a platform thread per connection (ThreadingTCPServer)"),
                new Model("pool", "a bounded platform thread pool with a bounded wait queue; refuses beyond both"),
                new Model("virtual", "a virtual thread per connection (the JVM's coroutines, like gevent)"),
                new Model("nonblocking", "non-blocking sockets polled in turn by one thread, with idle back-off"),
                new Model("nio", "java.nio Selector reactor: one loop per core, a separate accept thread"));
    }

    @Override
    public Engine create(String model) {
        return switch (model) {
            case "iterative" -> new BlockingEngine(BlockingEngine.Kind.ITERATIVE);
            case "threads" -> new BlockingEngine(BlockingEngine.Kind.THREADS);
            case "pool" -> new BlockingEngine(BlockingEngine.Kind.POOL);
            case "virtual" -> new BlockingEngine(BlockingEngine.Kind.VIRTUAL);
            case "nonblocking" -> new NonBlockingEngine();
            case "nio" -> new NioEngine();
            default -> throw new IllegalArgumentException("not a JDK model: " + model);
        };
    }
}

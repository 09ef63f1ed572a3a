package dev.polyserve.examples;

import dev.polyserve.core.Handler;
import dev.polyserve.core.Service;
import dev.polyserve.services.echo.EchoService;

/**
 * The echo service with a public no-argument constructor. The multi-process models ({@code prefork},
 * {@code process}) rebuild the service inside each child JVM from its class name, which needs such a
 * constructor; {@link EchoService} takes its upper-casing option as an argument, so the models demo serves
 * this instead. Behaviour is exactly plain echo.
 */
public final class RebuildableEcho implements Service {
    private final EchoService echo = new EchoService(false);

    public RebuildableEcho() {}

    @Override
    public Handler newHandler() {
        return echo.newHandler();
    }
}

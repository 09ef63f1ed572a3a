package dev.polyserve.cli;

import dev.polyserve.core.Server;
import dev.polyserve.core.Service;
import dev.polyserve.core.udp.DatagramService;
import dev.polyserve.core.udp.UdpServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;

/** Runs a service until SIGINT/SIGTERM, announcing itself with the one line scripts wait for. */
public final class ServeRunner {
    /** The model a TCP server runs when --model is not given. */
    public static final String DEFAULT_TCP_MODEL = "nio";
    /** The model a UDP server runs when --model is not given (socketserver's ThreadingUDPServer). */
    public static final String DEFAULT_UDP_MODEL = "threads";

    private ServeRunner() {}

    /** Serves {@code service} over TCP; returns the exit code. */
    public static int serveTcp(ServerOptions options, String serviceName, int defaultPort, Service service)
            throws IOException, InterruptedException {
        Server server = options.builder(defaultPort, DEFAULT_TCP_MODEL).service(service).start();
        announce(System.out, server.localAddress(), serviceName, server.config().model(), "tcp");
        Signals.awaitTermination();
        server.stop(options.shutdownGrace());
        return 0;
    }

    /** Serves {@code service} over UDP; returns the exit code. */
    public static int serveUdp(ServerOptions options, String serviceName, int defaultPort, DatagramService service)
            throws IOException, InterruptedException {
        String model = options.modelOr(DEFAULT_UDP_MODEL);
        InetSocketAddress address = new InetSocketAddress(options.host(), options.port() != null ? options.port() : defaultPort);
        UdpServer server = UdpServer.start(address, model, service);
        announce(System.out, server.localAddress(), serviceName, model, "udp");
        Signals.awaitTermination();
        server.stop(options.shutdownGrace());
        return 0;
    }

    /** Prints exactly one line: {@code listening on HOST:PORT (service=S, model=M, transport=T)}. */
    public static void announce(PrintStream out, InetSocketAddress address, String service, String model, String transport) {
        out.println("listening on " + hostPort(address) + " (service=" + service + ", model=" + model
                + ", transport=" + transport + ")");
        out.flush();
    }

    /** {@code host:port}, with brackets around an IPv6 host. */
    public static String hostPort(InetSocketAddress a) {
        String host = a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}

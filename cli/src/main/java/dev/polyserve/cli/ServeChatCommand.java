package dev.polyserve.cli;

import dev.polyserve.core.ServerConfig;
import dev.polyserve.core.auth.HmacKey;
import dev.polyserve.core.ServerStats;
import dev.polyserve.process.ProcessModels;
import dev.polyserve.services.chat.AdminConsole;
import dev.polyserve.services.chat.ChatBus;
import dev.polyserve.services.chat.ChatWeb;
import dev.polyserve.services.http.HttpApp;
import dev.polyserve.services.http.HttpLimits;
import dev.polyserve.services.http.HttpOptions;
import dev.polyserve.services.http.HttpService;
import dev.polyserve.services.http.dashboard.Dashboard;
import dev.polyserve.services.chat.ChatLimits;
import dev.polyserve.services.chat.ChatProtocol;
import dev.polyserve.services.chat.ChatService;
import dev.polyserve.services.chat.redis.RedisAddress;
import dev.polyserve.services.chat.redis.RedisChatBus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code polyserve serve chat}: the group chat room (群聊聊天室). */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {
                "A group chat room for nc, telnet and `polyserve chat` (UTF-8 lines), or programs (--protocol frames). Default port 7001.",
                "Lines typed on this console (stdin) reach everyone as [admin] text. See docs/chat.md."})
final class ServeChatCommand implements Callable<Integer> {
    /** Any unprivileged port would do; 7001 sits beside echo's 7007 among polyserve's 7000s. */
    static final int DEFAULT_PORT = 7001;

    @Mixin
    ServerOptions server;

    @Option(names = "--protocol", paramLabel = "lines|frames", defaultValue = "lines",
            description = "lines: UTF-8 text lines; frames: JSON header+body frames for programs (default: ${DEFAULT-VALUE}).")
    String protocol;

    @Option(names = "--admin-key-file", paramLabel = "FILE",
            description = "Clients that pass the HMAC gate with this key may use /admin. Needs --auth-key-file.")
    Path adminKeyFile;

    @Option(names = "--max-line-bytes", paramLabel = "BYTES", defaultValue = "" + ChatLimits.DEFAULT_MAX_LINE_BYTES,
            converter = Sizes.ByteSizeConverter.class,
            description = "Longest line; longer ones are dropped with a notice (default: ${DEFAULT-VALUE}).")
    long maxLineBytes;

    @Option(names = "--lines-per-second", paramLabel = "N", defaultValue = "" + ChatLimits.DEFAULT_LINES_PER_SECOND,
            description = "Flood control per client: excess lines are dropped with a notice, a persistent flood disconnects; 0 = off (default: ${DEFAULT-VALUE}).")
    int linesPerSecond;

    @Option(names = "--max-members", paramLabel = "N", defaultValue = "" + ChatLimits.DEFAULT_MAX_MEMBERS,
            description = "Most members in the room (default: ${DEFAULT-VALUE}).")
    int maxMembers;

    @Option(names = "--max-queued-bytes", paramLabel = "BYTES", defaultValue = "1M", converter = Sizes.ByteSizeConverter.class,
            description = "A member with more unsent bytes is dropped as too slow; keep it below --write-queue-limit (default: ${DEFAULT-VALUE}).")
    long maxQueuedBytes;

    @Option(names = "--line-timeout", paramLabel = "DURATION", defaultValue = "30s", converter = Sizes.DurationConverter.class,
            description = "Drop a member whose line (or frame) stays unfinished this long, with a notice; 0 = never (default: ${DEFAULT-VALUE}).")
    Duration lineTimeout;

    @Option(names = "--frames-port", paramLabel = "PORT",
            description = "Also serve the same room in JSON frames on this port (0 = any free port), for programs beside people.")
    Integer framesPort;

    @Option(names = "--web-port", paramLabel = "PORT",
            description = "Also serve the room to browsers: the chat page at / and its WebSocket at /ws on this port (0 = any free port), and the server's live /dashboard.")
    Integer webPort;

    @Option(names = "--web-max-per-ip", paramLabel = "N", defaultValue = "" + HttpLimits.DEFAULT_MAX_PER_ADDRESS,
            description = "With --web-port: most page and WebSocket connections one address may hold, else 503; 0 = no cap (default: ${DEFAULT-VALUE}).")
    int webMaxPerIp;

    @Option(names = "--bus", paramLabel = "redis://HOST:PORT[/DB]",
            description = {"Make this server one node of a room shared through Redis: members on every node with the same --bus are in one room.",
                    "rediss:// for TLS; redis://USER:PASSWORD@HOST:PORT for AUTH (never logged). See docs/chat.md."})
    String bus;

    @Option(names = "--bus-lease", paramLabel = "DURATION", converter = Sizes.DurationConverter.class,
            description = "With --bus: how long this node's names outlive it if it dies unannounced; the others then say its members left (default: 10s).")
    Duration busLease;

    @Option(names = "--bus-ca", paramLabel = "FILE",
            description = "With a rediss:// --bus: trust the PEM certificates in FILE (a private CA, or the server's self-signed certificate) instead of the JDK's authorities.")
    Path busCa;

    @Option(names = "--no-console", description = "Do not read announcements from stdin (e.g. when running in the background).")
    boolean noConsole;

    @Override
    public Integer call() throws Exception {
        String model = server.modelOr(ServerConfig.DEFAULT_MODEL);
        if (model.equals("process")) {
            // Each connection would be a JVM on its own: a room of one.
            throw new IllegalArgumentException("chat does not run on the 'process' model: each connection's JVM would hold"
                    + " a room of its own; use --model prefork for a room served by several processes, or an in-process model");
        }
        if (model.equals("prefork") && framesPort != null) {
            throw new IllegalArgumentException("--frames-port is not available with --model prefork: the second listener"
                    + " would run in the master, outside the workers' room; use an in-process model (nio, epoll) for one room on both ports");
        }
        if (busLease != null && bus == null) throw new IllegalArgumentException("--bus-lease needs --bus");
        if (busCa != null && bus == null) throw new IllegalArgumentException("--bus-ca needs --bus");
        if (maxLineBytes > Integer.MAX_VALUE) throw new IllegalArgumentException("--max-line-bytes is too large");
        ChatLimits limits = new ChatLimits((int) maxLineBytes, linesPerSecond, maxMembers, maxQueuedBytes, lineTimeout);
        RedisChatBus redis = bus == null ? null : connectBus(limits);
        ChatService chat = redis == null ? new ChatService(limits, ChatProtocol.parse(protocol))
                : new ChatService(redis, limits, ChatProtocol.parse(protocol), System::nanoTime);
        List<HmacKey> extraKeys = adminKeyFile == null ? List.of()
                : List.of(HmacKey.read(ChatService.ADMIN_KEY_NAME, adminKeyFile));
        ServePipeline pipeline = ServePipeline.tcp(server, "chat", DEFAULT_PORT).extraKeys(extraKeys);
        if (redis != null) pipeline.closeAtExit(redis);   // after the members left: their leaves reach the other nodes first
        ServiceLayers layers = pipeline.layers();   // reads the key files: a bad one fails before anything starts
        if (framesPort != null) {
            // A second listener on the same bus: one room, two wire formats, the same gate.
            ChatService framesChat = new ChatService(chat.bus(), limits, ChatProtocol.FRAMES, System::nanoTime);
            pipeline.alsoListen("JSON frames for the same room", framesPort, layers.apply(framesChat));
        }
        if (webMaxPerIp < 0) throw new IllegalArgumentException("--web-max-per-ip must not be negative");
        if (webPort != null && !ProcessModels.inChildProcess()) {
            // Browsers join the same bus. Under prefork the master serves the page, its members linked to the hub
            // as one more worker (with Redis, the master is a node of the room of its own).
            ChatBus webBus = model.equals("prefork") && redis == null ? chat.masterMemberBus() : chat.bus();
            ServerStats webStats = new ServerStats();
            HttpApp web = ChatWeb.install(new HttpApp(), webBus, limits, System::nanoTime);
            // The room's own server (the TCP port) live at /dashboard beside the page.
            ServerStats roomStats = new ServerStats();
            pipeline.stats(roomStats);
            Dashboard.install(web, DashboardSources.forServer(server, roomStats, () -> -1));
            pipeline.alsoListenInMaster("the chat page for browsers", webPort,
                    new HttpService(web, HttpOptions.defaults().withMaxPerAddress(webMaxPerIp), webStats));
        }
        // Under prefork this is the master's console (workers' stdin is /dev/null): it announces through the hub.
        if (!noConsole) AdminConsole.start(System.in, chat);
        return pipeline.serve(chat);
    }

    /**
     * Joins the Redis room before serving (Redis down: one line and exit 2). A prefork worker re-runs this command
     * line, so each worker is a node of its own; it ends with System.exit, so the hook is what leaves the room there.
     */
    private RedisChatBus connectBus(ChatLimits limits) {
        if (bus.isBlank()) throw new IllegalArgumentException("--bus needs a URL: redis://HOST:PORT");
        RedisChatBus.Settings settings = RedisChatBus.Settings.defaults(limits.maxMembers());
        if (busLease != null) settings = settings.withLease(busLease);
        try {
            RedisAddress address = RedisAddress.parse(bus);
            if (busCa != null) address = address.trusting(busCa);
            RedisChatBus redis = RedisChatBus.connect(address, settings);
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("chat-redis-leave").unstarted(redis::close));
            return redis;
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage() + " (--bus)");
        }
    }
}

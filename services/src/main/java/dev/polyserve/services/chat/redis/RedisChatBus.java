package dev.polyserve.services.chat.redis;

import dev.polyserve.core.SharedState;
import dev.polyserve.services.chat.ChatBus;
import dev.polyserve.services.chat.ChatEvent;
import dev.polyserve.services.chat.Delivery;
import dev.polyserve.services.chat.LocalSeats;
import dev.polyserve.services.chat.Member;
import dev.polyserve.services.chat.Names;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One room across machines on Redis pub/sub: this process is one <em>node</em> of the room. Its own members sit in
 * {@link LocalSeats}; the names held on other nodes are mirrored from Redis; names are claimed in Redis by atomic
 * scripts ({@link RoomScripts}) and held as long as the node renews its lease; events go to this node's members at
 * once and to the others through the room's channel, numbered per node so each is delivered once and in order
 * everywhere, even across a Redis restart. Two connections per node (commands, subscription); nothing here blocks
 * a Lettuce thread: answers hop to the member's executor ({@code ChatSession}) or to this bus's inbox thread, which
 * owns everything received.
 *
 * <pre>{@code
 * RedisChatBus bus = RedisChatBus.connect(RedisAddress.parse("redis://127.0.0.1:6379"), RedisChatBus.Settings.defaults(1000));
 * ChatService chat = new ChatService(bus, ChatLimits.DEFAULTS, ChatProtocol.LINES, System::nanoTime);
 * }</pre>
 */
public final class RedisChatBus implements ChatBus, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisChatBus.class);

    /**
     * Default name lease: 10 s, renewed every third of it. A node that stops renewing (killed, cut off) loses its names
     * that long after, and the others announce its members as left; Consul's shortest session TTL is the same 10 s.
     */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(10);

    /**
     * Default most lines held while Redis is unreachable: 10,000, ten seconds of the benchmark's busy room (1,000
     * lines/s) and about a megabyte. Past it a line is refused with a notice rather than queued without bound (which
     * is what Lettuce's own request queue would do by default).
     */
    public static final int DEFAULT_MAX_HELD_LINES = 10_000;

    /** Sent events kept for resend requests: 8 MiB, a few seconds of a busy room even with long lines. */
    static final long SENT_LOG_BYTES = 8L << 20;

    /** Events from one node held behind a gap before it is given up on: as many as the sent log keeps of short lines. */
    static final int MAX_PENDING_PER_SENDER = 10_000;

    /** A gap is asked for again this often until filled (a resend answer is one round trip away). */
    static final Duration GAP_RETRY = Duration.ofSeconds(1);

    /**
     * How long lines behind a gap wait for it to be filled before they are delivered without it (and the loss
     * logged): long enough for a busy sender to answer; a sender that died is given up on as soon as it is reaped.
     */
    static final Duration GAP_GIVE_UP = Duration.ofSeconds(30);

    /** Reconnect back-off: from 100 ms doubling up to 5 s, so a restarted Redis is found again within seconds. */
    static final Duration RECONNECT_MIN = Duration.ofMillis(100), RECONNECT_MAX = Duration.ofSeconds(5);

    /** How long connecting at start may take before the node gives up (the default TCP connect timeout is 10 s). */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    /** How long {@link #close} waits for queued events and the final release to reach Redis. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(3);

    /** Messages the inbox takes at once: a run of events in them reaches each member as one write. */
    private static final int INBOX_BATCH = 256;

    private static final String PREFIX = "polyserve:chat:";

    private static final ChatEvent RECONNECTING = new ChatEvent.Notice(ChatEvent.Kind.RECONNECTING,
            "The room is reconnecting; your lines are held and sent when it is back.");

    /**
     * @param room         the room's name: nodes with the same Redis and room are one room
     * @param maxMembers   most members in the whole room
     * @param lease        how long a node's names outlive its last renewal
     * @param maxHeldLines most lines held while Redis is unreachable
     */
    public record Settings(String room, int maxMembers, Duration lease, int maxHeldLines) {
        public Settings {
            if (room.isEmpty() || room.chars().anyMatch(c -> c <= ' ' || c == ':')) {
                throw new IllegalArgumentException("a room name has no spaces, control characters or ':'");
            }
            if (lease.toMillis() < 300) throw new IllegalArgumentException("a lease is at least 300 ms (it is renewed every third)");
            if (maxHeldLines < 1) throw new IllegalArgumentException("at least one line must be holdable");
        }

        public static Settings defaults(int maxMembers) {
            return new Settings("main", maxMembers, DEFAULT_LEASE, DEFAULT_MAX_HELD_LINES);
        }

        public Settings withLease(Duration d) {
            return new Settings(room, maxMembers, d, maxHeldLines);
        }

        public Settings withMaxHeldLines(int n) {
            return new Settings(room, maxMembers, lease, n);
        }
    }

    private record Holder(String name, String node) {}

    private final RedisAddress address;
    private final Settings settings;
    private final String node;
    private final String prefix;
    private final byte[] channel;
    private final ClientResources resources;
    private final RedisClient client;
    private StatefulRedisConnection<byte[], byte[]> commandConnection;
    private StatefulRedisPubSubConnection<byte[], byte[]> subscription;
    private RedisAsyncCommands<byte[], byte[]> redis;

    private final LocalSeats seats = new LocalSeats();
    /** Names being claimed by members here (key to name): no second member here may claim them meanwhile. */
    private final Map<String, String> claiming = new ConcurrentHashMap<>();
    /** Names held on other nodes, by {@link Names#key}: written by the inbox thread, read by members. */
    private final Map<String, Holder> elsewhere = new ConcurrentHashMap<>();

    // ---- sending (any thread) ----
    private final Object sendLock = new Object();
    private long lastSeq;                          // guarded by sendLock
    private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);   // guarded by sendLock
    private final SenderLog sent = new SenderLog(SENT_LOG_BYTES);
    private final AtomicInteger held = new AtomicInteger();
    private final AtomicLong lastRefusalLog = new AtomicLong();

    // ---- receiving (the inbox thread only) ----
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final Thread inboxThread;
    private final Map<String, InboundStream> streams = new HashMap<>();
    private long presenceVersion;
    private boolean resyncing;
    private final List<RoomWire.Presence> heldDeltas = new ArrayList<>();
    private long versionAtLastTick;
    private long resentUpTo, resentAt;
    private boolean subscriptionWasDown;
    private volatile boolean commandsUp = true;
    private boolean subscriptionUp = true;
    /** A maintenance pass is queued on the inbox: the ticker adds no second one behind a busy inbox. */
    private final java.util.concurrent.atomic.AtomicBoolean maintenanceQueued = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean down;
    private CompletableFuture<Void> restoring;    // guarded by this

    private final ScheduledExecutorService ticker;
    private volatile boolean closed;

    private RedisChatBus(RedisAddress address, Settings settings) {
        this.address = address;
        this.settings = settings;
        this.node = "n" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + "-" + ProcessHandle.current().pid();
        this.prefix = PREFIX + settings.room() + ":";
        this.channel = utf8(PREFIX + settings.room());
        this.resources = ClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(RECONNECT_MIN, RECONNECT_MAX, 2, TimeUnit.MILLISECONDS)).build();
        this.client = RedisClient.create(resources, address.uri());
        ClientOptions.Builder options = ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)   // held: counted and bounded here
                .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).keepAlive(true).build());
        if (address.trustedCertificates() != null) {
            options.sslOptions(SslOptions.builder().jdkSslProvider().trustManager(address.trustedCertificates().toFile()).build());
        }
        client.setOptions(options.build());
        this.inboxThread = Thread.ofPlatform().daemon().name("chat-redis-inbox").unstarted(this::runInbox);
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("chat-redis-lease").unstarted(r));
    }

    /**
     * Joins the room at {@code address}: connects both connections, subscribes, takes a lease and reads who is here.
     *
     * @throws IOException with one line saying why (Redis down, refused, wrong password), never the password
     */
    public static RedisChatBus connect(RedisAddress address, Settings settings) throws IOException {
        RedisChatBus bus = new RedisChatBus(address, settings);
        try {
            bus.start();
            return bus;
        } catch (RuntimeException | ExecutionException | TimeoutException e) {
            bus.shutdownClient();
            throw new IOException("cannot reach Redis at " + address + ": " + rootMessage(e));
        } catch (InterruptedException e) {
            bus.shutdownClient();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting to Redis at " + address);
        }
    }

    private void start() throws ExecutionException, InterruptedException, TimeoutException {
        long timeout = CONNECT_TIMEOUT.toMillis() * 2;
        commandConnection = client.connect(ByteArrayCodec.INSTANCE);
        redis = commandConnection.async();
        subscription = client.connectPubSub(ByteArrayCodec.INSTANCE);
        subscription.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(byte[] from, byte[] message) {
                inbox.add(message);
            }
        });
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress remote) {
                inbox.add((Runnable) () -> connected(connection));
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                inbox.add((Runnable) () -> disconnected(connection));
            }
        });
        subscription.async().subscribe(channel).get(timeout, TimeUnit.MILLISECONDS);
        inboxThread.start();
        // A fresh lease and who is here; from now on presence changes arrive on the channel.
        restore().get(timeout, TimeUnit.MILLISECONDS);
        CompletableFuture<Void> firstLook = new CompletableFuture<>();
        inbox.add((Runnable) () -> resync().whenComplete((v, e) -> {
            if (e != null) firstLook.completeExceptionally(e);
            else firstLook.complete(null);
        }));
        firstLook.get(timeout, TimeUnit.MILLISECONDS);
        long every = Math.max(100, settings.lease().toMillis() / 3);
        ticker.scheduleAtFixedRate(this::tick, every, every, TimeUnit.MILLISECONDS);
        log.info("chat: node {} of room '{}' on Redis at {} (lease {} ms)", node, settings.room(), address, settings.lease().toMillis());
    }

    /** This node's id in Redis (and on the channel). */
    public String node() {
        return node;
    }

    // ---------------------------------------------------------------- ChatBus

    @Override
    public CompletionStage<Join> join(String name, Member member) {
        String key = Names.key(name);
        if (seats.get(name) != null || claiming.putIfAbsent(key, name) != null) {
            return CompletableFuture.completedFuture(Join.NAME_TAKEN);
        }
        if (down) member.deliver(new Delivery(RECONNECTING));
        return claim(key, name).thenCompose(answer -> answer == RoomScripts.NOT_REGISTERED
                        ? restore().thenCompose(v -> claim(key, name)) : CompletableFuture.completedFuture(answer))
                .handle((answer, failure) -> {
                    claiming.remove(key, name);
                    if (failure != null) throw new java.util.concurrent.CompletionException(failure);
                    if (answer == RoomScripts.JOINED) {
                        if (seats.claim(name, member)) return Join.JOINED;
                        release(key);   // cannot happen (claiming kept others out); never seat two under one name
                        return Join.NAME_TAKEN;
                    }
                    if (answer == RoomScripts.FULL) return Join.ROOM_FULL;
                    if (answer == RoomScripts.NOT_REGISTERED) {
                        throw new java.util.concurrent.CompletionException(new IOException("this node has no lease in Redis"));
                    }
                    return Join.NAME_TAKEN;
                });
    }

    private CompletableFuture<Long> claim(String key, String name) {
        return eval(RoomScripts.CLAIM, ScriptOutputType.INTEGER, node, key, name, Integer.toString(settings.maxMembers()));
    }

    @Override
    public CompletionStage<Boolean> rename(String from, String to, Member member) {
        String fromKey = Names.key(from), toKey = Names.key(to);
        boolean sameKey = fromKey.equals(toKey);
        if (!sameKey && (seats.get(to) != null || claiming.putIfAbsent(toKey, to) != null)) {
            return CompletableFuture.completedFuture(false);
        }
        CompletableFuture<Long> moved = eval(RoomScripts.RENAME, ScriptOutputType.INTEGER, node, fromKey, toKey, to);
        return moved.thenApply(answer -> {
            if (!sameKey) claiming.remove(toKey, to);
            if (answer != 1) return false;
            if (seats.move(from, to, member)) return true;
            release(toKey);   // the member was dropped meanwhile: give the new name back as well
            return false;
        });
    }

    @Override
    public boolean leave(String name, Member member) {
        if (!seats.release(name, member)) return false;
        release(Names.key(name));
        return true;
    }

    @Override
    public void leaveAtShutdown(String name, Member member) {
        // The members here are all being told the server stops; the other nodes' members are told this one left.
        if (leave(name, member)) publish(RoomWire.Event.EVERYONE, new ChatEvent.Left(name, ChatEvent.Reason.LEFT));
    }

    private void release(String key) {
        eval(RoomScripts.RELEASE, ScriptOutputType.INTEGER, node, key);
    }

    @Override
    public void broadcast(ChatEvent event, Member except) {
        if (!hold(event, except)) return;
        for (LocalSeats.Seat slow : seats.deliverAll(new Delivery(event), except)) LocalSeats.dropSlow(this, slow);
        publish(RoomWire.Event.EVERYONE, event);
    }

    @Override
    public String sendTo(String name, ChatEvent event) {
        LocalSeats.Seat seat = seats.get(name);
        if (seat != null) {
            if (!seat.member().deliver(new Delivery(event))) LocalSeats.dropSlow(this, seat);
            return seat.name();
        }
        Holder there = elsewhere.get(Names.key(name));
        if (there == null) return null;
        Member sender = event instanceof ChatEvent.PrivateFrom(String from, String text) && seats.get(from) != null
                ? seats.get(from).member() : null;
        if (hold(event, sender)) publish(there.name(), event);
        return there.name();
    }

    @Override
    public List<String> names() {
        return Stream.concat(seats.names(), elsewhere.values().stream().map(Holder::name))
                .sorted(Comparator.comparing(Names::key)).toList();
    }

    @Override
    public int size() {
        return seats.size() + elsewhere.size();
    }

    /**
     * Under {@code prefork} every worker is a node of its own (its own two connections, its own lease): Redis already
     * relays between nodes, so a hop through the master would only add a second fan-out. The master's hub is kept
     * for one thing: when a worker's link ends (it died), the master ends that node's lease at once, so its members
     * are announced as left now rather than when the lease runs out.
     */
    @Override
    public SharedState sharedState() {
        return new SharedState() {
            @Override
            public Hub openHub() {
                return toWorker -> new Inbox() {
                    private volatile String workerNode;

                    @Override
                    public void receive(List<byte[]> messages) {
                        workerNode = new String(messages.getLast(), StandardCharsets.UTF_8);
                    }

                    @Override
                    public void closed() {
                        String gone = workerNode;
                        if (gone != null && !closed) {
                            log.info("chat: prefork worker node {} ended; freeing its names now", gone);
                            eval(RoomScripts.REAP, ScriptOutputType.INTEGER, gone);
                        }
                    }
                };
            }

            @Override
            public Inbox attachWorker(Outbox toHub) {
                toHub.send(utf8(node));
                return new Inbox() {
                    @Override
                    public void receive(List<byte[]> messages) {}

                    @Override
                    public void closed() {}
                };
            }
        };
    }

    // ---------------------------------------------------------------- sending

    /**
     * Counts a line the node is about to send as held until Redis takes it; false (and the sender told, the refusal
     * logged at most once a second) when as many are held as may be. Joins, leaves and renames are never refused:
     * they are bounded by the members themselves, and losing one would leave the room's picture wrong.
     */
    private boolean hold(ChatEvent event, Member sender) {
        if (event instanceof ChatEvent.Joined || event instanceof ChatEvent.Left || event instanceof ChatEvent.Renamed) return true;
        if (held.incrementAndGet() <= settings.maxHeldLines()) return true;
        held.decrementAndGet();
        long now = System.nanoTime();
        long last = lastRefusalLog.get();
        if (now - last > TimeUnit.SECONDS.toNanos(1) && lastRefusalLog.compareAndSet(last, now)) {
            log.warn("chat: Redis at {} is unreachable and {} lines are held; refusing more", address, settings.maxHeldLines());
        }
        if (sender != null) {
            sender.deliver(new Delivery(new ChatEvent.Notice(ChatEvent.Kind.NOT_SENT, "The room is reconnecting and holds "
                    + settings.maxHeldLines() + " lines already; this one was not sent. Try again shortly.")));
        }
        return false;
    }

    private void publish(String to, ChatEvent event) {
        boolean counted = !(event instanceof ChatEvent.Joined || event instanceof ChatEvent.Left || event instanceof ChatEvent.Renamed);
        CompletableFuture<Long> done;
        synchronized (sendLock) {
            long seq = ++lastSeq;
            byte[] bytes = RoomWire.encode(new RoomWire.Event(node, seq, to, event));
            sent.add(seq, bytes);
            done = redis.publish(channel, bytes).toCompletableFuture();
            lastSend = done;
        }
        if (counted) done.whenComplete((n, e) -> held.decrementAndGet());
    }

    private void heartbeat() {
        synchronized (sendLock) {
            lastSend = redis.publish(channel, RoomWire.encode(new RoomWire.Heartbeat(node, lastSeq))).toCompletableFuture();
        }
    }

    /**
     * Sends {@code first..last} again for a node that missed them; says which are no longer kept. A resend reaches
     * every node, so requests for what was just resent (several nodes missed the same lines) are answered once.
     */
    private void resend(long first, long last) {
        long now = System.nanoTime();
        if (last <= resentUpTo && now - resentAt < GAP_RETRY.toNanos()) return;
        resentUpTo = last;
        resentAt = now;
        long oldest = sent.oldest();
        if (first < oldest) {
            redis.publish(channel, RoomWire.encode(new RoomWire.Missing(node, first, Math.min(last, oldest - 1))));
        }
        for (byte[] m : sent.range(first, last)) redis.publish(channel, m);
    }

    private CompletableFuture<Long> eval(String script, ScriptOutputType type, String... args) {
        return this.<Long>evalAny(script, type, args);
    }

    private <T> CompletableFuture<T> evalAny(String script, ScriptOutputType type, String... args) {
        byte[][] values = new byte[args.length + 2][];
        values[0] = utf8(prefix);
        values[1] = channel;
        for (int i = 0; i < args.length; i++) values[i + 2] = utf8(args[i]);
        return redis.<T>eval(script, type, new byte[0][], values).toCompletableFuture();
    }

    // ---------------------------------------------------------------- lease and presence

    /**
     * Takes (again) this node's lease and makes Redis hold exactly its members' names (and those being claimed).
     * Runs at start, after each reconnect of the command connection, and when a renewal finds the lease gone (Redis
     * restarted empty, or this node was cut off longer than its lease). Concurrent calls share one run.
     */
    private synchronized boolean restoreRunning() {
        return restoring != null;
    }

    private synchronized CompletableFuture<Void> restore() {
        if (restoring != null) return restoring;
        List<String> args = new ArrayList<>(List.of(node, Long.toString(settings.lease().toMillis())));
        Set<String> mine = new HashSet<>();
        seats.names().forEach(n -> {
            if (mine.add(Names.key(n))) { args.add(Names.key(n)); args.add(n); }
        });
        claiming.forEach((k, n) -> {
            if (mine.add(k)) { args.add(k); args.add(n); }
        });
        CompletableFuture<Void> done = new CompletableFuture<>();
        restoring = done;
        this.<List<Object>>evalAny(RoomScripts.RESTORE, ScriptOutputType.MULTI, args.toArray(String[]::new)).whenComplete((answer, e) -> {
            synchronized (this) {
                restoring = null;
            }
            if (e != null) {
                done.completeExceptionally(e);
                return;
            }
            inbox.add((Runnable) () -> restored(answer));
            done.complete(null);
        });
        return done;
    }

    /** Inbox thread: after a restore, tells the others who is back and ends members whose name went elsewhere. */
    private void restored(List<Object> answer) {
        boolean wasReaped = ((Long) answer.getFirst()) == 1;
        Set<String> lost = new HashSet<>();
        for (Object o : answer.subList(1, answer.size())) lost.add(Names.key(new String((byte[]) o, StandardCharsets.UTF_8)));
        List<LocalSeats.Seat> back = new ArrayList<>();
        seats.names().forEach(n -> {
            LocalSeats.Seat seat = seats.get(n);
            if (seat == null) return;
            if (lost.contains(Names.key(n))) {
                log.warn("chat: {} lost its name to another node while Redis was away; closing it", n);
                seat.member().deliver(new Delivery(new ChatEvent.Notice(ChatEvent.Kind.NAME_TAKEN, "While the room was"
                        + " reconnecting, another server gave the name " + n + " to someone else. Reconnect to pick a name.")));
                seats.release(n, seat.member());
                seat.member().drop();
            } else {
                back.add(seat);
            }
        });
        if (wasReaped && !back.isEmpty()) {
            // The others were told these members left when this node's lease ran out: tell them they are back.
            log.warn("chat: this node's lease had run out (cut off from Redis too long); announcing its {} members again", back.size());
            for (LocalSeats.Seat s : back) publish(RoomWire.Event.EVERYONE, new ChatEvent.Joined(s.name()));
        }
    }

    /** Inbox thread: reads the whole presence picture; deltas arriving meanwhile wait and apply after it. */
    private CompletableFuture<Void> resync() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (resyncing) {
            done.complete(null);
            return done;
        }
        resyncing = true;
        this.<List<Object>>evalAny(RoomScripts.SNAPSHOT, ScriptOutputType.MULTI).whenComplete((all, e) -> inbox.add((Runnable) () -> {
            resyncing = false;
            if (e != null) {
                heldDeltas.clear();
                done.completeExceptionally(e);
                return;
            }
            long version = Long.parseLong(new String((byte[]) all.getFirst(), StandardCharsets.UTF_8));
            Map<String, Holder> now = new HashMap<>();
            for (int i = 1; i + 1 < all.size(); i += 2) {
                String key = new String((byte[]) all.get(i), StandardCharsets.UTF_8);
                String[] value = new String((byte[]) all.get(i + 1), StandardCharsets.UTF_8).split(" ", 2);
                if (value.length == 2 && !value[0].equals(node)) now.put(key, new Holder(value[1], value[0]));
            }
            elsewhere.keySet().retainAll(now.keySet());
            elsewhere.putAll(now);
            presenceVersion = version;
            List<RoomWire.Presence> later = new ArrayList<>(heldDeltas);
            heldDeltas.clear();
            for (RoomWire.Presence p : later) presence(p, null);
            done.complete(null);
        }));
        return done;
    }

    /** Inbox thread: one presence change; {@code run} collects leave announcements, or null to announce none. */
    private void presence(RoomWire.Presence p, List<ChatEvent> run) {
        if (p.kind() == RoomWire.GONE && run != null) {
            if (p.node().equals(node)) {
                if (!restoreRunning()) {
                    log.warn("chat: Redis says this node's lease ran out; taking it again");
                    restore();
                }
            } else {
                // Its lease ended: it will answer for nothing more. The stream itself stays (the node may be alive and
                // cut off, and come back): forgetting it would take its old lines for new ones.
                InboundStream s = streams.get(p.node());
                if (s != null) deliverAll(s.abandon(), run);
                run.add(new ChatEvent.Left(p.name(), ChatEvent.Reason.LEFT));
            }
        }
        if (resyncing) {
            heldDeltas.add(p);
            return;
        }
        if (p.version() <= presenceVersion) return;
        if (p.version() > presenceVersion + 1) resync();   // a change was missed: read the whole picture again
        else presenceVersion = p.version();
        if (p.node().equals(node)) return;
        String key = Names.key(p.name());
        if (p.kind() == RoomWire.PRESENT) elsewhere.put(key, new Holder(p.name(), p.node()));
        else elsewhere.remove(key, new Holder(p.name(), p.node()));
    }

    /**
     * Every third of the lease, on the ticker thread: renew, reap the expired, heartbeat. These only send, so the
     * lease is renewed on time even while the inbox is busy; what comes back, and chasing gaps, runs on the inbox.
     */
    private void tick() {
        if (maintenanceQueued.compareAndSet(false, true)) inbox.add((Runnable) this::maintain);
        if (!commandsUp || closed) return;
        heartbeat();
        this.<List<Object>>evalAny(RoomScripts.RENEW, ScriptOutputType.MULTI, node, Long.toString(settings.lease().toMillis()))
                .whenComplete((answer, e) -> {
                    if (e != null) return;   // a failed renewal is retried next tick; the lease outlives a few
                    inbox.add((Runnable) () -> renewed((Long) answer.get(0) == 1, (Long) answer.get(1)));
                });
        eval(RoomScripts.REAP, ScriptOutputType.INTEGER, "");
    }

    /** Inbox thread: what a renewal found. */
    private void renewed(boolean registered, long version) {
        if (!registered && !restoreRunning()) {
            log.warn("chat: this node's lease is gone from Redis (restarted, or cut off); taking it again");
            restore();
        }
        // Behind for a whole tick: a presence message was lost (or Redis restarted); read it all again.
        if (presenceVersion < versionAtLastTick || version < presenceVersion) resync();
        versionAtLastTick = version;
    }

    /** Inbox thread: gaps asked for again, or given up on. */
    private void maintain() {
        maintenanceQueued.set(false);
        long now = System.nanoTime();
        List<ChatEvent> run = new ArrayList<>();
        for (var e : streams.entrySet()) {
            InboundStream s = e.getValue();
            long lostBefore = s.lost();
            deliverAll(s.expire(now, GAP_GIVE_UP.toNanos()), run);
            if (s.lost() > lostBefore) {
                log.warn("chat: gave up waiting for {} lines from node {} (it does not answer for them)", s.lost() - lostBefore, e.getKey());
            }
            ask(e.getKey(), s, now);
        }
        flush(run);
    }

    // ---------------------------------------------------------------- receiving (inbox thread)

    private void runInbox() {
        List<Object> batch = new ArrayList<>(INBOX_BATCH);
        List<ChatEvent> run = new ArrayList<>();
        while (!closed || !inbox.isEmpty()) {
            try {
                Object first = inbox.poll(1, TimeUnit.SECONDS);
                if (first == null) continue;
                batch.add(first);
                inbox.drainTo(batch, INBOX_BATCH - 1);
                for (Object item : batch) {
                    if (item instanceof byte[] message) {
                        receive(message, run);
                    } else {
                        flush(run);
                        ((Runnable) item).run();
                    }
                }
                flush(run);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("chat: the Redis bus's inbox failed on a message; going on", e);
                run.clear();
            } finally {
                batch.clear();
            }
        }
    }

    private void receive(byte[] bytes, List<ChatEvent> run) {
        RoomWire m;
        try {
            m = RoomWire.decode(bytes);
        } catch (IllegalArgumentException e) {
            log.warn("chat: ignoring a malformed message on the room's channel: {}", e.getMessage());
            return;
        }
        long now = System.nanoTime();
        switch (m) {
            case RoomWire.Event e -> {
                if (e.node().equals(node)) return;   // ours: delivered here when sent
                InboundStream s = stream(e.node());
                deliverAll(s.offer(e, subscriptionWasDown, now), run);
                ask(e.node(), s, now);
            }
            case RoomWire.Heartbeat(String from, long lastSeq) -> {
                if (from.equals(node)) return;
                InboundStream s = stream(from);
                s.heard(lastSeq, subscriptionWasDown, now);
                ask(from, s, now);
            }
            case RoomWire.Resend(String requester, String asked, long first, long last) -> {
                if (asked.equals(node)) resend(first, last);
            }
            case RoomWire.Missing(String from, long first, long last) -> {
                if (from.equals(node)) return;
                InboundStream s = stream(from);
                List<RoomWire.Event> ready = s.missing(first, last);
                if (!ready.isEmpty() || !s.gapOpen()) log.warn("chat: node {} no longer has lines {}..{}; some were lost here", from, first, last);
                deliverAll(ready, run);
            }
            case RoomWire.Presence p -> presence(p, run);
        }
    }

    private InboundStream stream(String from) {
        return streams.computeIfAbsent(from, f -> new InboundStream(MAX_PENDING_PER_SENDER));
    }

    private void ask(String from, InboundStream s, long now) {
        long[] range = s.toAsk(now, GAP_RETRY.toNanos());
        if (range == null || !commandsUp) return;
        log.debug("chat: asking node {} for lines {}..{} again", from, range[0], range[1]);
        redis.publish(channel, RoomWire.encode(new RoomWire.Resend(node, from, range[0], range[1])));
    }

    /** Queues the events for the members here: runs for everyone go as one delivery, private ones on their own. */
    private void deliverAll(List<RoomWire.Event> events, List<ChatEvent> run) {
        for (RoomWire.Event e : events) {
            if (e.to().equals(RoomWire.Event.EVERYONE)) {
                run.add(e.event());
                continue;
            }
            flush(run);
            LocalSeats.Seat seat = seats.get(e.to());
            if (seat != null && !seat.member().deliver(new Delivery(e.event()))) LocalSeats.dropSlow(this, seat);
        }
    }

    private void flush(List<ChatEvent> run) {
        if (run.isEmpty()) return;
        Delivery delivery = new Delivery(run);
        run.clear();
        for (LocalSeats.Seat slow : seats.deliverAll(delivery, null)) LocalSeats.dropSlow(this, slow);
    }

    // ---------------------------------------------------------------- connection state (inbox thread)

    private void disconnected(RedisChannelHandler<?, ?> connection) {
        if (closed) return;
        if (connection == commandConnection) commandsUp = false;
        else if (connection == subscription) {
            subscriptionUp = false;
            subscriptionWasDown = true;
        } else return;
        if (down) return;
        down = true;
        log.warn("chat: lost Redis at {}; reconnecting (lines are held, at most {})", address, settings.maxHeldLines());
        flush(new ArrayList<>(List.of(RECONNECTING)));
    }

    private void connected(RedisChannelHandler<?, ?> connection) {
        if (closed) return;
        if (connection == commandConnection) {
            if (commandsUp) return;   // the first connect, seen before start() knew the connection
            commandsUp = true;
            restore();
            heartbeat();
        } else if (connection == subscription) {
            if (subscriptionUp) return;
            subscriptionUp = true;
            resync();
        } else {
            return;
        }
        if (down && commandsUp && subscriptionUp) {
            down = false;
            log.info("chat: Redis at {} is back", address);
            flush(new ArrayList<>(List.of(new ChatEvent.Notice(ChatEvent.Kind.RECONNECTED, "The room is back; held lines are on their way."))));
        }
    }

    // ---------------------------------------------------------------- closing

    /**
     * Leaves the room: waits (at most {@link #CLOSE_GRACE}) for what was sent to reach Redis, frees whatever names are
     * still held here (announced as left to the others), and closes both connections.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        ticker.shutdownNow();
        CompletableFuture<?> last;
        synchronized (sendLock) {
            last = lastSend;
        }
        try {
            last.get(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            eval(RoomScripts.REAP, ScriptOutputType.INTEGER, node).get(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("chat: could not leave Redis at {} cleanly ({}); its lease ends the names in {} ms", address,
                    rootMessage(e), settings.lease().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        shutdownClient();
        inboxThread.interrupt();
    }

    private void shutdownClient() {
        ticker.shutdownNow();
        client.shutdown(Duration.ZERO, CLOSE_GRACE);
        resources.shutdown(0, CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

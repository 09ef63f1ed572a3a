package dev.polyserve.peers.chat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A Netty chat room, the peer for {@code polyserve bench chat}: the shape of Netty's own chat example
 * (a {@link ChannelGroup} of members, one line decoder per channel, flushes consolidated), speaking the subset of polyserve's chat
 * protocol the load generator uses: a name line, {@code * NAME joined} to the others, {@code * Hello NAME!},
 * then {@code NAME: text} to everyone else. It keeps the same two limits that cost work: 4 KiB lines and a
 * 1 MiB backlog per member, past which a member is dropped.
 *
 * <pre>java -cp bench/peers/target/polyserve-peers.jar dev.polyserve.peers.chat.NettyChatServer --port 0</pre>
 *
 * prints {@code listening on HOST:PORT (peer=netty-chat, transport=epoll, threads=N)} once ready.
 */
public final class NettyChatServer {
    /** Same default as polyserve's servers. */
    static final int BACKLOG = 4096;
    /** Same as polyserve chat's default line limit. */
    static final int MAX_LINE_BYTES = 4096;
    /**
     * polyserve chat's default per-member backlog is 1 MiB of line bytes. Netty counts a write queued from
     * another thread as its bytes plus a task overhead of about the size of a chat line, so its high water
     * mark is set at twice that to drop members at about the same backlog.
     */
    static final long MAX_QUEUED_BYTES = 2L << 20;
    /** Flushes merged into one before a write is forced: Netty's default for FlushConsolidationHandler. */
    static final int FLUSH_CONSOLIDATION = FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES;
    static final long SHUTDOWN_QUIET_MILLIS = 100, SHUTDOWN_TIMEOUT_MILLIS = 3_000;

    enum Transport { AUTO, EPOLL, NIO }

    private NettyChatServer() {}

    public static void main(String[] args) throws InterruptedException {
        String host = "127.0.0.1";
        int port = 0;
        int threads = Runtime.getRuntime().availableProcessors();
        Transport transport = Transport.AUTO;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--host" -> host = require(args[i], value);
                case "--port" -> port = Integer.parseInt(require(args[i], value));
                case "--threads" -> threads = Integer.parseInt(require(args[i], value));
                case "--transport" -> transport = Transport.valueOf(require(args[i], value).toUpperCase(Locale.ROOT));
                default -> fail("unknown option " + args[i]);
            }
            i++;
        }
        if (transport == Transport.EPOLL && !Epoll.isAvailable()) {
            fail("native epoll is not available here: " + Epoll.unavailabilityCause());
        }
        boolean epoll = transport != Transport.NIO && Epoll.isAvailable();
        EventLoopGroup boss = epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
        EventLoopGroup workers = epoll ? new EpollEventLoopGroup(threads) : new NioEventLoopGroup(threads);
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            boss.shutdownGracefully(SHUTDOWN_QUIET_MILLIS, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).syncUninterruptibly();
            workers.shutdownGracefully(SHUTDOWN_QUIET_MILLIS, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).syncUninterruptibly();
        }, "netty-chat-shutdown"));
        Room room = new Room();
        Channel listener = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark((int) MAX_QUEUED_BYTES / 2, (int) MAX_QUEUED_BYTES))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline()
                                // Fan-out means many small writes per connection from other loops; Netty's own
                                // answer is to consolidate their flushes into one write per loop turn.
                                .addLast(new FlushConsolidationHandler(FLUSH_CONSOLIDATION, true))
                                .addLast(new LineBasedFrameDecoder(MAX_LINE_BYTES))
                                .addLast(new StringDecoder(StandardCharsets.UTF_8))
                                .addLast(new Member(room));
                    }
                })
                .bind(host, port).sync().channel();
        InetSocketAddress bound = (InetSocketAddress) listener.localAddress();
        System.out.printf("listening on %s:%d (peer=netty-chat, transport=%s, threads=%d)%n",
                bound.getHostString(), bound.getPort(), epoll ? "epoll" : "nio", threads);
        System.out.flush();
        listener.closeFuture().sync();
    }

    /** The members and their names. */
    static final class Room {
        final ChannelGroup members = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        final ConcurrentHashMap<String, Channel> names = new ConcurrentHashMap<>();

        void broadcast(String line, Channel except) {
            ByteBuf bytes = Unpooled.copiedBuffer(line + "\r\n", StandardCharsets.UTF_8);
            try {
                for (Channel c : members) {
                    if (c == except) continue;
                    if (!c.isWritable()) {
                        c.close();   // past the high water mark: too slow, the same rule as polyserve's room
                        continue;
                    }
                    c.writeAndFlush(bytes.retainedDuplicate(), c.voidPromise());
                }
            } finally {
                bytes.release();
            }
        }
    }

    /** One connection: the first line is its name, then every line is said to the others. */
    static final class Member extends SimpleChannelInboundHandler<String> {
        private final Room room;
        private String name;

        Member(Room room) {
            this.room = room;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(Unpooled.copiedBuffer("* Welcome to netty chat.\r\n* Your name?\r\n", StandardCharsets.UTF_8));
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, String line) {
            if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
            if (name == null) {
                String wanted = line.strip();
                if (wanted.isEmpty() || room.names.putIfAbsent(wanted.toLowerCase(Locale.ROOT), ctx.channel()) != null) {
                    ctx.writeAndFlush(Unpooled.copiedBuffer("* The name " + wanted + " is taken. Your name?\r\n", StandardCharsets.UTF_8));
                    return;
                }
                name = wanted;
                room.members.add(ctx.channel());
                room.broadcast("* " + name + " joined", ctx.channel());
                ctx.writeAndFlush(Unpooled.copiedBuffer("* Hello " + name + "!\r\n", StandardCharsets.UTF_8));
                return;
            }
            room.broadcast(name + ": " + line, ctx.channel());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (name != null && room.names.remove(name.toLowerCase(Locale.ROOT), ctx.channel())) {
                room.broadcast("* " + name + " left", ctx.channel());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static String require(String option, String value) {
        if (value == null) fail(option + " needs a value");
        return value;
    }

    private static void fail(String message) {
        System.err.println("netty-chat: " + message);
        System.exit(2);
    }
}

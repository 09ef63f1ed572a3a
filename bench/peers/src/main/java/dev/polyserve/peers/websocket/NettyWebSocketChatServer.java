package dev.polyserve.peers.websocket;

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
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A Netty chat room for browser members, the peer for {@code bench/websocket.sh --broadcast}: Netty's WebSocket
 * chat shape (WebSocketServerProtocolHandler and a {@link ChannelGroup}, one frame per broadcast shared by every
 * member via retained duplicates, flushes consolidated as in the TCP chat peer), speaking the subset of
 * polyserve's chat page protocol the load uses: the first text message is the name, then every message is said to
 * the others as {@code {"type":"said","from":...,"text":...}} on a line of its own; joins and the greeting as
 * notices. A member past a 2 MiB backlog is dropped, as in the TCP peer.
 *
 * <pre>java -jar bench/peers/target/polyserve-peers.jar websocket-chat --port 0</pre>
 */
public final class NettyWebSocketChatServer {
    static final int BACKLOG = 4096;
    static final int MAX_MESSAGE = 64 * 1024;
    static final int MAX_QUEUED_BYTES = 2 << 20;

    private NettyWebSocketChatServer() {}

    public static void main(String[] args) throws InterruptedException {
        String host = "127.0.0.1";
        int port = 0;
        int threads = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--host" -> host = args[i + 1];
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--threads" -> threads = Integer.parseInt(args[i + 1]);
                default -> {
                    System.err.println("netty-websocket-chat: unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup boss = epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
        EventLoopGroup workers = epoll ? new EpollEventLoopGroup(threads) : new NioEventLoopGroup(threads);
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            boss.shutdownGracefully(100, 3_000, TimeUnit.MILLISECONDS).syncUninterruptibly();
            workers.shutdownGracefully(100, 3_000, TimeUnit.MILLISECONDS).syncUninterruptibly();
        }, "netty-websocket-chat-shutdown"));
        Room room = new Room();
        WebSocketServerProtocolConfig config = WebSocketServerProtocolConfig.newBuilder().websocketPath("/ws")
                .maxFramePayloadLength(MAX_MESSAGE).build();
        Channel listener = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(MAX_QUEUED_BYTES / 2, MAX_QUEUED_BYTES))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true),
                                new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new WebSocketServerProtocolHandler(config), new Member(room));
                    }
                })
                .bind(host, port).sync().channel();
        InetSocketAddress bound = (InetSocketAddress) listener.localAddress();
        System.out.printf("listening on %s:%d (peer=netty-websocket-chat, transport=%s, threads=%d)%n",
                bound.getHostString(), bound.getPort(), epoll ? "epoll" : "nio", threads);
        System.out.flush();
        listener.closeFuture().sync();
    }

    static final class Room {
        final ChannelGroup members = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        final ConcurrentHashMap<String, Channel> names = new ConcurrentHashMap<>();

        void broadcast(String json, Channel except) {
            ByteBuf bytes = Unpooled.copiedBuffer(json + "\n", StandardCharsets.UTF_8);
            try {
                for (Channel c : members) {
                    if (c == except) continue;
                    if (!c.isWritable()) {
                        c.close();
                        continue;
                    }
                    c.writeAndFlush(new TextWebSocketFrame(bytes.retainedDuplicate()), c.voidPromise());
                }
            } finally {
                bytes.release();
            }
        }
    }

    static final class Member extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        private final Room room;
        private String name;

        Member(Room room) {
            this.room = room;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                tell(ctx, notice("welcome", "Welcome to netty chat.") + notice("ask-name", "Your name?"));
            } else {
                super.userEventTriggered(ctx, evt);
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            String text = frame.text();
            if (name == null) {
                String wanted = text.strip();
                if (wanted.isEmpty() || room.names.putIfAbsent(wanted.toLowerCase(Locale.ROOT), ctx.channel()) != null) {
                    tell(ctx, notice("name-taken", "The name " + wanted + " is taken. Your name?"));
                    return;
                }
                name = wanted;
                room.members.add(ctx.channel());
                room.broadcast("{\"type\":\"joined\",\"name\":" + quote(name) + "}", ctx.channel());
                tell(ctx, notice("hello", "Hello " + name + "!"));
                return;
            }
            room.broadcast("{\"type\":\"said\",\"from\":" + quote(name) + ",\"text\":" + quote(text) + "}", ctx.channel());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (name != null && room.names.remove(name.toLowerCase(Locale.ROOT), ctx.channel())) {
                room.broadcast("{\"type\":\"left\",\"name\":" + quote(name) + "}", ctx.channel());
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        private static void tell(ChannelHandlerContext ctx, String lines) {
            ctx.writeAndFlush(new TextWebSocketFrame(lines));
        }

        private static String notice(String code, String text) {
            return "{\"type\":\"notice\",\"code\":\"" + code + "\",\"text\":" + quote(text) + "}\n";
        }

        static String quote(String s) {
            StringBuilder b = new StringBuilder(s.length() + 2).append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    default -> {
                        if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                        else b.append(c);
                    }
                }
            }
            return b.append('"').toString();
        }
    }
}

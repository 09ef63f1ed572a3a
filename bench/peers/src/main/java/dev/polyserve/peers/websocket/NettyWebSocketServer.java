package dev.polyserve.peers.websocket;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A Netty WebSocket echo server, the peer for {@code bench/websocket.sh}: the pipeline of Netty's own WebSocket
 * server example (HttpServerCodec, HttpObjectAggregator, WebSocketServerProtocolHandler) with a handler that sends
 * every text and binary message back, at {@code /ws/echo} as polyserve's welcome site has it. Native epoll where
 * it loads, one acceptor and one event loop per core, like polyserve's {@code nio} model. No compression (neither
 * side's load generator offers it).
 *
 * <pre>java -jar bench/peers/target/polyserve-peers.jar websocket --port 0</pre>
 *
 * prints {@code listening on HOST:PORT (peer=netty-websocket, transport=epoll, threads=N)} once ready.
 */
public final class NettyWebSocketServer {
    static final int BACKLOG = 4096;
    /** The same bound as polyserve's default message limit, so both accept what the benchmark sends. */
    static final int MAX_MESSAGE = 4 << 20;

    private NettyWebSocketServer() {}

    @ChannelHandler.Sharable
    static final class Echo extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
                ctx.writeAndFlush(frame.retain());
            }
        }
    }

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
                    System.err.println("netty-websocket: unknown option " + args[i]);
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
        }, "netty-websocket-shutdown"));
        Echo echo = new Echo();
        WebSocketServerProtocolConfig config = WebSocketServerProtocolConfig.newBuilder().websocketPath("/ws/echo")
                .maxFramePayloadLength(MAX_MESSAGE).checkStartsWith(false).build();
        Channel listener = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new WebSocketServerProtocolHandler(config), echo);
                    }
                })
                .bind(host, port).sync().channel();
        InetSocketAddress bound = (InetSocketAddress) listener.localAddress();
        System.out.printf("listening on %s:%d (peer=netty-websocket, transport=%s, threads=%d)%n",
                bound.getHostString(), bound.getPort(), epoll ? "epoll" : "nio", threads);
        System.out.flush();
        listener.closeFuture().sync();
    }
}

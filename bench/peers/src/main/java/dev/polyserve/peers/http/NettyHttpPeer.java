package dev.polyserve.peers.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.stream.ChunkedWriteHandler;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Netty side of docs/bench/http.md: a small HTTP/1.1 server with the same two endpoints the polyserve bench
 * hits, a static file from a root directory (zero-copy through {@code DefaultFileRegion}) and a tiny JSON route
 * ({@code /api/hello}). It uses Netty's native epoll transport when it loads, NIO otherwise, so Netty runs at
 * its best.
 *
 * <pre>
 * java -cp ... dev.polyserve.peers.http.NettyHttpPeer PORT ROOT [THREADS]
 * </pre>
 *
 * Reads top to bottom like Netty's own examples: event-loop groups, channel type, options, one pipeline,
 * a graceful shutdown in {@code finally}.
 */
public final class NettyHttpPeer {
    /** Largest request body the aggregator accepts; the bench sends none. */
    private static final int MAX_CONTENT = 64 * 1024;

    private NettyHttpPeer() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: NettyHttpPeer PORT ROOT [THREADS]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        Path root = Path.of(args[1]).toRealPath();
        if (!Files.isDirectory(root)) throw new IllegalArgumentException("not a directory: " + root);
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();

        boolean epoll = Epoll.isAvailable();
        EventLoopGroup boss = epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
        EventLoopGroup workers = epoll ? new EpollEventLoopGroup(threads) : new NioEventLoopGroup(threads);
        Class<? extends ServerChannel> channel = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        try {
            ServerBootstrap b = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(channel)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline()
                                    .addLast(new HttpServerCodec())
                                    .addLast(new HttpObjectAggregator(MAX_CONTENT))
                                    .addLast(new ChunkedWriteHandler())
                                    .addLast(new NettyHttpPeerHandler(root));
                        }
                    });
            var ch = b.bind("127.0.0.1", port).sync().channel();
            System.out.println("listening on 127.0.0.1:" + port + " (netty " + (epoll ? "epoll" : "nio") + ", "
                    + threads + " event loops, root " + root + ")");
            System.out.flush();
            ch.closeFuture().sync();
        } finally {
            boss.shutdownGracefully();
            workers.shutdownGracefully();
        }
    }
}

package dev.polyserve.peers.echo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
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

import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Netty's echo server, the peer for {@code polyserve bench echo}: native epoll where Netty's
 * native library loads (Linux x86-64), NIO otherwise; one acceptor thread and one event loop per
 * core, like polyserve's {@code nio} model, so the comparison is loop against loop.
 *
 * <pre>java -jar bench/peers/target/polyserve-peers.jar echo --port 0</pre>
 *
 * prints {@code listening on HOST:PORT (peer=netty-echo, transport=epoll, threads=N)} once ready.
 */
public final class NettyEchoServer {
    /** Same default as polyserve's servers: a burst of 10,000 connects must not overflow the accept queue. */
    static final int BACKLOG = 4096;
    /** How long a SIGTERM lets the event loops finish before they are torn down. */
    static final long SHUTDOWN_QUIET_MILLIS = 100, SHUTDOWN_TIMEOUT_MILLIS = 3_000;

    enum Transport { AUTO, EPOLL, NIO }

    private NettyEchoServer() {}

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
        Thread shutdown = new Thread(() -> {
            boss.shutdownGracefully(SHUTDOWN_QUIET_MILLIS, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).syncUninterruptibly();
            workers.shutdownGracefully(SHUTDOWN_QUIET_MILLIS, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).syncUninterruptibly();
        }, "netty-echo-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        EchoHandler handler = new EchoHandler();
        Channel listener = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(handler);
                    }
                })
                .bind(host, port).sync().channel();
        InetSocketAddress bound = (InetSocketAddress) listener.localAddress();
        System.out.printf("listening on %s:%d (peer=netty-echo, transport=%s, threads=%d)%n",
                bound.getHostString(), bound.getPort(), epoll ? "epoll" : "nio", threads);
        System.out.flush();
        listener.closeFuture().sync();
    }

    private static String require(String option, String value) {
        if (value == null) fail(option + " needs a value");
        return value;
    }

    private static void fail(String message) {
        System.err.println("netty-echo: " + message);
        System.exit(2);
    }
}

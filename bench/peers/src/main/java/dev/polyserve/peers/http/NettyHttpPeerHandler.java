package dev.polyserve.peers.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** Answers GET /api/hello with JSON and any other GET with a file under the root (404 if none). */
final class NettyHttpPeerHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final byte[] HELLO = "{\"message\":\"hello, world\"}".getBytes(StandardCharsets.US_ASCII);

    private final Path root;

    NettyHttpPeerHandler(Path root) {
        this.root = root;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) throws IOException {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (!req.decoderResult().isSuccess()) {
            sendFull(ctx, HttpResponseStatus.BAD_REQUEST, "text/plain", new byte[0], false);
            return;
        }
        if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
            sendFull(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain", new byte[0], keepAlive);
            return;
        }
        String path = new QueryStringDecoder(req.uri()).path();
        if (path.equals("/api/hello")) {
            sendFull(ctx, HttpResponseStatus.OK, "application/json", HELLO, keepAlive);
            return;
        }
        Path file = root.resolve(path.substring(1)).normalize();
        if (!file.startsWith(root) || !Files.isRegularFile(file)) {
            sendFull(ctx, HttpResponseStatus.NOT_FOUND, "text/plain", "not found".getBytes(StandardCharsets.US_ASCII), keepAlive);
            return;
        }
        RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r");
        long length = raf.length();
        HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType(path))
                .set(HttpHeaderNames.CONTENT_LENGTH, length)
                .set(HttpHeaderNames.LAST_MODIFIED, httpDate(Files.getLastModifiedTime(file).toMillis()))
                .set(HttpHeaderNames.DATE, now())
                .set(HttpHeaderNames.SERVER, "netty-peer");
        if (keepAlive) res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        ctx.write(res);
        if (req.method() == HttpMethod.HEAD) {
            raf.close();
        } else {
            ctx.write(new DefaultFileRegion(raf.getChannel(), 0, length), ctx.newProgressivePromise());
        }
        ChannelFuture last = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        if (!keepAlive) last.addListener(ChannelFutureListener.CLOSE);
    }

    private static void sendFull(ChannelHandlerContext ctx, HttpResponseStatus status, String type, byte[] body, boolean keepAlive) {
        ByteBuf content = Unpooled.wrappedBuffer(body);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, type)
                .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.DATE, now())
                .set(HttpHeaderNames.SERVER, "netty-peer");
        if (keepAlive) res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        ChannelFuture f = ctx.writeAndFlush(res);
        if (!keepAlive) f.addListener(ChannelFutureListener.CLOSE);
    }

    private static String contentType(String path) {
        if (path.endsWith(".html")) return "text/html; charset=utf-8";
        if (path.endsWith(".txt")) return "text/plain; charset=utf-8";
        if (path.endsWith(".css")) return "text/css; charset=utf-8";
        if (path.endsWith(".js")) return "text/javascript; charset=utf-8";
        if (path.endsWith(".json")) return "application/json";
        return "application/octet-stream";
    }

    private record CachedDate(long second, String text) {}

    private static volatile CachedDate date = new CachedDate(-1, "");

    /** The Date header, formatted once a second as polyserve and nginx do, so the peers do equal work. */
    private static String now() {
        long sec = System.currentTimeMillis() / 1000;
        CachedDate d = date;
        if (d.second != sec) {
            d = new CachedDate(sec, httpDate(sec * 1000));
            date = d;
        }
        return d.text;
    }

    private static String httpDate(long millis) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.ofInstant(java.time.Instant.ofEpochMilli(millis), ZoneOffset.UTC));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}

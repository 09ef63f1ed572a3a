package dev.polyserve.core.udp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP server in one of two models: {@code iterative} (the receiving thread answers each datagram itself) or
 * {@code threads} (a platform thread per datagram, like socketserver's ThreadingUDPServer, at most
 * {@link #MAX_HANDLER_THREADS} at once).
 */
public final class UdpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UdpServer.class);

    /** Largest UDP payload over IPv4: 65,535 minus the 8-byte UDP and 20-byte IP headers. */
    public static final int MAX_DATAGRAM = 65_507;
    /** Concurrent handler threads in the {@code threads} model; past it the receiver waits (the kernel queues). */
    public static final int MAX_HANDLER_THREADS = 256;
    /** The models a datagram server can run. */
    public static final List<String> MODELS = List.of("iterative", "threads");
    /** The model a UDP server runs when none is named: a thread per datagram's handling, socketserver's ThreadingUDPServer. */
    public static final String DEFAULT_MODEL = "threads";

    private final DatagramChannel channel;
    private final DatagramService service;
    private final boolean threaded;
    private final Semaphore handlerSlots = new Semaphore(MAX_HANDLER_THREADS);
    private final AtomicInteger threadIds = new AtomicInteger();
    private final Thread receiver;
    private volatile boolean stopping;

    private UdpServer(DatagramChannel channel, DatagramService service, boolean threaded) {
        this.channel = channel;
        this.service = service;
        this.threaded = threaded;
        this.receiver = new Thread(this::receiveLoop, "polyserve-udp-receiver");
    }

    /** Binds {@code address} and starts serving with {@code model} ({@code iterative} or {@code threads}). */
    public static UdpServer start(InetSocketAddress address, String model, DatagramService service) throws IOException {
        if (!MODELS.contains(model)) {
            throw new IllegalArgumentException("UDP runs on the models " + MODELS + ", not '" + model + "'");
        }
        DatagramChannel ch = DatagramChannel.open();
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(address);
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot listen on udp " + address.getHostString() + ":" + address.getPort() + ": " + e.getMessage(), e);
        }
        UdpServer server = new UdpServer(ch, service, model.equals("threads"));
        server.receiver.start();
        return server;
    }

    public InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("socket closed", e);
        }
    }

    private void receiveLoop() {
        // One byte more than the largest legal payload, so an oversized datagram (possible over IPv6) shows.
        ByteBuffer buf = ByteBuffer.allocate(MAX_DATAGRAM + 1);
        while (true) {
            SocketAddress from;
            try {
                buf.clear();
                from = channel.receive(buf);
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                log.warn("udp receive failed: {}", e.toString());
                continue;
            }
            buf.flip();
            if (buf.remaining() > MAX_DATAGRAM) {
                log.warn("refused a datagram from {}: it is larger than the {}-byte UDP payload limit", from, MAX_DATAGRAM);
                send(ByteBuffer.wrap(("error: datagram larger than " + MAX_DATAGRAM + " bytes refused\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)), from);
                continue;
            }
            if (!threaded) {
                answer(buf, from);
                continue;
            }
            ByteBuffer copy = ByteBuffer.allocate(buf.remaining()).put(buf).flip();
            try {
                handlerSlots.acquire();
            } catch (InterruptedException e) {
                return;
            }
            Thread.ofPlatform().name("polyserve-udp-" + threadIds.incrementAndGet()).start(() -> {
                try {
                    answer(copy, from);
                } finally {
                    handlerSlots.release();
                }
            });
        }
    }

    private void answer(ByteBuffer datagram, SocketAddress from) {
        ByteBuffer reply;
        try {
            reply = service.reply(datagram, from);
        } catch (RuntimeException e) {
            log.warn("datagram handler failed for {}", from, e);
            return;
        }
        if (reply != null) {
            send(reply, from);
        }
    }

    private void send(ByteBuffer reply, SocketAddress to) {
        try {
            channel.send(reply, to);
        } catch (IOException e) {
            if (!stopping) {
                log.warn("udp reply to {} failed: {}", to, e.toString());
            }
        }
    }

    /** Stops receiving, lets handler threads finish for up to {@code grace}, and releases the socket. */
    public void stop(Duration grace) {
        stopping = true;
        try {
            channel.close();
            receiver.join(TimeUnit.SECONDS.toMillis(5));
            if (handlerSlots.tryAcquire(MAX_HANDLER_THREADS, grace.toMillis(), TimeUnit.MILLISECONDS)) {
                handlerSlots.release(MAX_HANDLER_THREADS);
            }
        } catch (IOException e) {
            log.debug("closing udp socket: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }
}

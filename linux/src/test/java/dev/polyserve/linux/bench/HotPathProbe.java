package dev.polyserve.linux.bench;

import dev.polyserve.core.Conn;
import dev.polyserve.core.Handler;
import dev.polyserve.core.Server;
import dev.polyserve.core.Service;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes the event loop thread allocates per message, measured with
 * {@link com.sun.management.ThreadMXBean#getThreadAllocatedBytes(long)} around N ping-pong round trips on one
 * loopback connection, after a JIT warm-up. A benchmark, not a test: run it with {@code bench/linux-hotpath.sh}.
 *
 * <p>Three handlers separate the engine's cost from the service's: {@code count} reads and counts (the read
 * path: wait, recv, handler call), {@code echo-copy} copies the bytes into a fresh heap buffer and writes it, as
 * the echo service does (adds ConnBase's write queue and the copy), and {@code reply-shared} writes a duplicate
 * of a shared read-only buffer (the copy replaced by one small ByteBuffer header).
 */
public final class HotPathProbe {
    /** Message size: a short echo line. */
    static final int MESSAGE = 64;

    public static void main(String[] args) throws Exception {
        List<String> models = args.length > 0 ? List.of(args[0].split(",")) : List.of("epoll", "epoll-et", "poll", "select", "uring");
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        int measured = args.length > 2 ? Integer.parseInt(args[2]) : 200_000;
        System.out.printf("%-9s %-13s %10s %14s%n", "model", "handler", "messages", "bytes/message");
        for (String model : models) {
            for (String handler : List.of("count", "echo-copy", "reply-shared")) {
                double perMessage = run(model, handler, warmup, measured);
                System.out.printf("%-9s %-13s %10d %14.2f%n", model, handler, measured, perMessage);
            }
        }
    }

    private static Service service(String handler, AtomicLong received) {
        ByteBuffer shared = ByteBuffer.allocateDirect(MESSAGE).asReadOnlyBuffer();
        return () -> new Handler() {
            @Override
            public void onRead(Conn c, ByteBuffer in) {
                int n = in.remaining();
                switch (handler) {
                    case "count" -> in.position(in.limit());
                    case "echo-copy" -> c.write(ByteBuffer.allocate(n).put(in).flip());
                    case "reply-shared" -> {
                        in.position(in.limit());
                        c.write(shared.duplicate().limit(n));
                    }
                    default -> throw new IllegalArgumentException(handler);
                }
                received.addAndGet(n);
            }
        };
    }

    private static double run(String model, String handler, int warmup, int measured) throws Exception {
        AtomicLong received = new AtomicLong();
        boolean replies = !handler.equals("count");
        try (Server server = Server.tcp(0).host("127.0.0.1").model(model).workers(1)
                .service(service(handler, received)).start();
             Socket s = new Socket("127.0.0.1", server.localAddress().getPort())) {
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] msg = new byte[MESSAGE];
            long loopThread = loopThreadId(model);
            exchange(out, in, msg, warmup, replies, received);
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = mx.getThreadAllocatedBytes(loopThread);
            exchange(out, in, msg, measured, replies, received);
            long after = mx.getThreadAllocatedBytes(loopThread);
            return (after - before) / (double) measured;
        }
    }

    /** Ping-pong: one message in flight, so every message is one wake-up, one recv and (if replying) one send. */
    private static void exchange(OutputStream out, DataInputStream in, byte[] msg, int count, boolean replies,
                                 AtomicLong received) throws Exception {
        for (int i = 0; i < count; i++) {
            long expected = received.get() + msg.length;
            out.write(msg);
            if (replies) {
                in.readFully(msg);
            } else {
                while (received.get() < expected) Thread.onSpinWait();
            }
        }
    }

    private static long loopThreadId(String model) {
        String name = "polyserve-" + model + "-loop-0";
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no thread named " + name)).threadId();
    }
}

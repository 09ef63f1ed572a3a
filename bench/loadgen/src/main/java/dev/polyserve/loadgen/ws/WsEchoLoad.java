package dev.polyserve.loadgen.ws;

import dev.polyserve.loadgen.LatencySummary;
import dev.polyserve.loadgen.ProcessTreeCpu;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * A WebSocket echo load generator: N connections (a virtual thread each, blocking sockets), each sending one masked
 * text message of a fixed size and waiting for its echo before the next (closed loop, one message in flight per
 * connection). After a warm-up, counts echoes over the measured window with their round-trip times, and the
 * server's CPU time (its process tree, from /proc) over the same window.
 *
 * <pre>java -cp cli/target/polyserve.jar dev.polyserve.loadgen.ws.WsEchoLoad --port P --connections 100 --server-pid PID</pre>
 *
 * ends with one line: {@code RESULT messages_per_s=... p50_us=... p99_us=... p999_us=... server_cpu_s=...
 * messages_per_cpu_s=... errors=...}.
 */
public final class WsEchoLoad {
    private WsEchoLoad() {}

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1", path = "/ws/echo";
        int port = 0, connections = 100, size = 64;
        double warmup = 3, duration = 10;
        long serverPid = -1;
        for (int i = 0; i + 1 < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--host" -> host = v;
                case "--port" -> port = Integer.parseInt(v);
                case "--path" -> path = v;
                case "--connections" -> connections = Integer.parseInt(v);
                case "--size" -> size = Integer.parseInt(v);
                case "--warmup" -> warmup = Double.parseDouble(v);
                case "--duration" -> duration = Double.parseDouble(v);
                case "--server-pid" -> serverPid = Long.parseLong(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong errors = new AtomicLong();
        CountDownLatch connected = new CountDownLatch(connections);
        List<Histogram> histograms = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        byte[] payload = new byte[size];
        for (int i = 0; i < size; i++) payload[i] = (byte) ('a' + i % 26);
        for (int c = 0; c < connections; c++) {
            Histogram h = new Histogram(60_000_000_000L, 3);
            histograms.add(h);
            String p = path;
            threads.add(Thread.ofVirtual().start(() -> {
                try (Socket s = new Socket()) {
                    s.setTcpNoDelay(true);
                    s.connect(address, 30_000);
                    s.setSoTimeout(30_000);
                    InputStream in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
                    OutputStream out = s.getOutputStream();
                    handshake(in, out, address, p);
                    connected.countDown();
                    byte[] frame = new byte[headLength(payload.length) + payload.length];
                    while (!stop.get()) {
                        long t0 = System.nanoTime();
                        int n = maskedText(frame, payload);
                        out.write(frame, 0, n);
                        readEcho(in, payload.length);
                        if (measuring.get()) h.recordValue((System.nanoTime() - t0) / 1000);
                    }
                } catch (IOException | RuntimeException e) {
                    if (!stop.get()) errors.incrementAndGet();
                    connected.countDown();
                }
            }));
        }
        connected.await();
        Thread.sleep((long) (warmup * 1000));
        ProcessTreeCpu cpu = ProcessTreeCpu.system();
        double cpu0 = serverPid > 0 ? cpu.treeSeconds(serverPid) : 0;
        long t0 = System.nanoTime();
        measuring.set(true);
        Thread.sleep((long) (duration * 1000));
        measuring.set(false);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpu1 = serverPid > 0 ? cpu.treeSeconds(serverPid) : 0;
        stop.set(true);
        for (Thread t : threads) t.join(5_000);
        Histogram all = new Histogram(60_000_000_000L, 3);
        for (Histogram h : histograms) all.add(h);
        LatencySummary l = LatencySummary.of(all);
        double serverCpu = cpu1 - cpu0;
        System.out.printf(Locale.ROOT, "RESULT connections=%d size=%d messages_per_s=%.0f p50_us=%d p99_us=%d p999_us=%d "
                        + "server_cpu_s=%.2f messages_per_cpu_s=%.0f errors=%d%n", connections, size, l.count() / seconds,
                l.p50(), l.p99(), l.p999(), serverCpu, serverCpu > 0 ? l.count() / serverCpu : 0, errors.get());
        System.exit(0);   // connections still blocked in a read after the stop are abandoned with the process
    }

    private static void handshake(InputStream in, OutputStream out, InetSocketAddress a, String path) throws IOException {
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        String req = "GET " + path + " HTTP/1.1\r\nHost: " + a.getHostString() + ":" + a.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(key) + "\r\n\r\n";
        out.write(req.getBytes(StandardCharsets.ISO_8859_1));
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new IOException("closed during the handshake");
            head.append((char) b);
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) throw new IOException("handshake refused: " + head.toString().lines().findFirst().orElse(""));
    }

    static int headLength(int n) {
        return (n < 126 ? 2 : n <= 0xFFFF ? 4 : 10) + 4;
    }

    /** A final, masked text frame of {@code payload} into {@code frame}; returns its length. */
    static int maskedText(byte[] frame, byte[] payload) {
        int n = payload.length, at = 0;
        frame[at++] = (byte) 0x81;
        if (n < 126) {
            frame[at++] = (byte) (0x80 | n);
        } else if (n <= 0xFFFF) {
            frame[at++] = (byte) (0x80 | 126);
            frame[at++] = (byte) (n >> 8);
            frame[at++] = (byte) n;
        } else {
            frame[at++] = (byte) (0x80 | 127);
            for (int i = 7; i >= 0; i--) frame[at++] = (byte) ((long) n >> (8 * i));
        }
        int mask = ThreadLocalRandom.current().nextInt();
        byte[] m = {(byte) (mask >> 24), (byte) (mask >> 16), (byte) (mask >> 8), (byte) mask};
        System.arraycopy(m, 0, frame, at, 4);
        at += 4;
        for (int i = 0; i < n; i++) frame[at + i] = (byte) (payload[i] ^ m[i & 3]);
        return at + n;
    }

    /** Reads one unmasked server frame and checks it is a text message of {@code expected} bytes. */
    static void readEcho(InputStream in, int expected) throws IOException {
        int b0 = in.read(), b1 = in.read();
        if (b0 < 0 || b1 < 0) throw new IOException("closed");
        long len = b1 & 0x7f;
        if (len == 126) len = (in.read() << 8) | in.read();
        else if (len == 127) {
            len = 0;
            for (int i = 0; i < 8; i++) len = (len << 8) | in.read();
        }
        if ((b0 & 0x0f) != 1 || len != expected) throw new IOException("unexpected frame: opcode " + (b0 & 0x0f) + ", " + len + " bytes");
        in.skipNBytes(len);   // EOFException if the connection ends inside the frame
    }
}

package dev.polyserve.cli.bench;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One client process's part of {@code bench hold}: connections {@code [first, first + count)} of the run, opened
 * from rotating loopback source addresses, held idle, then each sent one line whose echo is checked, then closed.
 * One selector thread does it all, so a share costs a descriptor per connection and about a kilobyte of heap.
 */
final class HoldShare {
    /**
     * Connects in flight at once: 512. More only overflow the server's accept backlog, and a dropped SYN waits a
     * second or more before the kernel sends it again, which would be measured as accept time.
     */
    static final int CONNECTS_IN_FLIGHT = 512;

    private final InetSocketAddress target;
    private final int first;
    private final int count;
    private final int sources;
    private final long deadlineNanos;
    private final List<SocketChannel> open = new ArrayList<>();
    private final Map<String, Integer> failures = new TreeMap<>();
    private long openNanos;
    private int opened; // what openAll opened: closeAll empties the list, the figure stays
    private int verified;

    /**
     * @param first index of this share's first connection in the whole run (it picks the source address and the line)
     * @param sources source addresses to rotate over: connection i binds 127.0.x.y number {@code i % sources}
     * @param deadlineNanos System.nanoTime() by which everything must be done; what is not is counted as failed
     */
    HoldShare(InetSocketAddress target, int first, int count, int sources, long deadlineNanos) {
        this.target = target;
        this.first = first;
        this.count = count;
        this.sources = sources;
        this.deadlineNanos = deadlineNanos;
    }

    /** Source address number {@code j}: 127.0.1.1, 127.0.1.2, ... 127.0.1.250, 127.0.2.1, ... (all loopback on Linux). */
    static InetAddress source(int j) {
        byte[] a = {127, 0, (byte) (1 + j / 250), (byte) (1 + j % 250)};
        try {
            return InetAddress.getByAddress(a);
        } catch (java.net.UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** The line connection {@code i} sends: its index, so a reply given to the wrong connection shows. */
    static byte[] line(int i) {
        return String.format("hold %09d%n", i).getBytes(StandardCharsets.US_ASCII);
    }

    int opened() {
        return opened;
    }

    long openNanos() {
        return openNanos;
    }

    int verified() {
        return verified;
    }

    Map<String, Integer> failures() {
        return failures;
    }

    private void fail(String kind) {
        failures.merge(kind, 1, Integer::sum);
    }

    private static String kindOf(IOException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("Too many open files")) return "descriptors";
        if (e instanceof BindException) return "bind";
        if (e instanceof ConnectException) return m.contains("timed out") ? "connect-timeout" : "refused";
        if (e instanceof NoRouteToHostException) return "no-route";
        if (m.contains("reset")) return "reset";
        if (e instanceof SocketException) return "socket";
        return "io";
    }

    /** Opens the share's connections, at most {@link #CONNECTS_IN_FLIGHT} at a time, until all are done or the deadline. */
    void openAll() throws IOException {
        long start = System.nanoTime();
        try (Selector selector = Selector.open()) {
            int next = 0;
            int inFlight = 0;
            while ((next < count || inFlight > 0) && System.nanoTime() < deadlineNanos) {
                while (next < count && inFlight < CONNECTS_IN_FLIGHT) {
                    int i = first + next++;
                    SocketChannel ch = null;
                    try {
                        ch = SocketChannel.open();
                        ch.configureBlocking(false);
                        ch.bind(new InetSocketAddress(source(i % sources), 0));
                        if (ch.connect(target)) {
                            open.add(ch);
                        } else {
                            ch.register(selector, SelectionKey.OP_CONNECT);
                            inFlight++;
                        }
                    } catch (IOException e) {
                        fail(kindOf(e));
                        if (ch != null) ch.close();
                    }
                }
                selector.select(Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000));
                for (SelectionKey k : selector.selectedKeys()) {
                    SocketChannel ch = (SocketChannel) k.channel();
                    k.cancel();
                    inFlight--;
                    try {
                        ch.finishConnect();
                        open.add(ch);
                    } catch (IOException e) {
                        fail(kindOf(e));
                        ch.close();
                    }
                }
                selector.selectedKeys().clear();
            }
            for (SelectionKey k : selector.keys()) {
                if (!k.isValid()) continue; // cancelled above, still listed until the next select
                fail("connect-deadline");
                k.channel().close();
            }
            int neverTried = count - next;
            if (neverTried > 0) failures.merge("connect-deadline", neverTried, Integer::sum);
            selector.selectNow(); // deregisters the cancelled keys, so the channels can go blocking-free into the next selector
        }
        openNanos = System.nanoTime() - start;
        opened = open.size();
    }

    /** What one connection has received of its echo. */
    private static final class Reply {
        final byte[] expected;
        final ByteBuffer got;

        Reply(byte[] expected) {
            this.expected = expected;
            this.got = ByteBuffer.allocate(expected.length);
        }
    }

    /** Sends every open connection its line and checks each echo, until all answered or the deadline. */
    void echoAll() throws IOException {
        try (Selector selector = Selector.open()) {
            int waiting = 0;
            for (int n = 0; n < open.size(); n++) {
                SocketChannel ch = open.get(n);
                byte[] line = line(first + n);
                try {
                    ByteBuffer out = ByteBuffer.wrap(line);
                    ch.write(out);
                    if (out.hasRemaining()) { // a fresh socket's send buffer takes a short line whole; be safe anyway
                        throw new IOException("short write of " + line.length + " bytes on an idle connection");
                    }
                    ch.register(selector, SelectionKey.OP_READ, new Reply(line));
                    waiting++;
                } catch (IOException e) {
                    fail("send-" + kindOf(e));
                }
            }
            while (waiting > 0 && System.nanoTime() < deadlineNanos) {
                selector.select(Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000));
                for (SelectionKey k : selector.selectedKeys()) {
                    Reply r = (Reply) k.attachment();
                    String failure = null;
                    try {
                        int n = ((SocketChannel) k.channel()).read(r.got);
                        if (n < 0) failure = "closed-before-reply";
                    } catch (IOException e) {
                        failure = "reply-" + kindOf(e);
                    }
                    if (failure == null && r.got.hasRemaining()) continue;
                    k.cancel();
                    waiting--;
                    if (failure != null) {
                        fail(failure);
                    } else if (Arrays.equals(r.got.array(), r.expected)) {
                        verified++;
                    } else {
                        fail("wrong-reply");
                    }
                }
                selector.selectedKeys().clear();
            }
            if (waiting > 0) failures.merge("no-reply-by-deadline", waiting, Integer::sum);
            for (SelectionKey k : selector.keys()) k.cancel();
            selector.selectNow();
        }
    }

    /**
     * Closes every connection. Abortive (a reset, SO_LINGER 0): a normal close would leave each client socket in
     * TIME_WAIT for a minute, keeping its source port bound, and the next run from the same addresses would find
     * the ports taken. The server sees a reset on each connection, which it must take calmly anyway.
     */
    void closeAll() {
        for (SocketChannel ch : open) {
            try {
                ch.setOption(StandardSocketOptions.SO_LINGER, 0);
                ch.close();
            } catch (IOException ignored) {
                // closing regardless
            }
        }
        open.clear();
    }

    /** This share's figures as one line, for a parent process to add up (see {@link #parse}). */
    String resultLine() {
        StringBuilder b = new StringBuilder("SHARE opened=").append(opened()).append(" open_ms=").append(openNanos / 1_000_000)
                .append(" verified=").append(verified);
        failures.forEach((k, v) -> b.append(" fail.").append(k).append('=').append(v));
        return b.toString();
    }

    /** Parses a {@link #resultLine} into its key=value pairs. */
    static Map<String, Long> parse(String line) {
        Map<String, Long> m = new TreeMap<>();
        for (String part : line.substring(line.indexOf(' ') + 1).split(" ")) {
            int eq = part.indexOf('=');
            if (eq > 0) m.put(part.substring(0, eq), Long.parseLong(part.substring(eq + 1)));
        }
        return m;
    }
}

package dev.polyserve.services.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.core.auth.HmacClient;
import dev.polyserve.core.auth.HmacKey;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** What {@code nc} does (shared with cli's multi-node tests through the test-jar): a raw socket, UTF-8 lines out, every received line kept in arrival order. */
public final class LineClient implements AutoCloseable {
    public static final Duration DEADLINE = Duration.ofSeconds(30);
    /** Marks the end of the server's stream in {@link #lines}. */
    public static final String EOF = "\u0000EOF";

    final Socket socket;
    final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final OutputStream out;
    private final Thread reader;

    LineClient(int port, HmacKey key, int receiveBuffer) throws IOException {
        this(port, key, receiveBuffer, null);
    }

    /** With {@code source} (a loopback address) as the client's own address, or null for the system's choice. */
    LineClient(int port, HmacKey key, int receiveBuffer, java.net.InetAddress source) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) socket.setReceiveBufferSize(receiveBuffer);
        if (source != null) socket.bind(new InetSocketAddress(source, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), (int) DEADLINE.toMillis());
        socket.setSoTimeout((int) DEADLINE.toMillis() * 2);
        if (key != null) HmacClient.answer(socket, key);
        out = socket.getOutputStream();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        reader = Thread.ofVirtual().start(() -> {
            try {
                for (String line; (line = in.readLine()) != null; ) lines.add(line);
            } catch (IOException closed) {
                // the test closed the socket, or the server reset it: either way the stream ended
            }
            lines.add(EOF);
        });
    }

    public LineClient(int port) throws IOException {
        this(port, null, 0);
    }

    /** Connects and joins as {@code name}, consuming everything up to the greeting. */
    public static LineClient join(int port, String name) throws IOException, InterruptedException {
        return join(new LineClient(port), name);
    }

    /** The same from {@code source}: a client the server's per-address log limits have not seen yet, say. */
    static LineClient joinFrom(java.net.InetAddress source, int port, String name) throws IOException, InterruptedException {
        return join(new LineClient(port, null, 0, source), name);
    }

    private static LineClient join(LineClient c, String name) throws InterruptedException, IOException {
        c.expect("* Welcome to polyserve chat");
        c.expect("* Your name?");
        c.send(name);
        c.expect("* Hello " + name + "!");
        return c;
    }

    public void send(String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next line, which must start with {@code prefix}. */
    public String expect(String prefix) throws InterruptedException {
        String line = next();
        assertThat(line).as("next line").startsWith(prefix);
        return line;
    }

    /** Skips lines until one matches; fails past the deadline or at end of stream. */
    public String await(Predicate<String> wanted, String what) throws InterruptedException {
        while (true) {
            String line = next();
            assertThat(line).as("stream ended waiting for " + what).isNotEqualTo(EOF);
            if (wanted.test(line)) return line;
        }
    }

    public String next() throws InterruptedException {
        String line = lines.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(line).as("a line within " + DEADLINE).isNotNull();
        return line;
    }

    /** True once the server closed the stream (lines before it are skipped). */
    public void awaitEof() throws InterruptedException {
        while (!next().equals(EOF)) {
            // skip what came before the end
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

package dev.polyserve.linux;

import dev.polyserve.core.Conn;
import dev.polyserve.core.Handler;
import dev.polyserve.core.Server;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Conn.sendFile of a file many times the socket buffers to a reader that takes it slowly, on every engine (the JDK
 * ones and the Linux ones): the socket fills again and again, the transfer stops at each short send and resumes
 * when the engine reports writability (issue #15: the flusher no longer asks again for the EAGAIN), and the bytes
 * arrive whole and in order. And a file that shrinks while it is sent ends the connection instead of leaving it
 * waiting, the edge-triggered engine included, where a send cut short by the file's end must not be taken for a
 * full socket (no edge would come).
 */
class SlowReaderSendFileTest {
    /** The slow reader's receive buffer: small, so the server's sends come back short many times. */
    private static final int RECEIVE_BUFFER = 16 * 1024;
    /** Bytes per read, and a pause after every {@link #PAUSE_EVERY} bytes: a reader slower than the server. */
    private static final int READ_SIZE = 1024;
    private static final int PAUSE_EVERY = 64 * 1024;
    private static final long PAUSE_NANOS = 1_000_000;
    /** How long the client waits for a byte: far past any pause, so only a stalled transfer reaches it. */
    private static final int READ_TIMEOUT_MS = 30_000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"iterative", "threads", "pool", "virtual", "nonblocking", "nio",
            "select", "poll", "epoll", "epoll-et", "uring"})
    void aBigFileReachesASlowReaderWhole(String model) throws Exception {
        assumeModel(model);
        int size = 8 << 20;
        byte[] content = random(size);
        Path file = Files.write(dir.resolve("big.bin"), content);
        try (Server server = start(model, file, size);
             Socket s = slowReader(server)) {
            byte[] got = readSlowly(s.getInputStream(), Integer.MAX_VALUE, null);
            assertThat(got.length).isEqualTo(size);
            assertThat(Arrays.equals(got, content)).as("bytes identical to the file's").isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"threads", "virtual", "nio", "poll", "epoll", "epoll-et", "uring"})
    void aFileThatShrinksWhileSentEndsTheConnection(String model) throws Exception {
        assumeModel(model);
        int size = 32 << 20;
        int shrunk = 12 << 20; // past what the socket buffers hold (tcp_wmem's 4 MiB cap + the reader's 16 KiB)
        byte[] content = random(size);
        Path file = Files.write(dir.resolve("shrinking.bin"), content);
        try (Server server = start(model, file, size);
             Socket s = slowReader(server)) {
            byte[] got = readSlowly(s.getInputStream(), PAUSE_EVERY, () -> {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.truncate(shrunk);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            // The connection ended (EOF or reset, not the read timeout) with at most the bytes the file still held.
            assertThat(got.length).isLessThanOrEqualTo(shrunk).isGreaterThanOrEqualTo(PAUSE_EVERY);
            assertThat(Arrays.equals(got, Arrays.copyOf(content, got.length))).as("a prefix of the file").isTrue();
        }
    }

    private static void assumeModel(String model) {
        if (model.equals("uring")) {
            var refused = LinuxEngineProvider.uringRefusal();
            assumeTrue(refused.isEmpty(), () -> refused.orElse(""));
        }
    }

    private static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    /** A server that sends the file's first {@code count} bytes to each connection, then closes it. */
    private static Server start(String model, Path file, long count) throws IOException {
        Handler sender = new Handler() {
            @Override
            public void onOpen(Conn c) {
                try {
                    c.sendFile(FileChannel.open(file), 0, count);
                    c.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public void onRead(Conn c, ByteBuffer in) {}
        };
        return Server.tcp(0).host("127.0.0.1").model(model).service(() -> sender).start();
    }

    private static Socket slowReader(Server server) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(RECEIVE_BUFFER); // before connecting: it sets the window the server sees
        s.setSoTimeout(READ_TIMEOUT_MS);
        s.connect(new InetSocketAddress("127.0.0.1", server.localAddress().getPort()));
        return s;
    }

    /**
     * Reads to the end in small reads, pausing every {@link #PAUSE_EVERY} bytes; runs {@code atMark} once after
     * {@code mark} bytes. A reset by the server ends the read like an EOF; a read timeout fails.
     */
    private static byte[] readSlowly(InputStream in, int mark, Runnable atMark) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[READ_SIZE];
        long nextPause = PAUSE_EVERY;
        boolean marked = false;
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                got.write(buf, 0, n);
                if (!marked && got.size() >= mark) {
                    marked = true;
                    if (atMark != null) atMark.run();
                }
                if (got.size() >= nextPause) {
                    nextPause += PAUSE_EVERY;
                    LockSupport.parkNanos(PAUSE_NANOS);
                }
            }
        } catch (SocketException reset) {
            // the server aborted the connection: what arrived before is the result (a read timeout is no
            // SocketException and fails the test)
        }
        return got.toByteArray();
    }
}

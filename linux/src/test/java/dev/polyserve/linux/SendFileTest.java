package dev.polyserve.linux;

import dev.polyserve.core.Conn;
import dev.polyserve.core.Handler;
import dev.polyserve.core.Server;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Conn.sendFile on every Linux engine: file bytes arrive intact and in order with the writes around them. */
class SendFileTest {
    /** Larger than any socket buffer, so the transfer must resume after the socket fills. */
    private static final int FILE_SIZE = 3 << 20;
    private static final int SKIP = 1000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"select", "poll", "epoll", "epoll-et", "uring"})
    void aFileRangeArrivesBetweenTheWritesAroundIt(String model) throws Exception {
        exchange(model, false);
    }

    /** A zip file system's FileChannel has no kernel descriptor: sendfile(2) cannot take it, read + send does. */
    @ParameterizedTest
    @ValueSource(strings = {"epoll", "uring"})
    void aChannelWithoutADescriptorIsSentByReadingIt(String model) throws Exception {
        exchange(model, true);
    }

    private void exchange(String model, boolean zipped) throws Exception {
        if (model.equals("uring")) {
            var refused = LinuxEngineProvider.uringRefusal();
            assumeTrue(refused.isEmpty(), () -> refused.orElse(""));
        }
        byte[] content = new byte[FILE_SIZE];
        new Random(42).nextBytes(content);
        Path file = Files.write(dir.resolve("blob.bin"), content);
        java.nio.file.FileSystem zip = null;
        if (zipped) {
            zip = java.nio.file.FileSystems.newFileSystem(dir.resolve("blob.zip"), java.util.Map.of("create", "true"));
            file = Files.write(zip.getPath("blob.bin"), content);
            try (FileChannel ch = FileChannel.open(file)) {
                assertThat(FileDescriptors.of(ch)).isEmpty();
            }
        }
        Path source = file;
        Handler sender = new Handler() {
            @Override
            public void onOpen(Conn c) {
                try {
                    c.write(ByteBuffer.wrap("head\n".getBytes(StandardCharsets.US_ASCII)));
                    c.sendFile(FileChannel.open(source), SKIP, FILE_SIZE - SKIP);
                    c.write(ByteBuffer.wrap("tail\n".getBytes(StandardCharsets.US_ASCII)));
                    c.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public void onRead(Conn c, ByteBuffer in) {}
        };
        try (Server server = Server.tcp(0).host("127.0.0.1").model(model).service(() -> sender).start();
             Socket s = new Socket("127.0.0.1", server.localAddress().getPort())) {
            s.setSoTimeout(30_000);
            byte[] got = s.getInputStream().readAllBytes();
            byte[] want = new byte[5 + FILE_SIZE - SKIP + 5];
            System.arraycopy("head\n".getBytes(StandardCharsets.US_ASCII), 0, want, 0, 5);
            System.arraycopy(content, SKIP, want, 5, FILE_SIZE - SKIP);
            System.arraycopy("tail\n".getBytes(StandardCharsets.US_ASCII), 0, want, want.length - 5, 5);
            assertThat(got.length).isEqualTo(want.length);
            assertThat(Arrays.equals(got, want)).isTrue();
        } finally {
            if (zip != null) zip.close();
        }
    }
}

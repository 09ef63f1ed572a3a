package dev.polyserve.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.core.Conn;
import dev.polyserve.core.Handler;
import dev.polyserve.core.Server;
import dev.polyserve.core.Service;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Regression: on the blocking models, file transfers to clients that are not reading yet must not stall other
 * connections. (Virtual writer threads doing a blocking sendfile on platform-owned sockets once pinned every
 * carrier, and nothing else ran: FTP under 200 clients hung on {@code threads} and {@code pool}.)
 */
class BlockingSendFileTest {
    static final int FILE_SIZE = 8 << 20;

    @ParameterizedTest
    @ValueSource(strings = {"threads", "pool", "virtual"})
    void fileTransfersToSlowReadersDoNotStallOthers(String model, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("big.bin");
        byte[] content = new byte[FILE_SIZE];
        content[FILE_SIZE - 1] = 7;
        Files.write(file, content);
        // 'F' asks for the file; anything else is echoed.
        Service service = () -> (Conn c, ByteBuffer in) -> {
            if (in.get(in.position()) == 'F') {
                try {
                    c.sendFile(FileChannel.open(file), 0, FILE_SIZE);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                in.position(in.limit());
            } else {
                c.write(ByteBuffer.allocate(in.remaining()).put(in).flip());
            }
        };
        int slow = 2 * Runtime.getRuntime().availableProcessors() + 2; // more than there are carrier threads
        try (Server server = Server.tcp(0).model(model).service(service).start()) {
            int port = server.localAddress().getPort();
            List<Socket> slowReaders = new ArrayList<>();
            try {
                for (int i = 0; i < slow; i++) {
                    Socket s = new Socket("127.0.0.1", port);
                    s.setSoTimeout(60_000);
                    s.getOutputStream().write('F');
                    slowReaders.add(s);
                }
                try (Socket other = new Socket("127.0.0.1", port)) {
                    other.setSoTimeout(60_000);
                    other.getOutputStream().write("ping".getBytes());
                    assertThat(new String(new DataInputStream(other.getInputStream()).readNBytes(4)))
                            .as("echo while %d file transfers wait for their readers", slow).isEqualTo("ping");
                }
                for (Socket s : slowReaders) {
                    byte[] got = new DataInputStream(s.getInputStream()).readNBytes(FILE_SIZE);
                    assertThat(got.length).isEqualTo(FILE_SIZE);
                    assertThat(got[FILE_SIZE - 1]).isEqualTo((byte) 7);
                }
            } finally {
                for (Socket s : slowReaders) {
                    s.close();
                }
            }
        }
    }
}

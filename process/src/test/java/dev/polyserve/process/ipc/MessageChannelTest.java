package dev.polyserve.process.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MessageChannelTest {
    @TempDir Path dir;

    @Test
    void messagesRoundTripThroughAChildProcessUnchanged() throws Exception {
        Path sock = dir.resolve("m.sock");
        Random rnd = new Random(42);
        List<byte[]> sent = new ArrayList<>();
        for (int size : new int[] {0, 1, 3, 4, 5, 100, 65_535, 65_536, 65_537, 1 << 20}) {
            byte[] m = new byte[size];
            rnd.nextBytes(m);
            sent.add(m);
        }
        try (MessageListener listener = MessageListener.bind(sock); Children children = new Children()) {
            children.start(EchoChild.class, sock.toString());
            try (MessageChannel ch = listener.accept()) {
                for (byte[] m : sent) ch.send(m); // all first, so frames glue in the socket buffer
                for (byte[] m : sent) assertThat(ch.receive()).hasValueSatisfying(got -> assertThat(got).isEqualTo(m));
                ch.send("héllo");
                assertThat(ch.receiveText()).contains("héllo");
            } // closing makes the child see EOF and exit 0
            children.awaitAllSucceeded();
        }
        assertThat(sock).doesNotExist();
    }

    @Test
    void framesSplitAtEveryByteOrGluedTogetherArriveWhole() throws Exception {
        Path sock = dir.resolve("s.sock");
        byte[] a = "first".getBytes();
        byte[] b = new byte[0];
        byte[] c = "third message".getBytes();
        ByteBuffer wire = ByteBuffer.allocate(64);
        for (byte[] m : List.of(a, b, c)) wire.put(FrameDecoder.encode(m));
        wire.flip();
        try (MessageListener listener = MessageListener.bind(sock);
             SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            raw.connect(UnixDomainSocketAddress.of(sock));
            try (MessageChannel ch = listener.accept()) {
                // split: one byte per write for the first frame and a half
                int splitUntil = 4 + a.length + 2;
                for (int i = 0; i < splitUntil; i++) raw.write(ByteBuffer.wrap(new byte[] {wire.get()}));
                assertThat(ch.receive()).hasValue(a);
                raw.write(wire); // glued: the rest of frame two and all of frame three at once
                assertThat(ch.receive()).hasValue(b);
                assertThat(ch.receive()).hasValue(c);
                raw.shutdownOutput();
                assertThat(ch.receive()).as("clean end between messages").isEmpty();
            }
        }
    }

    @Test
    void anEndInsideAMessageIsAnErrorNotASilentTruncation() throws Exception {
        Path sock = dir.resolve("t.sock");
        try (MessageListener listener = MessageListener.bind(sock);
             SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            raw.connect(UnixDomainSocketAddress.of(sock));
            try (MessageChannel ch = listener.accept()) {
                raw.write(ByteBuffer.allocate(6).putInt(10).put((byte) 1).put((byte) 2).flip());
                raw.shutdownOutput();
                assertThatThrownBy(ch::receive).isInstanceOf(EOFException.class);
            }
        }
    }

    @Test
    void anOversizedLengthIsRefusedAndTheChannelClosed() throws Exception {
        Path sock = dir.resolve("o.sock");
        try (MessageListener listener = MessageListener.bind(sock);
             SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            raw.connect(UnixDomainSocketAddress.of(sock));
            try (MessageChannel ch = listener.accept()) {
                raw.write(ByteBuffer.allocate(4).putInt(MessageChannel.MAX_MESSAGE_BYTES + 1).flip());
                assertThatThrownBy(ch::receive).isInstanceOf(FrameTooLargeException.class)
                        .hasMessageContaining("exceeds the limit");
                assertThat(ch.isOpen()).isFalse();
                assertThatThrownBy(() -> ch.send(new byte[MessageChannel.MAX_MESSAGE_BYTES + 1]))
                        .isInstanceOf(IllegalArgumentException.class);
            }
        }
    }

    @Test
    void aStaleSocketFileFromACrashedRunIsReplaced() throws Exception {
        Path sock = dir.resolve("stale.sock");
        MessageListener crashed = MessageListener.bind(sock);
        // Simulate a crash: the socket closes but its file stays behind.
        var field = MessageListener.class.getDeclaredField("server");
        field.setAccessible(true);
        ((java.nio.channels.ServerSocketChannel) field.get(crashed)).close();
        assertThat(Files.exists(sock)).isTrue();
        try (MessageListener fresh = MessageListener.bind(sock);
             MessageChannel client = MessageChannel.connect(sock);
             MessageChannel server = fresh.accept()) {
            client.send("ok");
            assertThat(server.receiveText()).contains("ok");
        }
    }

    @Test
    void manyThreadsSendingNeverInterleaveMessages() throws Exception {
        Path sock = dir.resolve("mt.sock");
        int threads = 8, each = 200;
        try (MessageListener listener = MessageListener.bind(sock);
             MessageChannel client = MessageChannel.connect(sock);
             MessageChannel server = listener.accept()) {
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                byte fill = (byte) t;
                ts.add(Thread.ofVirtual().start(() -> {
                    byte[] m = new byte[3000];
                    java.util.Arrays.fill(m, fill);
                    try {
                        for (int i = 0; i < each; i++) client.send(m);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            int[] counts = new int[threads];
            for (int i = 0; i < threads * each; i++) {
                byte[] m = server.receive().orElseThrow();
                assertThat(m).hasSize(3000);
                for (byte x : m) assertThat(x).isEqualTo(m[0]);
                counts[m[0]]++;
            }
            for (Thread t : ts) t.join();
            assertThat(counts).containsOnly(each);
        }
    }
}

package dev.polyserve.core.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class UdpServerTest {
    private static final DatagramService ECHO = (d, from) -> ByteBuffer.allocate(d.remaining()).put(d).flip();

    @ParameterizedTest
    @ValueSource(strings = {"iterative", "threads"})
    void echoesEveryDatagramToItsSender(String model) throws IOException {
        try (UdpServer server = UdpServer.start(new InetSocketAddress("127.0.0.1", 0), model, ECHO);
                DatagramSocket client = new DatagramSocket()) {
            client.setSoTimeout(10_000);
            Set<String> sent = new HashSet<>();
            for (int i = 0; i < 50; i++) {
                String msg = "datagram " + i;
                sent.add(msg);
                byte[] b = msg.getBytes(StandardCharsets.US_ASCII);
                client.send(new DatagramPacket(b, b.length, server.localAddress()));
            }
            Set<String> received = new HashSet<>();
            for (int i = 0; i < 50; i++) {
                DatagramPacket p = new DatagramPacket(new byte[1500], 1500);
                client.receive(p);
                received.add(new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII));
            }
            assertThat(received).isEqualTo(sent);
        }
    }

    @Test
    void aMaximumSizeDatagramIsEchoedWhole() throws IOException {
        try (UdpServer server = UdpServer.start(new InetSocketAddress("127.0.0.1", 0), "iterative", ECHO);
                DatagramSocket client = new DatagramSocket()) {
            client.setSoTimeout(10_000);
            byte[] big = new byte[UdpServer.MAX_DATAGRAM];
            big[big.length - 1] = 42;
            client.send(new DatagramPacket(big, big.length, server.localAddress()));
            DatagramPacket p = new DatagramPacket(new byte[70_000], 70_000);
            client.receive(p);
            assertThat(p.getLength()).isEqualTo(UdpServer.MAX_DATAGRAM);
            assertThat(p.getData()[UdpServer.MAX_DATAGRAM - 1]).isEqualTo((byte) 42);
        }
    }

    @Test
    void aDatagramOverTheLimitIsRefusedWithAnError() throws IOException {
        // IPv4 cannot even carry one; IPv6 can carry up to 65,527 bytes, so the server must refuse it itself.
        InetAddress v6;
        try {
            v6 = InetAddress.getByName("::1");
            new DatagramSocket(new InetSocketAddress(v6, 0)).close();
        } catch (IOException e) {
            assumeTrue(false, "no IPv6 loopback here: " + e.getMessage());
            return;
        }
        try (UdpServer server = UdpServer.start(new InetSocketAddress(v6, 0), "threads", ECHO);
                DatagramSocket client = new DatagramSocket(new InetSocketAddress(v6, 0))) {
            client.setSoTimeout(10_000);
            byte[] tooBig = new byte[UdpServer.MAX_DATAGRAM + 10];
            client.send(new DatagramPacket(tooBig, tooBig.length, server.localAddress()));
            DatagramPacket p = new DatagramPacket(new byte[70_000], 70_000);
            client.receive(p);
            assertThat(new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII))
                    .isEqualTo("error: datagram larger than 65507 bytes refused\n");
            server.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void onlyTheDatagramModelsAreAccepted() {
        assertThatThrownBy(() -> UdpServer.start(new InetSocketAddress("127.0.0.1", 0), "nio", ECHO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("iterative");
    }
}

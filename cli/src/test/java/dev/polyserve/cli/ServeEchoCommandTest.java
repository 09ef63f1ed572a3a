package dev.polyserve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code polyserve serve echo} as a user runs it: one line on stdout, echoes, SIGTERM exits 0. */
class ServeEchoCommandTest {

    @ParameterizedTest
    @ValueSource(strings = {"iterative", "threads", "pool", "virtual", "nonblocking", "nio"})
    void servesAnnouncesAndStopsCleanly(String model) throws Exception {
        try (PolyserveProcess p = PolyserveProcess.start("serve", "echo", "--model", model, "--port", "0", "--upper")) {
            String line = p.awaitListening();
            assertThat(line).matches("listening on 127\\.0\\.0\\.1:\\d+ \\(service=echo, model=" + model + ", transport=tcp\\)");
            try (Socket s = new Socket("127.0.0.1", PolyserveProcess.port(line))) {
                s.getOutputStream().write("hello, world\n".getBytes(StandardCharsets.US_ASCII));
                byte[] back = new DataInputStream(s.getInputStream()).readNBytes(13);
                assertThat(new String(back, StandardCharsets.US_ASCII)).isEqualTo("HELLO, WORLD\n");
            }
            assertThat(p.terminate()).as("exit code after SIGTERM").isZero();
            assertThat(p.remainingStdout()).as("nothing else on stdout").isEmpty();
        }
    }

    @Test
    void udpEchoAnswersDatagrams() throws Exception {
        try (PolyserveProcess p = PolyserveProcess.start("serve", "echo", "--udp", "--port", "0");
                DatagramSocket socket = new DatagramSocket()) {
            String line = p.awaitListening();
            assertThat(line).endsWith("(service=echo, model=threads, transport=udp)");
            byte[] msg = "ping".getBytes(StandardCharsets.US_ASCII);
            socket.setSoTimeout(10_000);
            socket.send(new DatagramPacket(msg, msg.length, InetAddress.getLoopbackAddress(), PolyserveProcess.port(line)));
            DatagramPacket reply = new DatagramPacket(new byte[100], 100);
            socket.receive(reply);
            assertThat(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII)).isEqualTo("ping");
            assertThat(p.terminate()).isZero();
        }
    }

    @Test
    void unknownModelIsAClearUsageError() throws Exception {
        try (PolyserveProcess p = PolyserveProcess.start("serve", "echo", "--model", "no-such-model", "--port", "0")) {
            assertThat(p.process.waitFor()).isEqualTo(2);
            assertThat(p.remainingStdout()).isEmpty();
        }
    }
}

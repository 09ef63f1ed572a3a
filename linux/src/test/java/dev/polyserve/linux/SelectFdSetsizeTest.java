package dev.polyserve.linux;

import dev.polyserve.core.Handler;
import dev.polyserve.core.Server;
import dev.polyserve.core.Service;
import dev.polyserve.core.TestHandlers;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The course's "select supports 1024 connections", made visible: with more than 1024 descriptors open, a
 * connection whose descriptor lands at or above FD_SETSIZE is refused with a log line naming the limit, while
 * the connections below it keep being served.
 */
class SelectFdSetsizeTest {
    /** Descriptors to hold open so the next accepted socket's number is past FD_SETSIZE. */
    private static final int PAST_LIMIT = FdSet.FD_SETSIZE + 8;

    @Test
    void aConnectionPastFdSetsizeIsRefusedWithTheLimitNamedWhileOthersAreServed() throws Exception {
        Service echo = new Service() {
            @Override
            public Handler newHandler() {
                return TestHandlers.echo().newHandler();
            }

            @Override
            public byte[] refusal() {
                return "busy\n".getBytes(StandardCharsets.US_ASCII);
            }
        };
        List<FileChannel> filler = new ArrayList<>();
        PrintStream originalErr = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Server server = Server.tcp(0).host("127.0.0.1").model("select").workers(1).service(echo).start();
             Socket served = client(server)) {
            assertThat(roundTrip(served, "below the limit\n")).isEqualTo("below the limit\n");

            while (true) {
                FileChannel ch = FileChannel.open(Path.of("/dev/null"));
                filler.add(ch);
                if (FileDescriptors.of(ch).orElseThrow() >= PAST_LIMIT) break;
            }
            assertThat(dev.polyserve.core.ProcessResources.openFileDescriptors()).isGreaterThan(FdSet.FD_SETSIZE);

            System.setErr(new PrintStream(new TeeStream(originalErr, log), true, StandardCharsets.UTF_8));
            try (Socket refused = client(server)) {
                assertThat(new String(refused.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo("busy\n");
            } finally {
                System.setErr(originalErr);
            }
            assertThat(server.stats().refused()).isEqualTo(1);
            assertThat(log.toString(StandardCharsets.UTF_8))
                    .contains("select: refused connection from")
                    .contains("at or above select's FD_SETSIZE limit of 1024");

            assertThat(roundTrip(served, "still served\n")).isEqualTo("still served\n");
            closeAll(filler);
            try (Socket later = client(server)) {
                assertThat(roundTrip(later, "room again\n")).isEqualTo("room again\n");
            }
        } finally {
            System.setErr(originalErr);
            closeAll(filler);
        }
    }

    private static Socket client(Server server) throws IOException {
        Socket s = new Socket("127.0.0.1", server.localAddress().getPort());
        s.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
        return s;
    }

    private static String roundTrip(Socket s, String line) throws IOException {
        byte[] out = line.getBytes(StandardCharsets.US_ASCII);
        s.getOutputStream().write(out);
        return new String(s.getInputStream().readNBytes(out.length), StandardCharsets.US_ASCII);
    }

    private static void closeAll(List<FileChannel> channels) throws IOException {
        for (FileChannel c : channels) c.close();
        channels.clear();
    }

    /** Copies what the server logs to stderr into a buffer the test reads, and still to the console. */
    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws IOException {
            a.write(c);
            synchronized (b) {
                b.write(c);
            }
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            synchronized (b) {
                b.write(buf, off, len);
            }
        }
    }
}

package dev.polyserve.linux;

import dev.polyserve.core.Server;
import dev.polyserve.core.TestHandlers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * When accept fails because the process is out of descriptors (EMFILE), the loop refuses the waiting client through
 * the engine's spare descriptor (it is closed, not left in the listen queue), says so in the log, and serves new
 * clients again once descriptors are free.
 */
@SuppressWarnings("restricted") // the tests call and inspect native memory directly
class AcceptOutOfDescriptorsTest {
    private static final int RLIMIT_NOFILE = 7;
    private static final MethodHandle GETRLIMIT = fn("getrlimit");
    private static final MethodHandle SETRLIMIT = fn("setrlimit");

    private static MethodHandle fn(String name) {
        Linker l = Linker.nativeLinker();
        return l.downcallHandle(l.defaultLookup().find(name).orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }

    /**
     * Readiness loops only: an io_uring accept takes the descriptor limit when it is submitted, so lowering the
     * limit afterwards does not reach it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"epoll", "poll"})
    void aLoopOutOfDescriptorsRefusesTheWaitingClientAndAcceptsAgainLater(String model) throws Throwable {
        // While no descriptor can be opened, no class file can be read either: load the failure path's classes now.
        assertThat(new ErrnoException("accept4", Errno.EMFILE).getMessage()).contains("EMFILE");
        PrintStream originalErr = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Server server = Server.tcp(0).host("127.0.0.1").model(model).workers(1).service(TestHandlers.echo()).start();
             Arena arena = Arena.ofConfined();
             Socket client = new Socket()) {
            client.setSoTimeout(30_000); // creates the client's descriptor now, before the limit drops
            try (Socket warm = new Socket("127.0.0.1", server.localAddress().getPort())) {
                warm.getOutputStream().write('w');
                assertThat(warm.getInputStream().read()).isEqualTo('w');
            }
            // The server closes its side of the warm-up connection when it reads the EOF, on its own loop. Until then
            // that socket's descriptor is open; closed after the limit drops, it would free a slot below the limit,
            // and the client would be accepted into it instead of refused. (This wait also loads Await's class file
            // now: loaded while the loop lends its spare, it would take the lent slot.)
            dev.polyserve.core.Await.until(java.time.Duration.ofSeconds(10), "the server to close the warm-up connection",
                    () -> server.stats().open() == 0);
            MemorySegment saved = arena.allocate(16, 8);
            assertThat((int) GETRLIMIT.invokeExact(RLIMIT_NOFILE, saved)).isZero();
            MemorySegment tight = arena.allocate(16, 8);
            tight.set(JAVA_LONG, 0, lowestFreeDescriptor()); // soft limit: no new descriptor can be made
            tight.set(JAVA_LONG, 8, saved.get(JAVA_LONG, 8));
            System.setErr(new PrintStream(new Tee(originalErr, log), true, StandardCharsets.UTF_8));
            try {
                assertThat((int) SETRLIMIT.invokeExact(RLIMIT_NOFILE, tight)).isZero();
                List<FileChannel> holes = new ArrayList<>();
                try {
                    fillEveryFreeDescriptor(holes);
                    client.connect(new InetSocketAddress("127.0.0.1", server.localAddress().getPort()), 10_000);
                    dev.polyserve.core.Await.until(java.time.Duration.ofSeconds(10), "the refusal to be logged",
                            () -> log.toString(StandardCharsets.UTF_8).contains("refused connection"));
                } finally {
                    assertThat((int) SETRLIMIT.invokeExact(RLIMIT_NOFILE, saved)).isZero();
                    for (FileChannel h : holes) h.close();
                }
            } finally {
                System.setErr(originalErr);
            }
            assertThat(log.toString(StandardCharsets.UTF_8)).contains("EMFILE (Too many open files)");
            assertThat(client.getInputStream().read()).as("the refused client is closed (echo sends no refusal)").isEqualTo(-1);
            // The loop may still be inside its shortage handling when the limit comes back, and its spare accept then
            // takes the next client and refuses it, as it should while out of descriptors: such a client tries again.
            dev.polyserve.core.Await.until(java.time.Duration.ofSeconds(10), "a new client to be served again",
                    () -> echoes(server.localAddress().getPort()));
        } finally {
            System.setErr(originalErr);
        }
    }

    /** Whether a new client gets its line echoed (false if it was refused: closed without an answer). */
    private static boolean echoes(int port) {
        try (Socket after = new Socket("127.0.0.1", port)) {
            after.setSoTimeout(30_000);
            after.getOutputStream().write("after\n".getBytes(StandardCharsets.US_ASCII));
            return new String(after.getInputStream().readNBytes(6), StandardCharsets.US_ASCII).equals("after\n");
        } catch (java.net.SocketException refusedWithReset) {
            return false;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Takes any descriptor still free below the limit (listing /proc/self/fd briefly used one itself). */
    private static void fillEveryFreeDescriptor(List<FileChannel> holes) {
        while (true) {
            try {
                holes.add(FileChannel.open(Path.of("/dev/null")));
            } catch (IOException tooMany) {
                return;
            }
        }
    }

    private static long lowestFreeDescriptor() {
        Set<Integer> used = Arrays.stream(new File("/proc/self/fd").list()).map(Integer::parseInt).collect(Collectors.toSet());
        int fd = 0;
        while (used.contains(fd)) fd++;
        return fd;
    }

    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final ByteArrayOutputStream b;

        Tee(OutputStream a, ByteArrayOutputStream b) {
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

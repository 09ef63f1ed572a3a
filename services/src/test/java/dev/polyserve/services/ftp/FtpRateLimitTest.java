package dev.polyserve.services.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.core.Engines;
import dev.polyserve.core.tls.TestTls;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPSClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bandwidth limits through Commons Net on real loopback sockets. Each transfer must be byte-identical and must take at
 * least {@code (size - burst - one chunk) / rate}: a lower bound the limit guarantees however loaded the machine is
 * (an unlimited loopback transfer of these sizes takes milliseconds, so the bound fails without the limit). How close
 * to the rate a transfer gets is measured in bench/ftp, not here.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FtpRateLimitTest {
    private static final long RATE = 256 * 1024;
    private static final int SIZE = 1 << 20;
    /** The most one engine read hands an upload at once (the nio and native engines' read buffer). */
    private static final long MAX_READ = 64 * 1024;

    @TempDir
    Path dir;

    static Stream<String> models() {
        return Stream.of("virtual", "nio", "epoll").filter(Engines.availableNames()::contains);
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** The least time {@code bytes} may take under {@code rate}: the burst and one chunk move ahead of the rate. */
    private static long floorNanos(long bytes, long rate, long chunk) {
        long burst = new TokenBucket(rate, () -> 0).burst();
        return (long) ((bytes - burst - chunk) * 1e9 / rate);
    }

    @ParameterizedTest
    @MethodSource("models")
    void aLimitedDownloadIsExactAndPaced(String model) throws Exception {
        try (FtpTestServer s = new FtpTestServer(model, dir, c -> c.withRates(new TransferRates(RATE, 0, 0, 0)), b -> b)) {
            byte[] data = randomBytes(SIZE, 1);
            Files.write(s.root.resolve("big.bin"), data);
            FTPClient c = s.client(true);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            long t0 = System.nanoTime();
            assertThat(c.retrieveFile("big.bin", got)).as(c.getReplyString()).isTrue();
            long took = System.nanoTime() - t0;
            assertThat(got.toByteArray()).isEqualTo(data);
            assertThat(took).as("paced by the limit").isGreaterThanOrEqualTo(floorNanos(SIZE, RATE, new Throttle(new TokenBucket(RATE), null).chunk()));
            // A listing is not limited, and the next download starts with a fresh burst of the same session's bucket.
            assertThat(c.listNames()).contains("big.bin");
            c.logout();
            c.disconnect();
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void aLimitedUploadIsExactAndPaced(String model) throws Exception {
        try (FtpTestServer s = new FtpTestServer(model, dir, c -> c.withRates(new TransferRates(0, RATE, 0, 0)), b -> b)) {
            byte[] data = randomBytes(SIZE, 2);
            FTPClient c = s.client(true);
            long t0 = System.nanoTime();
            assertThat(c.storeFile("up.bin", new ByteArrayInputStream(data))).as(c.getReplyString()).isTrue();
            long took = System.nanoTime() - t0;
            assertThat(Files.readAllBytes(s.root.resolve("up.bin"))).isEqualTo(data);
            assertThat(took).as("paced by the limit").isGreaterThanOrEqualTo(floorNanos(SIZE, RATE, MAX_READ));
            c.logout();
            c.disconnect();
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void twoSessionsShareTheServersTotal(String model) throws Exception {
        int each = SIZE / 2;
        try (FtpTestServer s = new FtpTestServer(model, dir, c -> c.withRates(new TransferRates(0, 0, RATE, 0)), b -> b)) {
            byte[] data = randomBytes(each, 3);
            Files.write(s.root.resolve("half.bin"), data);
            FTPClient a = s.client(true);
            FTPClient b = s.client(true);
            long t0 = System.nanoTime();
            CompletableFuture<byte[]> first = CompletableFuture.supplyAsync(() -> fetch(a, "half.bin"));
            CompletableFuture<byte[]> second = CompletableFuture.supplyAsync(() -> fetch(b, "half.bin"));
            assertThat(first.get(2, TimeUnit.MINUTES)).isEqualTo(data);
            assertThat(second.get(2, TimeUnit.MINUTES)).isEqualTo(data);
            long took = System.nanoTime() - t0;
            long chunk = new Throttle(null, new TokenBucket(RATE)).chunk();
            assertThat(took).as("both together paced by the total").isGreaterThanOrEqualTo(floorNanos(2L * each, RATE, 2 * chunk));
            a.disconnect();
            b.disconnect();
        }
    }

    @Test
    void activeModeTransfersAreLimitedToo() throws Exception {
        try (FtpTestServer s = new FtpTestServer("nio", dir, c -> c.withRates(new TransferRates(RATE, RATE, 0, 0)), b -> b)) {
            byte[] data = randomBytes(SIZE / 2, 4);
            FTPClient c = s.client(true);
            c.enterLocalActiveMode();
            long t0 = System.nanoTime();
            assertThat(c.storeFile("act.bin", new ByteArrayInputStream(data))).as(c.getReplyString()).isTrue();
            long up = System.nanoTime() - t0;
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            t0 = System.nanoTime();
            assertThat(c.retrieveFile("act.bin", got)).as(c.getReplyString()).isTrue();
            long down = System.nanoTime() - t0;
            assertThat(got.toByteArray()).isEqualTo(data);
            long chunk = new Throttle(new TokenBucket(RATE), null).chunk();
            assertThat(up).as("upload paced").isGreaterThanOrEqualTo(floorNanos(data.length, RATE, chunk));
            assertThat(down).as("download paced").isGreaterThanOrEqualTo(floorNanos(data.length, RATE, chunk));
            c.logout();
            c.disconnect();
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void protectedTransfersAreLimitedToo(String model) throws Exception {
        FtpTls tls = FtpTls.of(TestTls.server(), true, true);
        try (FtpTestServer s = new FtpTestServer(model, dir, c -> c.withRates(new TransferRates(RATE, RATE, 0, 0)), b -> b, tls,
                FtpServer.NO_IMPLICIT_PORT)) {
            byte[] data = randomBytes(SIZE / 2, 5);
            FTPSClient c = FtpsClients.loggedIn(FtpsClients.reusing(false), s.port());
            long t0 = System.nanoTime();
            assertThat(c.storeFile("tls.bin", new ByteArrayInputStream(data))).as(c.getReplyString()).isTrue();
            long up = System.nanoTime() - t0;
            t0 = System.nanoTime();
            assertThat(fetch(c, "tls.bin")).isEqualTo(data);
            long down = System.nanoTime() - t0;
            assertThat(Files.readAllBytes(s.root.resolve("tls.bin"))).isEqualTo(data);
            long chunk = new Throttle(new TokenBucket(RATE), null).chunk();
            // Decrypted TLS records reach the upload whole: up to 16 KiB past one engine read.
            assertThat(up).as("upload paced").isGreaterThanOrEqualTo(floorNanos(data.length, RATE, MAX_READ + 16 * 1024));
            assertThat(down).as("download paced").isGreaterThanOrEqualTo(floorNanos(data.length, RATE, chunk));
            c.logout();
            c.disconnect();
        }
    }

    private static byte[] fetch(FTPClient c, String name) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!c.retrieveFile(name, out)) throw new IllegalStateException(c.getReplyString());
            return out.toByteArray();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

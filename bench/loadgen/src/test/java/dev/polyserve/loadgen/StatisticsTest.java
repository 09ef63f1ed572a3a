package dev.polyserve.loadgen;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The load generator's arithmetic without sockets: message framing, percentiles, rates, the summary line. */
class StatisticsTest {
    private static final InetSocketAddress TARGET = new InetSocketAddress("127.0.0.1", 7000);

    @Test
    void echoedBytesCompleteMessagesInOrderWhateverTheFragmentation() {
        int size = 10;
        ByteBuffer window = EchoLoad.payloadWindow(size);
        EchoSession session = new EchoSession(null, window.duplicate(), size, 4);
        // Stamp four messages 100, 200, 300, 400 without a socket: queue them as already written.
        List<Long> completed = new ArrayList<>();
        for (long t = 100; t <= 400; t += 100) session.queue(1, t);

        byte[] echo = new byte[4 * size];
        window.duplicate().get(echo);
        int[] cuts = {3, 7, 1, 19, 10};   // fragments of 3, 7, 1, 19 and 10 bytes = 40
        int at = 0, done = 0;
        for (int cut : cuts) {
            done += session.receive(ByteBuffer.wrap(echo, at, cut), completed::add);
            assertThat(session.servedInWindow()).isEqualTo(!completed.isEmpty());
            at += cut;
        }

        assertThat(done).isEqualTo(4);
        assertThat(completed).containsExactly(100L, 200L, 300L, 400L);
        assertThat(session.outstanding()).isZero();
        assertThat(session.failure()).isEqualTo(EchoSession.Failure.NONE);
    }

    @Test
    void aDifferentByteOrAnUnaskedByteIsCorrupt() {
        int size = 8;
        ByteBuffer window = EchoLoad.payloadWindow(size);
        EchoSession wrong = new EchoSession(null, window.duplicate(), size, 1);
        wrong.queue(1, 1);
        byte[] echo = new byte[size];
        window.duplicate().get(echo);
        echo[5] ^= 1;
        assertThat(wrong.receive(ByteBuffer.wrap(echo), t -> true)).isZero();
        assertThat(wrong.failure()).isEqualTo(EchoSession.Failure.CORRUPT);

        EchoSession unasked = new EchoSession(null, window.duplicate(), size, 1);
        assertThat(unasked.receive(ByteBuffer.wrap(new byte[] {'0'}), t -> true)).isZero();
        assertThat(unasked.failure()).isEqualTo(EchoSession.Failure.CORRUPT);
    }

    @Test
    void thePayloadIsWholeMessagesEndingInNewlines() {
        ByteBuffer window = EchoLoad.payloadWindow(64);
        assertThat(window.capacity() % 64).isZero();
        assertThat(window.capacity()).isGreaterThanOrEqualTo(2 * 64);
        for (int end = 63; end < window.capacity(); end += 64) assertThat(window.get(end)).isEqualTo((byte) '\n');
        String first = StandardCharsets.US_ASCII.decode(window.duplicate().limit(63)).toString();
        assertThat(first).startsWith("0123456789ABCDEF").isEqualTo(first.toUpperCase());

        assertThat(EchoLoad.payloadWindow(1_000_000).capacity()).isEqualTo(2_000_000);
    }

    @Test
    void percentilesComeFromTheHistogram() {
        Histogram histogram = new Histogram(1, ClientLoop.HISTOGRAM_MAX_NANOS, ClientLoop.HISTOGRAM_DIGITS);
        for (long micros = 1; micros <= 1000; micros++) histogram.recordValue(micros * 1000);

        LatencySummary latency = LatencySummary.of(histogram);

        assertThat(latency.count()).isEqualTo(1000);
        assertThat((double) latency.p50()).isCloseTo(500_000, within(500.0));
        assertThat((double) latency.p99()).isCloseTo(990_000, within(1000.0));
        assertThat((double) latency.p999()).isCloseTo(999_000, within(1000.0));
        assertThat((double) latency.max()).isCloseTo(1_000_000, within(1000.0));
        assertThat(latency.mean()).isCloseTo(500_500, within(500.0));
        assertThat(LatencySummary.of(new Histogram(3))).isEqualTo(new LatencySummary(0, 0, 0, 0, 0, 0, 0));
    }

    @Test
    void ratesAndWorkPerServerCpuSecond() {
        EchoLoadSpec spec = EchoLoadSpec.of(TARGET, 100, 64, Duration.ofSeconds(5)).withServerPid(4242);
        EchoLoadResult result = result(spec, 1_000_000, 5.0, OptionalDouble.of(2.5));

        assertThat(result.messagesPerSecond()).isEqualTo(200_000.0);
        assertThat(result.megabytesPerSecond()).isEqualTo(12.8);
        assertThat(result.messagesPerServerCpuSecond()).hasValue(400_000.0);
        assertThat(result(spec, 10, 5.0, OptionalDouble.of(0)).messagesPerServerCpuSecond()).isEmpty();
        assertThat(result(spec, 10, 5.0, OptionalDouble.empty()).messagesPerServerCpuSecond()).isEmpty();
    }

    @Test
    void theSummaryLineIsKeyValuePairsScriptsCanParse() {
        EchoLoadSpec spec = EchoLoadSpec.of(TARGET, 100, 64, Duration.ofSeconds(5)).withServerPid(4242);
        String line = result(spec, 1_000_000, 5.0, OptionalDouble.of(2.5)).summaryLine();

        assertThat(line).startsWith("RESULT ").doesNotContain("\n");
        Map<String, String> fields = Arrays.stream(line.substring("RESULT ".length()).split(" "))
                .map(kv -> kv.split("=", 2)).collect(Collectors.toMap(kv -> kv[0], kv -> kv[1]));
        assertThat(fields).containsEntry("target", "127.0.0.1:7000").containsEntry("connections", "100")
                .containsEntry("connected", "100").containsEntry("served", "100").containsEntry("size", "64").containsEntry("msgs", "1000000")
                .containsEntry("msgs_per_s", "200000.0").containsEntry("mb_per_s", "12.800")
                .containsEntry("p50_us", "50.0").containsEntry("p99_us", "120.0").containsEntry("p999_us", "900.0")
                .containsEntry("errors", "0").containsEntry("server_pid", "4242").containsEntry("server_cpu_s", "2.50")
                .containsEntry("msgs_per_server_cpu_s", "400000").containsEntry("client_cpu_s", "1.25");

        assertThat(fields).containsEntry("msgs_per_conn", "0").containsEntry("new_conns_per_s", "-").containsEntry("setup_p50_us", "-");

        String without = result(EchoLoadSpec.of(TARGET, 1, 64, Duration.ofSeconds(5)), 5, 5.0, OptionalDouble.empty()).summaryLine();
        assertThat(without).contains(" server_pid=- ", " server_cpu_s=- ", " msgs_per_server_cpu_s=- ");
    }

    @Test
    void connectionSetUpFiguresAppearWhenConnectionsAreReplaced() {
        EchoLoadSpec spec = EchoLoadSpec.of(TARGET, 10, 64, Duration.ofSeconds(4)).withMessagesPerConnection(1);
        LatencySummary latency = new LatencySummary(8000, 50_000, 80_000, 120_000, 900_000, 2_000_000, 60_000);
        LatencySummary setup = new LatencySummary(8000, 150_000, 180_000, 420_000, 900_000, 3_000_000, 160_000);
        EchoLoadResult result = new EchoLoadResult(spec, 8010, 8010, 0, 0, 8000, 4.0, latency, 0, 0, 0,
                OptionalDouble.of(2.0), 1.0, null, 8000, setup);

        assertThat(result.connectionsPerSecond()).isEqualTo(2000.0);
        assertThat(result.summaryLine()).contains(" msgs_per_conn=1 ", " new_conns_per_s=2000.0 ", " setup_p50_us=150.0 ", " setup_p99_us=420.0 ");
        assertThat(result.report()).contains("2,000 new connections/s", "connect to first echo p50 150.0 us  p99 420.0 us");
    }

    @Test
    void theReportNamesEveryFigure() {
        EchoLoadSpec spec = EchoLoadSpec.of(TARGET, 100, 64, Duration.ofSeconds(5)).withServerPid(4242);
        String report = result(spec, 1_000_000, 5.0, OptionalDouble.of(2.5)).report();

        assertThat(report).contains("200,000 msgs/s", "12.80 MB/s", "p50 50.0 us", "p99 120.0 us", "p99.9 900.0 us",
                "max 2.00 ms", "pid 4242: 2.50 CPU-s", "400,000 msgs per server CPU-second");
    }

    @Test
    void specsRefuseNonsense() {
        assertThatThrownBy(() -> EchoLoadSpec.of(TARGET, 0, 64, Duration.ofSeconds(1))).hasMessageContaining("connections");
        assertThatThrownBy(() -> EchoLoadSpec.of(TARGET, 1, 0, Duration.ofSeconds(1))).hasMessageContaining("message size");
        assertThatThrownBy(() -> EchoLoadSpec.of(TARGET, 1, 64, Duration.ZERO)).hasMessageContaining("duration");
        assertThatThrownBy(() -> EchoLoadSpec.of(TARGET, 1, 64, Duration.ofSeconds(1)).withPipelineDepth(0)).hasMessageContaining("depth");
        assertThatThrownBy(() -> EchoLoadSpec.of(TARGET, 2, 64, Duration.ofSeconds(1)).withLoops(3)).hasMessageContaining("loops");
        assertThat(EchoLoadSpec.defaultLoops(1)).isEqualTo(1);
    }

    @Test
    void readsTheOpenFileLimit(@TempDir Path dir) throws IOException {
        Path limits = dir.resolve("limits");
        Files.writeString(limits, """
                Limit                     Soft Limit           Hard Limit           Units
                Max cpu time              unlimited            unlimited            seconds
                Max open files            20000                40000                files
                """);
        assertThat(FdLimit.soft(limits)).isEqualTo(OptionalLong.of(20000));
        Files.writeString(limits, "Max open files            unlimited            unlimited            files\n");
        assertThat(FdLimit.soft(limits)).isEmpty();
        assertThat(FdLimit.soft(dir.resolve("missing"))).isEmpty();
    }

    private static EchoLoadResult result(EchoLoadSpec spec, long messages, double window, OptionalDouble serverCpu) {
        LatencySummary latency = new LatencySummary(messages, 50_000, 80_000, 120_000, 900_000, 2_000_000, 60_000);
        return new EchoLoadResult(spec, spec.connections(), spec.connections(), 0, 0, messages, window, latency, 0, 0, 0, serverCpu, 1.25, null,
                0, new LatencySummary(0, 0, 0, 0, 0, 0, 0));
    }
}

package dev.polyserve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Linux models behind the real command line, with nc (netcat-openbsd) as the client: what a user types.
 * uring is included because `polyserve models` lists it available here; where the kernel refuses io_uring, the
 * server's own start-up failure says why and this test would show it.
 */
class LinuxModelsNcTest {

    @ParameterizedTest
    @ValueSource(strings = {"select", "poll", "epoll", "epoll-et", "uring"})
    void ncGetsItsLinesEchoed(String model) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(!model.equals("uring") || uringAvailable(),
                "io_uring is refused on this kernel");
        try (PolyserveProcess p = PolyserveProcess.start("serve", "echo", "--model", model, "--port", "0")) {
            String line = p.awaitListening();
            assertThat(line).contains("model=" + model);
            Process nc = new ProcessBuilder("nc", "-q", "1", "127.0.0.1", String.valueOf(PolyserveProcess.port(line)))
                    .redirectErrorStream(true).start();
            try (OutputStream in = nc.getOutputStream()) {
                in.write(("hello " + model + "\nsecond line\n").getBytes(StandardCharsets.US_ASCII));
            }
            assertThat(nc.waitFor(30, TimeUnit.SECONDS)).as("nc finished").isTrue();
            String echoed = new String(nc.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(echoed).isEqualTo("hello " + model + "\nsecond line\n");
            assertThat(p.terminate()).as("exit code after SIGTERM").isZero();
        }
    }

    private static boolean uringAvailable() {
        return dev.polyserve.core.Engines.availableNames().contains("uring");
    }
}

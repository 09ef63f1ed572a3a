package dev.polyserve.cli.bench;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The loop every per-model scenario shares: one run per model in order, narrowed by --models, a failure kept as a run. */
class PerModelScenarioTest {
    private final StringWriter err = new StringWriter();

    /** Fails on nio, measures every other model; no servers, so only the loop is under test. */
    private static final class Probe extends PerModelScenario<String> {
        Probe() {
            super("probe", List.of("nio", "virtual", "threads"));
        }

        @Override
        String measure(Lab lab, String model) throws IOException {
            if (model.equals("nio")) throw new IOException("no server");
            lab.progress("probe " + model + ": measured");
            return model + " measured";
        }

        @Override
        String failed(String model, String error) {
            return model + " failed: " + error;
        }

        @Override
        public LabSection run(Lab lab) throws InterruptedException {
            return new LabSection(name(), "probe", String.join("\n", runEach(lab)), Map.of());
        }
    }

    private Lab lab(List<String> models) {
        return new Lab(models, !models.isEmpty(), Duration.ZERO, Duration.ZERO, 64, Path.of("."), 0, new PrintWriter(err, true));
    }

    @Test
    void aModelThatFailsIsKeptAsAFailedRunAndReportedWhileTheNextModelsStillRun() throws Exception {
        Lab lab = lab(List.of());

        assertThat(new Probe().runEach(lab)).containsExactly("nio failed: no server", "virtual measured", "threads measured");
        assertThat(err.toString()).contains("probe nio: failed: no server", "probe virtual: measured", "probe threads: measured");
        assertThat(new Probe().steps(lab)).isEqualTo(3);
    }

    @Test
    void modelsNarrowsTheScenarioToTheNamedModelsInTheScenariosOrder() throws Exception {
        Lab lab = lab(List.of("threads", "virtual", "epoll"));

        assertThat(new Probe().runEach(lab)).containsExactly("virtual measured", "threads measured");
        assertThat(new Probe().steps(lab)).isEqualTo(2);
        assertThat(err.toString()).doesNotContain("nio");
    }
}

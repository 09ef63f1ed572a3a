package dev.polyserve.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.core.Engines;
import org.junit.jupiter.api.Test;

class ModelsDemoTest {
    @Test
    void theSameEchoServiceWorksUnderEveryAvailableModel() {
        Captured c = new Captured();
        ModelsDemo.Result r = ModelsDemo.run(c.out);
        assertThat(r.runs()).extracting(ModelsDemo.ModelRun::model)
                .containsExactlyElementsOf(Engines.availableNames())
                .contains("iterative", "threads", "pool", "virtual", "nonblocking", "nio");
        assertThat(r.runs()).allSatisfy(run -> assertThat(run.echoed()).as(run.model() + ": " + run.failure()).isTrue());
        assertThat(c.lastLine()).startsWith("verdict: the same echo handler");
    }
}

package dev.polyserve.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DemosTest {
    @Test
    void everyLessonOfTheCourseHasADemo() {
        assertThat(Demos.names()).containsExactly("processes", "pool", "pipe", "queue", "shared-memory", "tickets",
                "semaphore", "event", "deadlock", "gil", "models");
        assertThat(Demos.all()).allSatisfy(d -> assertThat(d.description()).isNotBlank());
    }

    @Test
    void demosAreFoundByName() {
        assertThat(Demos.find("tickets")).map(Demo::name).contains("tickets");
        assertThat(Demos.find("nope")).isEmpty();
    }

    @Test
    void runningADemoByItsRegistryEntryPrintsAVerdictAndSucceeds() throws Exception {
        Captured c = new Captured();
        assertThat(Demos.find("semaphore").orElseThrow().run(c.out, java.util.List.of())).isZero();
        assertThat(c.lastLine()).startsWith("verdict: ");
    }
}

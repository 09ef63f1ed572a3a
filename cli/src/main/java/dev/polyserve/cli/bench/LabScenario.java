package dev.polyserve.cli.bench;

import java.io.IOException;

/**
 * One question the lab answers with a measurement (a claim of the course: "select stops at 1,024 descriptors",
 * "threads do not speed up CPU-bound work"), run by {@code polyserve bench lab --scenarios NAME}.
 */
interface LabScenario {
    /** The --scenarios name. */
    String name();

    /** Progress steps it reports through {@link Lab#progress}, for the [step/steps] counter. */
    int steps(Lab lab);

    /** Runs it, each server in its own JVM, and writes its part of the report. */
    LabSection run(Lab lab) throws IOException, InterruptedException;
}

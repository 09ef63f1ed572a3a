package dev.polyserve.examples;

import java.io.PrintStream;
import java.util.List;

/**
 * One runnable lesson: its command name, a one-line description for {@code polyserve demo --list}, and how to
 * run it.
 *
 * @param name        what to type after {@code polyserve demo}
 * @param description one line saying which lesson it teaches
 * @param runner      prints the walk-through to {@code out}; returns the process exit status (0 = the lesson held)
 */
public record Demo(String name, String description, Runner runner) {

    /** Runs a demo, printing to {@code out}; {@code args} are the words after the demo's name. */
    @FunctionalInterface
    public interface Runner {
        int run(PrintStream out, List<String> args) throws Exception;
    }

    /** Runs this demo. */
    public int run(PrintStream out, List<String> args) throws Exception {
        return runner.run(out, args);
    }
}

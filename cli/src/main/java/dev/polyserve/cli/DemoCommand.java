package dev.polyserve.cli;

import dev.polyserve.examples.Demo;
import dev.polyserve.examples.Demos;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/**
 * {@code polyserve demo NAME [OPTIONS]} runs one of the course's lessons (module {@code examples});
 * {@code polyserve demo --list} lists them. Options after the name go to the demo ({@code demo tickets --no-lock}).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run one of the course's concurrency lessons as a small program that explains itself.",
                "Each ends with a one-line verdict. See docs/lessons.md for the course topic each one covers."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:the lesson held (or the list was printed)", "1:the demo saw something unexpected",
                "2:unknown demo or bad options"})
public final class DemoCommand implements Callable<Integer> {

    @Option(names = {"-l", "--list"}, description = "List the demos and what each one teaches.")
    boolean list;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "The demo to run (see --list).")
    String name;

    @Parameters(index = "1..*", paramLabel = "ARG", description = "Passed to the demo, e.g. tickets --no-lock.")
    List<String> demoArgs = new ArrayList<>();

    /** Options the demo understands but this command does not (e.g. {@code --no-lock}): passed through. */
    @Unmatched
    List<String> unmatched = new ArrayList<>();

    /** Where demos print; tests substitute a buffer. */
    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() throws Exception {
        if (list || name == null) {
            for (Demo d : Demos.all()) out.printf("%-14s %s%n", d.name(), d.description());
            if (!list) out.println("Run one with: polyserve demo NAME");
            return 0;
        }
        Optional<Demo> demo = Demos.find(name);
        if (demo.isEmpty()) {
            err.println("polyserve demo: no demo called '" + name + "'; the demos are: " + String.join(", ", Demos.names()));
            return 2;
        }
        List<String> args = new ArrayList<>(demoArgs);
        args.addAll(unmatched);
        try {
            return demo.get().run(out, args);
        } catch (IllegalArgumentException badOption) {
            err.println("polyserve demo " + name + ": " + badOption.getMessage());
            return 2;
        }
    }
}

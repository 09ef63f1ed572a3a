package dev.polyserve.cli.bench;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * select's 1,024-descriptor limit, shown: idle connections are opened on a {@code --model select} server until it
 * refuses one; the figure is how many it held, and the evidence is the refusal line in its log. poll, with the same
 * loop and no bitmap, is run beside it to show the limit is select's, not the machine's.
 */
final class SelectLimitScenario extends PerModelScenario<SelectLimitScenario.Run> {
    static final String NAME = "select-limit";
    /** Past FD_SETSIZE (1,024) with room to spare, yet small. */
    static final int PROBE = 1_100;
    static final List<String> MODELS = List.of("select", "poll");

    record Run(String model, int held, String stop, List<String> refusals, String error) {}

    SelectLimitScenario() {
        super(NAME, MODELS);
    }

    @Override
    Run measure(Lab lab, String model) throws IOException, InterruptedException {
        String shortage = lab.fdShortage(PROBE);
        if (shortage != null) {
            lab.progress("select-limit " + model + ": skipped (" + shortage + ")");
            return new Run(model, 0, null, List.of(), "skipped: " + shortage);
        }
        List<Socket> sockets = new ArrayList<>();
        int held;
        String stop;
        try (LabServer server = lab.echoServer(NAME, model)) {
            stop = Lab.holdIdle(server.address, PROBE, sockets);
            held = sockets.size();
        } finally {
            Lab.closeAll(sockets);
        }
        List<String> refusals = Files.readAllLines(lab.log(NAME, model)).stream()
                .filter(l -> l.contains("FD_SETSIZE") || l.contains("refus")).limit(3).toList();
        lab.progress(String.format(Locale.ROOT, "select-limit %s: held %,d of %,d%s", model, held, PROBE,
                refusals.isEmpty() ? "" : "; server: " + refusals.getFirst()));
        return new Run(model, held, stop, refusals, null);
    }

    @Override
    Run failed(String model, String error) {
        return new Run(model, 0, null, List.of(), "failed: " + error);
    }

    @Override
    public LabSection run(Lab lab) throws InterruptedException {
        List<Run> runs = runEach(lab);
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "Up to %,d idle connections are opened, one echo each, until the server refuses one.%n%n| model | held | what the client saw | the server's log |%n|---|---|---|---|%n", PROBE));
        for (Run r : runs) {
            if (r.error() != null) {
                md.append("| ").append(r.model()).append(" | - | ").append(Lab.cell(r.error())).append(" | |\n");
                continue;
            }
            md.append(String.format(Locale.ROOT, "| %s | %,d | %s | %s |%n", r.model(), r.held(), r.stop() == null ? "all held" : "`" + Lab.cell(r.stop()) + "`",
                    r.refusals().isEmpty() ? "-" : "`" + Lab.cell(String.join("` `", r.refusals())) + "`"));
        }
        return new LabSection(NAME, "select's 1,024-descriptor limit", md.toString(), Map.of());
    }
}

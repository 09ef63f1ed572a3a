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
final class SelectLimitScenario implements LabScenario {
    static final String NAME = "select-limit";
    /** Past FD_SETSIZE (1,024) with room to spare, yet small. */
    static final int PROBE = 1_100;
    static final List<String> MODELS = List.of("select", "poll");

    record Run(String model, int held, String stop, List<String> refusals, String error) {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int steps(Lab lab) {
        return lab.models(MODELS).size();
    }

    @Override
    public LabSection run(Lab lab) throws InterruptedException {
        List<Run> runs = new ArrayList<>();
        for (String model : lab.models(MODELS)) {
            String shortage = lab.fdShortage(PROBE);
            if (shortage != null) {
                runs.add(new Run(model, 0, null, List.of(), "skipped: " + shortage));
                lab.progress("select-limit " + model + ": skipped (" + shortage + ")");
                continue;
            }
            List<Socket> sockets = new ArrayList<>();
            int held;
            String stop;
            try {
                try (LabServer server = lab.echoServer(NAME, model)) {
                    stop = Lab.holdIdle(server.address, PROBE, sockets);
                    held = sockets.size();
                } finally {
                    Lab.closeAll(sockets);
                }
                List<String> refusals = Files.readAllLines(lab.log(NAME, model)).stream()
                        .filter(l -> l.contains("FD_SETSIZE") || l.contains("refus")).limit(3).toList();
                runs.add(new Run(model, held, stop, refusals, null));
                lab.progress(String.format(Locale.ROOT, "select-limit %s: held %,d of %,d%s", model, held, PROBE,
                        refusals.isEmpty() ? "" : "; server: " + refusals.getFirst()));
            } catch (IOException | RuntimeException e) {
                runs.add(new Run(model, 0, null, List.of(), "failed: " + e.getMessage()));
                lab.progress("select-limit " + model + ": failed: " + e.getMessage());
            }
        }
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "Up to %,d idle connections are opened, one echo each, until the server refuses one.%n%n| model | held | what the client saw | the server's log |%n|---|---|---|---|%n", PROBE));
        for (Run r : runs) {
            if (r.error() != null) {
                md.append("| ").append(r.model()).append(" | - | ").append(r.error().replace("|", "/")).append(" | |\n");
                continue;
            }
            md.append(String.format(Locale.ROOT, "| %s | %,d | %s | %s |%n", r.model(), r.held(), r.stop() == null ? "all held" : "`" + r.stop().replace("|", "/") + "`",
                    r.refusals().isEmpty() ? "-" : "`" + String.join("` `", r.refusals()).replace("|", "/") + "`"));
        }
        return new LabSection(NAME, "select's 1,024-descriptor limit", md.toString(), Map.of());
    }
}

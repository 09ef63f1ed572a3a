package dev.polyserve.cli.bench;

import dev.polyserve.loadgen.chat.ChatLoad;
import dev.polyserve.loadgen.chat.ChatLoadResult;
import dev.polyserve.loadgen.chat.ChatLoadSpec;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The chat room's broadcast ({@code polyserve serve chat}, flood control off): every member's line goes to every
 * other member, so the server writes (members - 1) lines per line read. Deliveries per second, their p99 latency
 * and deliveries per server CPU-second, per model.
 */
final class ChatScenario extends PerModelScenario<ChatScenario.Run> {
    static final String NAME = "chat";
    static final String CHART = "chat-deliveries.svg";
    static final List<String> MODELS = List.of("threads", "virtual", "nio", "epoll", "uring", "prefork");
    static final int MEMBERS = 50;
    static final int LINES_PER_MEMBER = 100;
    /** 50 members x 40 lines/s = 2,000 lines/s in, 98,000 deliveries/s out: 2.5 s of sending, a load 2 cores carry. */
    static final double LINES_PER_SECOND_PER_MEMBER = 40;
    static final Duration DRAIN = Duration.ofSeconds(15);

    record Run(String model, ChatLoadResult result, String error) {
        double perSecond() {
            return result.seconds() > 0 ? result.deliveries() / result.seconds() : Double.NaN;
        }

        double perCpuSecond() {
            return result.serverCpuSeconds() > 0 ? result.deliveries() / result.serverCpuSeconds() : Double.NaN;
        }

        double p99Micros() {
            return result.latencyMicros().getTotalCount() == 0 ? Double.NaN : result.latencyMicros().getValueAtPercentile(99);
        }
    }

    ChatScenario() {
        super(NAME, MODELS);
    }

    @Override
    Run measure(Lab lab, String model) throws IOException, InterruptedException {
        try (LabServer server = LabServer.start(NAME + " " + model, lab.log(NAME, model), List.of("dev.polyserve.cli.Main", "serve", "chat",
                "--host", "127.0.0.1", "--port", "0", "--model", model, "--lines-per-second", "0", "--no-console"))) {
            ChatLoadResult r = ChatLoad.run(new ChatLoadSpec(List.of(server.address), MEMBERS, LINES_PER_MEMBER, LINES_PER_SECOND_PER_MEMBER,
                    DRAIN, null, List.of(server.pid()), null));
            Run run = new Run(model, r, null);
            lab.progress(String.format(Locale.ROOT, "chat %s: %,.0f deliveries/s, p99 %s us, %s per server CPU-s, %d missing", model,
                    run.perSecond(), Lab.fmt(run.p99Micros(), "%,.0f"), Lab.fmt(run.perCpuSecond(), "%,.0f"), r.missing()));
            return run;
        }
    }

    @Override
    Run failed(String model, String error) {
        return new Run(model, null, error);
    }

    @Override
    public LabSection run(Lab lab) throws InterruptedException {
        List<Run> runs = runEach(lab);
        SvgBars bars = new SvgBars("Chat broadcast: deliveries per server CPU-second", "deliveries per server CPU-second (higher is better)");
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "`polyserve serve chat --lines-per-second 0`; %d members each send %d lines at %.0f lines/s (%,.0f deliveries/s offered) while "
                        + "reading everyone else's (`bench chat`'s load). Latency is from a line's scheduled send time to its arrival.%n%n"
                        + "![chat](%s)%n%n| model | deliveries/s | p99 us | deliveries per server CPU-s | missing · dropped |%n|---|---|---|---|---|%n",
                MEMBERS, LINES_PER_MEMBER, LINES_PER_SECOND_PER_MEMBER, MEMBERS * LINES_PER_SECOND_PER_MEMBER * (MEMBERS - 1), CHART));
        for (Run run : runs) {
            if (run.result() == null) {
                md.append(Lab.failedRow(run.model(), run.error(), 3));
                continue;
            }
            bars.bar(run.model(), run.perCpuSecond(), null);
            md.append(String.format(Locale.ROOT, "| %s | %,.0f | %s | %s | %d · %d |%n", run.model(), run.perSecond(), Lab.fmt(run.p99Micros(), "%,.0f"),
                    Lab.fmt(run.perCpuSecond(), "%,.0f"), run.result().missing(), run.result().dropped()));
        }
        return new LabSection(NAME, "Chat broadcast: messages delivered per second", md.toString(), Map.of(CHART, bars.render()));
    }
}

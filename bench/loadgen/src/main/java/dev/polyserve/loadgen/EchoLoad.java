package dev.polyserve.loadgen;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs one echo load: spreads the connections over {@link EchoLoadSpec#loops()} Selector threads,
 * waits for them to connect, runs warm-up then the measured window, samples the server's (and its
 * own) CPU time at the window's edges, and merges the loops' histograms and counters.
 *
 * <pre>{@code
 * EchoLoadResult r = EchoLoad.run(EchoLoadSpec.of(addr, 100, 64, Duration.ofSeconds(5)), ProgressDisplay.NONE);
 * System.out.println(r.summaryLine());
 * }</pre>
 */
public final class EchoLoad {
    /** How often the progress display is refreshed. */
    static final long PROGRESS_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** Loops end on their own after stop plus drain; this bounds the wait if one is stuck in a syscall. */
    static final long JOIN_GRACE_MILLIS = ClientLoop.DRAIN_NANOS / 1_000_000 + 5_000;
    /**
     * The payload: digits and capital letters ending in a newline, so it passes through line-based
     * and upper-casing echo servers unchanged and is readable in a packet capture.
     */
    static final byte[] PATTERN = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private EchoLoad() {}

    public static EchoLoadResult run(EchoLoadSpec spec, ProgressDisplay progress) throws IOException, InterruptedException {
        FdLimit.require(spec.connections());
        ProcessTreeCpu cpu = ProcessTreeCpu.system();
        if (spec.serverPid().isPresent() && !cpu.exists(spec.serverPid().getAsLong())) {
            throw new IllegalArgumentException("no process with PID " + spec.serverPid().getAsLong() + " (--server-pid)");
        }
        long self = ProcessHandle.current().pid();

        RunSchedule schedule = new RunSchedule();
        CountDownLatch connectPhase = new CountDownLatch(spec.loops());
        ByteBuffer payload = payloadWindow(spec.messageSize());
        List<ClientLoop> loops = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        try {
            for (int i = 0; i < spec.loops(); i++) {
                int share = spec.connections() / spec.loops() + (i < spec.connections() % spec.loops() ? 1 : 0);
                ClientLoop loop = new ClientLoop(spec, schedule, connectPhase, share, payload);
                loops.add(loop);
                Thread thread = Thread.ofPlatform().name("loadgen-loop-" + i).daemon().unstarted(loop);
                threads.add(thread);
            }
            threads.forEach(Thread::start);

            long connectDeadline = System.nanoTime() + spec.connectTimeout().toNanos();
            while (!connectPhase.await(PROGRESS_INTERVAL_NANOS, TimeUnit.NANOSECONDS) && System.nanoTime() - connectDeadline < 0) {
                progress.connecting(connected(loops), spec.connections());
            }

            long start = System.nanoTime();
            boolean anyone = connected(loops) > 0;
            long recordFrom = anyone ? start + spec.warmup().toNanos() : start;
            long stopAt = anyone ? recordFrom + spec.duration().toNanos() : start;
            schedule.start(recordFrom, stopAt);
            loops.forEach(ClientLoop::wakeup);

            double serverCpuAtStart = 0, clientCpuAtStart = 0;
            OptionalDouble serverCpu = OptionalDouble.empty();
            double clientCpu = 0;
            if (anyone) {
                showUntil(recordFrom, start, stopAt, ProgressDisplay.Phase.WARMUP, loops, spec, progress);
                if (spec.serverPid().isPresent()) serverCpuAtStart = cpu.treeSeconds(spec.serverPid().getAsLong());
                clientCpuAtStart = cpu.treeSeconds(self);
                showUntil(stopAt, start, stopAt, ProgressDisplay.Phase.MEASURING, loops, spec, progress);
                if (spec.serverPid().isPresent()) {
                    serverCpu = OptionalDouble.of(cpu.treeSeconds(spec.serverPid().getAsLong()) - serverCpuAtStart);
                }
                clientCpu = cpu.treeSeconds(self) - clientCpuAtStart;
                progress.running(ProgressDisplay.Phase.DRAINING, seconds(stopAt - start), seconds(stopAt - start),
                        0, connected(loops), spec.connections());
            }
            for (Thread thread : threads) {
                thread.join(JOIN_GRACE_MILLIS);
                if (thread.isAlive()) throw new IllegalStateException(thread.getName() + " did not stop");
            }
            return merge(spec, loops, seconds(stopAt - recordFrom), serverCpu, clientCpu);
        } finally {
            loops.forEach(ClientLoop::wakeup);
            progress.done();
        }
    }

    /** Refreshes the progress display until {@code until}, then returns (close to) that instant. */
    private static void showUntil(long until, long start, long stopAt, ProgressDisplay.Phase phase,
                                  List<ClientLoop> loops, EchoLoadSpec spec, ProgressDisplay progress) {
        long lastAt = System.nanoTime();
        long lastCompleted = completed(loops);
        while (true) {
            long now = System.nanoTime();
            long left = until - now;
            if (left <= 0) return;
            LockSupport.parkNanos(Math.min(left, PROGRESS_INTERVAL_NANOS));
            now = System.nanoTime();
            long completed = completed(loops);
            double rate = (completed - lastCompleted) / seconds(Math.max(1, now - lastAt));
            lastAt = now;
            lastCompleted = completed;
            progress.running(phase, seconds(now - start), seconds(stopAt - start), rate, connected(loops), spec.connections());
        }
    }

    private static EchoLoadResult merge(EchoLoadSpec spec, List<ClientLoop> loops, double window,
                                        OptionalDouble serverCpu, double clientCpu) {
        Histogram histogram = new Histogram(1, ClientLoop.HISTOGRAM_MAX_NANOS, ClientLoop.HISTOGRAM_DIGITS);
        Histogram setup = new Histogram(1, ClientLoop.HISTOGRAM_MAX_NANOS, ClientLoop.HISTOGRAM_DIGITS);
        ClientLoop.LoopTally tally = new ClientLoop.LoopTally();
        long messages = 0;
        String firstError = null;
        for (ClientLoop loop : loops) {
            histogram.add(loop.histogram());
            setup.add(loop.setupHistogram());
            tally.add(loop.tally());
            messages += loop.messagesRecorded();
            if (firstError == null) firstError = loop.firstError();
        }
        return new EchoLoadResult(spec, tally.connected, tally.served, tally.connectFailures, tally.connectsAbandoned, messages, window,
                LatencySummary.of(histogram), tally.ioErrors, tally.closedByServer, tally.corrupt, serverCpu, clientCpu, firstError,
                tally.connectionsCompleted, LatencySummary.of(setup));
    }

    /** Whole messages of {@link #PATTERN} bytes repeated to fill a window (at least two messages). */
    static ByteBuffer payloadWindow(int messageSize) {
        int messages = Math.max(2, ClientLoop.PAYLOAD_WINDOW_BYTES / messageSize);
        ByteBuffer window = ByteBuffer.allocateDirect(Math.multiplyExact(messages, messageSize));
        for (int m = 0; m < messages; m++) {
            for (int i = 0; i < messageSize; i++) {
                window.put(i == messageSize - 1 ? (byte) '\n' : PATTERN[i % PATTERN.length]);
            }
        }
        return window.clear();
    }

    private static long connected(List<ClientLoop> loops) {
        long sum = 0;
        for (ClientLoop loop : loops) sum += loop.connectedSoFar();
        return sum;
    }

    private static long completed(List<ClientLoop> loops) {
        long sum = 0;
        for (ClientLoop loop : loops) sum += loop.completedSoFar();
        return sum;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}

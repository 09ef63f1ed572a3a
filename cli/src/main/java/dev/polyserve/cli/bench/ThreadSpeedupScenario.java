package dev.polyserve.cli.bench;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The course's "threads do not speed up CPU-bound work" is CPython's global interpreter lock, not a law: a fixed
 * amount of hashing split over 1, 2 and 4 platform threads, in this JVM. With no GIL the speed-up follows the cores
 * (2 here), and stops there.
 */
final class ThreadSpeedupScenario implements LabScenario {
    static final String NAME = "threads-cpu";
    static final String CHART = "threads-speedup.svg";
    static final List<Integer> THREADS = List.of(1, 2, 4);
    /** SHA-256 digests of a 64-byte block in all: about a second on one core. */
    static final int WORK = 5_000_000;
    /** Each figure is the best of this many runs: the machine is shared, and the best run is the one least disturbed. */
    static final int TRIES = 2;

    private final int work;

    ThreadSpeedupScenario(int work) {
        this.work = work;
    }

    record Run(int threads, double seconds) {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int steps(Lab lab) {
        return THREADS.size();
    }

    @Override
    public LabSection run(Lab lab) throws InterruptedException {
        timed(THREADS.getLast(), work); // warm-up: the digest loop compiled (C2, SHA intrinsics) before anything is timed
        List<Run> runs = new ArrayList<>();
        for (int t : THREADS) {
            double s = Double.POSITIVE_INFINITY;
            for (int i = 0; i < TRIES; i++) s = Math.min(s, timed(t, work));
            runs.add(new Run(t, s));
            lab.progress(String.format(Locale.ROOT, "threads-cpu %d thread(s): %.2f s, speed-up %.2fx", t, s, runs.getFirst().seconds() / s));
        }
        int cores = Runtime.getRuntime().availableProcessors();
        SvgChart chart = new SvgChart("CPU-bound work split over threads (JVM, no GIL)", "threads", "speed-up over 1 thread", false);
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "%,d SHA-256 digests of a 64-byte block, split evenly over N platform threads in the lab's JVM after one unrecorded run; wall time from "
                        + "start to the last thread's end, best of " + TRIES + ". %d cores here.%n%n![speed-up](%s)%n%n| threads | seconds | speed-up |%n|---|---|---|%n", work, cores, CHART));
        for (Run r : runs) {
            double speedup = runs.getFirst().seconds() / r.seconds();
            chart.point("measured", r.threads(), speedup);
            chart.point("ideal (" + cores + " cores)", r.threads(), Math.min(r.threads(), cores));
            md.append(String.format(Locale.ROOT, "| %d | %.2f | %.2fx |%n", r.threads(), r.seconds(), speedup));
        }
        return new LabSection(NAME, "CPU-bound speed-up by threads on the JVM (the \"GIL\" claim)", md.toString(), Map.of(CHART, chart.render()));
    }

    private static double timed(int threads, int digests) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(threads);
        long t0 = System.nanoTime();
        for (int i = 0; i < threads; i++) {
            int share = digests / threads;
            Thread.ofPlatform().start(() -> {
                try {
                    HashingEchoServer.HashingEcho.work(MessageDigest.getInstance("SHA-256"), new byte[64], share);
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException("every JDK has SHA-256", e);
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        return (System.nanoTime() - t0) / 1e9;
    }
}

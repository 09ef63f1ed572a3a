package dev.polyserve.loadgen.chat;

import dev.polyserve.loadgen.ProcessTreeCpu;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Many members in one room, all talking: each joins as {@code bench-NNNN}, waits until everyone is in, then sends
 * its lines ({@code SEQ SCHEDULED_NANOS}) on a fixed schedule while reading everyone else's. Every member checks
 * that it hears each other member's lines once and in order, and records each line's delivery latency.
 */
public final class ChatLoad {
    /** Highest latency the histogram tracks: a minute, far past any run that is still meaningful. */
    static final long MAX_TRACKED_MICROS = 60_000_000L;
    /** How often the progress display hears of deliveries while the members talk. */
    static final long PROGRESS_INTERVAL_MILLIS = 200;

    /** Receives the run's progress, on the coordinating thread. */
    public interface Progress {
        /** Shows nothing: tests and scripted runs. */
        Progress NONE = new Progress() {
            @Override public void joining(int joined, int members) {}
            @Override public void delivering(double elapsedSeconds, long delivered, long expected) {}
            @Override public void done() {}
        };

        void joining(int joined, int members);

        void delivering(double elapsedSeconds, long delivered, long expected);

        /** The run is over; leave the terminal clean for the report. */
        void done();
    }

    private final ChatLoadSpec spec;
    private final Progress progress;
    private final long epoch = System.nanoTime();

    private ChatLoad(ChatLoadSpec spec, Progress progress) {
        this.spec = spec;
        this.progress = progress;
    }

    public static ChatLoadResult run(ChatLoadSpec spec) throws IOException, InterruptedException {
        return run(spec, Progress.NONE);
    }

    public static ChatLoadResult run(ChatLoadSpec spec, Progress progress) throws IOException, InterruptedException {
        try {
            return new ChatLoad(spec, progress).run();
        } finally {
            progress.done();
        }
    }

    /** One member: its socket, its reader thread's tallies. */
    private final class Member {
        final int index;
        final String name;
        final MemberLink link;
        final int[] nextSeq = new int[spec.clients()];
        final Histogram latency = new Histogram(MAX_TRACKED_MICROS, 3);
        /** Written by the reader only; volatile so the progress display reads it while the run goes on. */
        volatile long received;
        long outOfOrder;
        boolean dropped;
        boolean flooded;
        final CountDownLatch allJoined = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);
        volatile long lastArrivalNanos;

        Member(int index) throws IOException {
            this.index = index;
            this.name = name(index);
            InetSocketAddress server = spec.servers().get(index % spec.servers().size());
            link = spec.webSocketPath() == null ? MemberLink.tcp(server, spec.authKey())
                    : MemberLink.webSocket(server, spec.webSocketPath());
        }

        void join() throws IOException {
            link.writeLine(name);
            for (String line; (line = link.readLine()) != null; ) {
                if (line.startsWith("* Hello " + name + "!")) return;
                if (line.startsWith("* The name") || line.startsWith("* That name") || line.startsWith("* The room is full")) {
                    throw new IOException(name + " could not join: " + line);
                }
            }
            throw new IOException(name + ": the server closed the connection while joining");
        }

        /** Reads until every other member's lines are in, or the stream ends. */
        void read(int laterJoiners) {
            try {
                int joinsSeen = 0;
                if (laterJoiners == 0) allJoined.countDown();
                long want = (long) spec.messages() * (spec.clients() - 1);
                for (String line; received < want && (line = link.readLine()) != null; ) {
                    if (line.startsWith("* ")) {
                        if (line.endsWith(" joined") && ++joinsSeen == laterJoiners) allJoined.countDown();
                        if (line.startsWith("* Slow down") || line.startsWith("* Disconnected for flooding")) flooded = true;
                        continue;
                    }
                    long now = System.nanoTime();
                    int colon = line.indexOf(": ");
                    if (colon != 10 || !line.startsWith("bench-")) continue;
                    int from = Integer.parseInt(line, 6, 10, 10);
                    int space = line.indexOf(' ', colon + 2);
                    int seq = Integer.parseInt(line, colon + 2, space, 10);
                    long scheduled = Long.parseLong(line, space + 1, line.length(), 10);
                    if (seq != nextSeq[from]) outOfOrder++;
                    nextSeq[from] = seq + 1;
                    received++;
                    lastArrivalNanos = now;
                    latency.recordValue(Math.min(MAX_TRACKED_MICROS, Math.max(0, (now - epoch - scheduled) / 1000)));
                }
                if (received < want) dropped = true;
            } catch (IOException e) {
                dropped = true;
            } finally {
                allJoined.countDown();
                done.countDown();
            }
        }

        /** Sends this member's lines on the schedule: line k at start + k / rate. */
        void send(long startNanos) throws IOException {
            StringBuilder line = new StringBuilder(32);
            double interval = spec.ratePerClient() == 0 ? 0 : 1e9 / spec.ratePerClient();
            for (int k = 0; k < spec.messages(); k++) {
                long scheduled = startNanos + (long) (k * interval);
                for (long wait; (wait = scheduled - System.nanoTime()) > 0; ) LockSupport.parkNanos(wait);
                line.setLength(0);
                line.append(k).append(' ').append(scheduled - epoch);
                link.writeLine(line.toString());
            }
        }
    }

    static String name(int index) {
        return String.format("bench-%04d", index);
    }

    private ChatLoadResult run() throws IOException, InterruptedException {
        List<Member> members = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        try {
            for (int i = 0; i < spec.clients(); i++) {
                Member m = new Member(i);
                members.add(m);
                m.join();   // in turn: a member's greeting means every earlier member was told it joined
                progress.joining(i + 1, spec.clients());
            }
            for (Member m : members) {
                int later = spec.clients() - 1 - m.index;
                threads.add(Thread.ofVirtual().name(m.name + "-reader").start(() -> m.read(later)));
            }
            for (Member m : members) {
                if (!m.allJoined.await(30, TimeUnit.SECONDS)) throw new IOException(m.name + " did not see everyone join");
            }
            double cpuBefore = cpu();
            long start = System.nanoTime() + Duration.ofMillis(100).toNanos();
            AtomicLong sendFailures = new AtomicLong();
            for (Member m : members) {
                threads.add(Thread.ofVirtual().name(m.name + "-sender").start(() -> {
                    try {
                        m.send(start);
                    } catch (IOException e) {
                        sendFailures.incrementAndGet();
                    }
                }));
            }
            long deadline = start + (spec.ratePerClient() == 0 ? 0 : (long) (spec.messages() / spec.ratePerClient() * 1e9))
                    + spec.drainTimeout().toNanos();
            for (Member m : members) {
                long left;
                while ((left = deadline - System.nanoTime()) > 0
                        && !m.done.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(PROGRESS_INTERVAL_MILLIS)), TimeUnit.NANOSECONDS)) {
                    progress.delivering(Math.max(0, System.nanoTime() - start) / 1e9,
                            members.stream().mapToLong(x -> x.received).sum(), spec.expectedDeliveries());
                }
            }
            long end = members.stream().mapToLong(m -> m.lastArrivalNanos).max().orElse(start);
            double cpuAfter = cpu();
            for (Member m : members) m.link.close();
            for (Thread t : threads) t.join(Duration.ofSeconds(10));

            Histogram all = new Histogram(MAX_TRACKED_MICROS, 3);
            long delivered = 0, outOfOrder = 0;
            int dropped = 0;
            boolean flooded = false;
            for (Member m : members) {   // the threads were joined: their tallies are visible
                all.add(m.latency);
                delivered += m.received;
                outOfOrder += m.outOfOrder;
                flooded |= m.flooded;
                if (m.dropped || m.received < (long) spec.messages() * (spec.clients() - 1)) dropped++;
            }
            return new ChatLoadResult(spec, delivered, spec.expectedDeliveries() - delivered, outOfOrder, dropped,
                    flooded, Math.max(1, end - start) / 1e9, all, cpuAfter - cpuBefore);
        } finally {
            for (Member m : members) m.link.close();
        }
    }

    private double cpu() {
        if (spec.serverPids().isEmpty()) return Double.NaN;
        double seconds = 0;
        for (long pid : spec.serverPids()) seconds += ProcessTreeCpu.system().treeSeconds(pid);
        return seconds;
    }
}

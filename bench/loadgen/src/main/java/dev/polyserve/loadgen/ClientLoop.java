package dev.polyserve.loadgen;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client Selector thread driving its share of the connections: connects them (a bounded
 * number at a time), then runs every connection as a closed loop until the schedule's stop
 * instant, records latencies into its own histogram (no sharing, no locks) and finally drains and
 * closes. A few of these, one per core, load thousands of connections.
 */
final class ClientLoop implements Runnable {
    /** Wakes the loop this often even without traffic, so it notices start and stop on time. */
    static final long SELECT_TIMEOUT_MILLIS = 10;
    /**
     * Connects in flight per loop. A burst of thousands of SYNs overflows the server's accept
     * queue (often 128 to 4096 deep) and costs each dropped SYN a one-second retransmission.
     */
    static final int CONNECTS_IN_FLIGHT = 256;
    /** After the stop instant, how long outstanding echoes may still arrive before we close anyway. */
    static final long DRAIN_NANOS = TimeUnit.MILLISECONDS.toNanos(1000);
    /** Read buffer per loop: a few dozen pipelined small messages, or a good slice of a large one. */
    static final int READ_BUFFER_BYTES = 64 * 1024;
    /** Payload window per loop: this many bytes of repeated payload, so one write can carry many pipelined messages. */
    static final int PAYLOAD_WINDOW_BYTES = 64 * 1024;
    /** Latencies above a minute are outages, not latencies: they are clamped to this. */
    static final long HISTOGRAM_MAX_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** Three significant digits: 0.1% resolution, enough to tell p999 from max. */
    static final int HISTOGRAM_DIGITS = 3;

    private final EchoLoadSpec spec;
    private final RunSchedule schedule;
    private final CountDownLatch connectPhaseDone;
    private final Selector selector;
    private final ByteBuffer sharedPayload;
    private final List<EchoSession> sessions = new ArrayList<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    private final Histogram histogram = new Histogram(1, HISTOGRAM_MAX_NANOS, HISTOGRAM_DIGITS);
    /** Connect-to-first-echo time of connections opened inside the window (--messages-per-connection only). */
    private final Histogram setupHistogram = new Histogram(1, HISTOGRAM_MAX_NANOS, HISTOGRAM_DIGITS);
    private final EchoSession.Completion recorder = this::recordCompletion;

    // Owned by the loop thread; the coordinator reads them after join().
    private int toOpen;
    private int connectsInFlight;
    private boolean connectPhaseReported;
    private boolean kickedOff;
    private long stopDeadline;
    private int outstanding;
    private long messagesRecorded;
    private long now;
    private final LoopTally tally = new LoopTally();
    private String firstError;

    // Published for the progress display: written by the loop (opaque), read by the coordinator.
    private final AtomicLong completedTotal = new AtomicLong();
    private final AtomicLong connectedNow = new AtomicLong();

    ClientLoop(EchoLoadSpec spec, RunSchedule schedule, CountDownLatch connectPhaseDone, int sessionsToOpen, ByteBuffer sharedPayload)
            throws IOException {
        this.spec = spec;
        this.schedule = schedule;
        this.connectPhaseDone = connectPhaseDone;
        this.selector = Selector.open();
        this.toOpen = sessionsToOpen;
        this.sharedPayload = sharedPayload;
    }

    @Override
    public void run() {
        try {
            startConnects();
            reportConnectPhaseIfDone();
            while (true) {
                now = System.nanoTime();
                if (schedule.started()) {
                    if (!kickedOff) kickOff();
                    if (stopDeadline == 0 && now - schedule.stopAt() >= 0) {
                        stopDeadline = now + DRAIN_NANOS;
                    }
                    if (stopDeadline != 0 && (outstanding == 0 || now - stopDeadline >= 0)) break;
                }
                selector.select(this::handle, SELECT_TIMEOUT_MILLIS);
                if (toOpen > 0) startConnects();
                reportConnectPhaseIfDone();
                completedTotal.setOpaque(tally.completed);
            }
        } catch (IOException | RuntimeException e) {
            noteError("client loop failed: " + e);
        } finally {
            closeAll();
            reportConnectPhaseIfDone();
            completedTotal.setOpaque(tally.completed);
        }
    }

    private void handle(SelectionKey key) {
        EchoSession session = (EchoSession) key.attachment();
        try {
            if (key.isConnectable()) {
                finishConnect(session);
            } else {
                if (key.isWritable()) session.flush();
                if (key.isReadable()) read(session);
            }
        } catch (IOException e) {
            session.fail(EchoSession.Failure.IO);
            noteError(e.toString());
        }
        if (session.failure() != EchoSession.Failure.NONE) drop(session);
    }

    /** Opens connections up to the in-flight bound; completions arrive as OP_CONNECT. */
    private void startConnects() {
        while (connectsInFlight < CONNECTS_IN_FLIGHT && toOpen > 0) {
            toOpen--;
            SocketChannel channel = null;
            try {
                channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                EchoSession session = new EchoSession(channel, sharedPayload.duplicate(), spec.messageSize(), spec.pipelineDepth(),
                        spec.messagesPerConnection(), System.nanoTime());
                session.attach(channel.register(selector, SelectionKey.OP_CONNECT, session));
                channel.connect(spec.target());
                session.index = sessions.size();
                sessions.add(session);
                connectsInFlight++;
            } catch (IOException e) {
                tally.connectFailures++;
                noteError("connect: " + e);
                if (channel != null) {
                    try {
                        channel.close();
                    } catch (IOException ignored) {
                        // Already failed; the connect error is what we report.
                    }
                }
            }
        }
    }

    private void finishConnect(EchoSession session) throws IOException {
        try {
            if (!session.channel.finishConnect()) return;
        } catch (IOException e) {
            connectsInFlight--;
            session.fail(EchoSession.Failure.CONNECT);
            noteError("connect: " + e.getMessage());
            return;
        }
        connectsInFlight--;
        tally.connected++;
        connectedNow.setOpaque(tally.connected);
        session.key().interestOps(SelectionKey.OP_READ);
        if (kickedOff && stopDeadline == 0) {
            now = System.nanoTime();   // stamp its first message now, not at the last wake-up
            start(session);
        }
    }

    private void kickOff() {
        kickedOff = true;
        for (int i = 0; i < sessions.size(); i++) {
            EchoSession session = sessions.get(i);
            if (session.failure() != EchoSession.Failure.NONE || !session.channel.isConnected()) continue;
            try {
                start(session);
            } catch (IOException e) {
                // One connection reset before the start: count it, keep loading the others.
                session.fail(EchoSession.Failure.IO);
                noteError(e.toString());
                drop(session);
            }
        }
    }

    private void start(EchoSession session) throws IOException {
        int before = session.outstanding();
        session.fill(now);
        outstanding += session.outstanding() - before;
    }

    private void read(EchoSession session) throws IOException {
        while (true) {
            readBuffer.clear();
            int n = session.channel.read(readBuffer);
            if (n < 0) {
                session.fail(EchoSession.Failure.CLOSED_BY_SERVER);
                return;
            }
            if (n == 0) break;
            readBuffer.flip();
            now = System.nanoTime();
            int before = session.messagesCompleted();
            outstanding -= session.receive(readBuffer, recorder);
            if (before == 0 && session.messagesCompleted() > 0) recordSetup(session);
            if (session.failure() != EchoSession.Failure.NONE) return;
            if (n < READ_BUFFER_BYTES) break;
        }
        if (session.finished() && session.outstanding() == 0) {
            replace(session);
        } else if (stopDeadline == 0 && now - schedule.stopAt() < 0) {
            start(session);
        }
    }

    /** A connection that carried its share of messages is closed; a new one takes its place while the run lasts. */
    private void replace(EchoSession session) {
        if (session.connectStartedAt - schedule.recordFrom() >= 0 && now - schedule.stopAt() <= 0) tally.connectionsCompleted++;
        if (session.servedInWindow()) tally.served++;
        close(session);
        EchoSession last = sessions.removeLast();
        if (last != session) {
            sessions.set(session.index, last);
            last.index = session.index;
        }
        if (stopDeadline == 0 && now - schedule.stopAt() < 0) toOpen++;
    }

    private void recordSetup(EchoSession session) {
        if (session.connectStartedAt - schedule.recordFrom() >= 0 && now - schedule.stopAt() <= 0) {
            setupHistogram.recordValue(Math.min(Math.max(1, now - session.connectStartedAt), HISTOGRAM_MAX_NANOS));
        }
    }

    private boolean recordCompletion(long sentAt) {
        tally.completed++;
        if (sentAt - schedule.recordFrom() >= 0 && now - schedule.stopAt() <= 0) {
            messagesRecorded++;
            histogram.recordValue(Math.min(Math.max(1, now - sentAt), HISTOGRAM_MAX_NANOS));
            return true;
        }
        return false;
    }

    private void drop(EchoSession session) {
        switch (session.failure()) {
            case CONNECT -> tally.connectFailures++;
            case IO -> tally.ioErrors++;
            case CLOSED_BY_SERVER -> tally.closedByServer++;
            case CORRUPT -> {
                tally.corrupt++;
                noteError("echo differs from what was sent on " + describe(session));
            }
            case NONE -> throw new IllegalStateException("dropping a healthy session");
        }
        outstanding -= session.outstanding();
        close(session);
    }

    private static String describe(EchoSession session) {
        try {
            return String.valueOf(session.channel.getLocalAddress());
        } catch (IOException e) {
            return "a closed connection";
        }
    }

    private void reportConnectPhaseIfDone() {
        if (!connectPhaseReported && connectsInFlight == 0 && toOpen == 0) {
            connectPhaseReported = true;
            connectPhaseDone.countDown();
        }
    }

    private void closeAll() {
        for (EchoSession session : sessions) {
            if (session.channel.isOpen() && session.channel.isConnectionPending()) tally.connectsAbandoned++;
            if (session.servedInWindow()) tally.served++;
            close(session);
        }
        tally.connectsAbandoned += toOpen;
        toOpen = 0;
        connectsInFlight = 0;
        try {
            selector.close();
        } catch (IOException e) {
            noteError("closing selector: " + e);
        }
    }

    private static void close(EchoSession session) {
        try {
            session.channel.close();
        } catch (IOException e) {
            // Closing a socket that failed: nothing more to learn from it.
        }
    }

    private void noteError(String error) {
        if (firstError == null) firstError = error;
    }

    void wakeup() {
        selector.wakeup();
    }

    long completedSoFar() {
        return completedTotal.getOpaque();
    }

    long connectedSoFar() {
        return connectedNow.getOpaque();
    }

    // Read by the coordinator after the loop thread has ended (join gives happens-before).

    Histogram histogram() {
        return histogram;
    }

    Histogram setupHistogram() {
        return setupHistogram;
    }

    long messagesRecorded() {
        return messagesRecorded;
    }

    LoopTally tally() {
        return tally;
    }

    String firstError() {
        return firstError;
    }

    /** Counters of one loop, summed by the coordinator. */
    static final class LoopTally {
        long connected;
        long served;
        long connectFailures;
        long connectsAbandoned;
        long ioErrors;
        long closedByServer;
        long corrupt;
        long completed;
        long connectionsCompleted;

        void add(LoopTally other) {
            connected += other.connected;
            served += other.served;
            connectFailures += other.connectFailures;
            connectsAbandoned += other.connectsAbandoned;
            ioErrors += other.ioErrors;
            closedByServer += other.closedByServer;
            corrupt += other.corrupt;
            completed += other.completed;
            connectionsCompleted += other.connectionsCompleted;
        }
    }
}

package dev.polyserve.services.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import dev.polyserve.core.Conn;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** A connection without a socket: records what the handler writes and the timers it asks for; runs tasks inline. */
final class FakeConn implements Conn {
    record Timer(Duration delay, Runnable task) {}

    final ByteArrayOutputStream written = new ByteArrayOutputStream();
    final List<Timer> timers = new ArrayList<>();
    boolean open = true;
    boolean paused;
    /** How many times write was called: pipelined responses should arrive in one. */
    int writes;

    String output() {
        return written.toString(ISO_8859_1);
    }

    @Override
    public void write(ByteBuffer out) {
        if (!open) return;
        writes++;
        byte[] b = new byte[out.remaining()];
        out.get(b);
        written.writeBytes(b);
    }

    @Override
    public void sendFile(FileChannel file, long position, long count) {
        try (file) {
            ByteBuffer b = ByteBuffer.allocate((int) count);
            file.read(b, position);
            write(b.flip());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override public long queuedBytes() { return 0; }
    /** What the fake kernel holds unacknowledged: -1, cannot tell (as the JDK engines). */
    long unacknowledged = -1;
    @Override public long unacknowledgedBytes() { return unacknowledged; }
    @Override public void requireSendRate(dev.polyserve.core.MinimumRate rate) { sendRate = rate; }
    dev.polyserve.core.MinimumRate sendRate;
    @Override public void pauseReading() { paused = true; }
    @Override public void resumeReading() { paused = false; }
    @Override public void close() { open = false; }
    @Override public void abort() { open = false; }
    @Override public boolean isOpen() { return open; }
    @Override public Executor executor() { return Runnable::run; }
    SocketAddress remote = new InetSocketAddress("127.0.0.1", 40000);
    @Override public SocketAddress remote() { return remote; }
    @Override public SocketAddress local() { return new InetSocketAddress("127.0.0.1", 8080); }
    @Override public String model() { return "fake"; }

    @Override
    public ScheduledFuture<?> schedule(Duration delay, Runnable task) {
        Timer t = new Timer(delay, task);
        timers.add(t);
        return new ScheduledFuture<Object>() {
            boolean cancelled;
            @Override public long getDelay(TimeUnit unit) { return unit.convert(delay); }
            @Override public int compareTo(Delayed o) { return 0; }
            @Override public boolean cancel(boolean b) { cancelled = true; return timers.remove(t); }
            @Override public boolean isCancelled() { return cancelled; }
            @Override public boolean isDone() { return cancelled || !timers.contains(t); }
            @Override public Object get() { return null; }
            @Override public Object get(long l, TimeUnit u) { return null; }
        };
    }

    /** Runs the timers due (in the order asked), as the engine's timer would once their delay has passed. */
    void fireTimers() {
        List<Timer> due = new ArrayList<>(timers);
        timers.clear();
        due.forEach(t -> t.task().run());
    }
}

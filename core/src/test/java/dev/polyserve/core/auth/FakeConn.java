package dev.polyserve.core.auth;

import dev.polyserve.core.Conn;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Delayed;

/** A connection without a socket: records writes, and runs scheduled tasks only when the test says so. */
final class FakeConn implements Conn {
    final ByteArrayOutputStream written = new ByteArrayOutputStream();
    final List<Timer> timers = new ArrayList<>();
    boolean open = true;

    final class Timer extends CompletableFuture<Object> implements ScheduledFuture<Object> {
        final Duration delay;
        final Runnable task;

        Timer(Duration delay, Runnable task) {
            this.delay = delay;
            this.task = task;
        }

        void fire() {
            if (!isDone()) {
                complete(null);
                task.run();
            }
        }

        @Override public long getDelay(TimeUnit unit) { return unit.convert(delay); }
        @Override public int compareTo(Delayed o) { return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS)); }
    }

    @Override public void write(ByteBuffer out) {
        if (!open) return;
        byte[] b = new byte[out.remaining()];
        out.get(b);
        written.writeBytes(b);
    }
    @Override public void sendFile(FileChannel file, long position, long count) { throw new UnsupportedOperationException(); }
    @Override public long queuedBytes() { return 0; }
    @Override public void requireSendRate(dev.polyserve.core.MinimumRate rate) { sendRate = rate; }
    dev.polyserve.core.MinimumRate sendRate;
    @Override public void pauseReading() {}
    @Override public void resumeReading() {}
    @Override public void close() { open = false; }
    @Override public void abort() { open = false; }
    @Override public boolean isOpen() { return open; }
    @Override public Executor executor() { return Runnable::run; }
    @Override public ScheduledFuture<?> schedule(Duration delay, Runnable task) {
        Timer t = new Timer(delay, task);
        timers.add(t);
        return t;
    }
    @Override public SocketAddress remote() { return new InetSocketAddress("127.0.0.1", 40000); }
    @Override public SocketAddress local() { return new InetSocketAddress("127.0.0.1", 7000); }
    @Override public String model() { return "fake"; }
}

package dev.polyserve.process;

import dev.polyserve.core.Handler;
import dev.polyserve.core.engine.ConnBase;
import dev.polyserve.core.engine.EngineContext;
import dev.polyserve.core.engine.ThreadedConn;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The child's side of a {@code process}-model connection: the peer's bytes arrive on stdin and the handler's
 * bytes leave on stdout (the master pumps both to and from the socket). A {@link ThreadedConn} like a blocking
 * engine's connection, on {@link ConnBase} like every engine's, so the write queue limit, idle timeout, timers,
 * send-rate watch and close rules are the same code; what is its own is the transport. Three threads: a reader
 * (blocking reads of stdin), a writer (blocking writes of stdout, started at the first write, so {@link #write}
 * never blocks; a failed write means the master closed our stdout: the peer is gone), and the connection's serial
 * context, one thread that runs every handler call and task, one at a time.
 */
final class StdioConnection extends ThreadedConn {
    private static final Logger log = LoggerFactory.getLogger(StdioConnection.class);

    /** Read size: a Linux pipe holds 64 KiB, so one read can take all the master has written. */
    private static final int READ_BUFFER = 64 * 1024;

    private final InputStream in;
    private final WritableByteChannel out;
    private final ExecutorService loop =
            Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("polyserve-process-conn").daemon().unstarted(r));
    private final Executor serial = task -> {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException closed) {
            log.debug("task dropped: the connection is closed");
        }
    };
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    StdioConnection(EngineContext ctx, Handler handler, InputStream in, WritableByteChannel out,
                    InetSocketAddress remote, InetSocketAddress local) {
        super(ctx, handler, remote, local, Thread.ofPlatform().name("polyserve-process-stdout").daemon().factory(), false);
        this.in = in;
        this.out = out;
    }

    /** The process's own stdin and stdout; call before anything else touches {@link System#out}. */
    static StdioConnection overStandardStreams(EngineContext ctx, Handler handler, InetSocketAddress remote,
                                               InetSocketAddress local) {
        FileOutputStream stdout = new FileOutputStream(FileDescriptor.out);
        // From now on stdout carries the connection's bytes only. Anything else printed (a CLI's "listening on"
        // line) is dropped: on stderr it would repeat once per connection in the master's log.
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        return new StdioConnection(ctx, handler, new FileInputStream(FileDescriptor.in), stdout.getChannel(), remote, local);
    }

    /** Starts serving; the returned future completes after {@link Handler#onClose}. */
    CompletableFuture<Void> start() {
        Thread.ofPlatform().name("polyserve-process-stdin").daemon().start(this::readLoop);
        return done;
    }

    @Override
    public Executor executor() {
        return serial;
    }

    private void readLoop() {
        // onOpen first, and waited for: a handler that pauses reading there is paused before the first read.
        runSerially(this::fireOpen);
        byte[] buf = new byte[READ_BUFFER];
        try {
            while (!isClosed()) {
                awaitReadingAllowed();
                if (!isOpen()) break;
                int n = in.read(buf);
                if (n < 0) {
                    runSerially(this::fireReadEnd);
                    return;
                }
                ByteBuffer data = ByteBuffer.wrap(buf, 0, n);
                // Wait for the handler: the buffer is valid during the call only, and this is the back-pressure.
                runSerially(() -> fireRead(data));
            }
        } catch (IOException e) {
            abort(isClosed() ? null : e);
        }
    }

    /** Runs {@code call} in the serial context and waits for it. */
    private void runSerially(Runnable call) {
        try {
            loop.submit(call).get();
        } catch (RejectedExecutionException closed) {
            // The connection finished meanwhile.
        } catch (ExecutionException e) {
            abort(e.getCause());   // fire* guard the handler: only a failure of our own gets here
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort(e);
        }
    }

    /** Closes stdout: the master sees EOF and closes the socket (with {@code reset}, nothing is left to flush anyway). */
    @Override
    protected void closeTransport(boolean reset) {
        try {
            out.close();
        } catch (IOException ignored) {
            // closed either way
        }
        wakeThreads();
    }

    @Override
    protected void afterClose() {
        loop.shutdown();
        done.complete(null);
    }

    /** Graceful stop asked (SIGTERM): the handler decides how to finish, within {@code grace}. */
    void shutdown(java.time.Duration grace) {
        ctx.closeConnections(grace);
    }

    @Override
    public long write(ByteBuffer[] bufs, int count) throws IOException {
        // A pipe takes one buffer at a time; a blocking write returns when all of it is in.
        ByteBuffer b = bufs[0];
        int n = b.remaining();
        while (b.hasRemaining()) out.write(b);
        return n;
    }

    @Override
    public long transfer(FileChannel file, long position, long count) throws IOException {
        return file.transferTo(position, count, out);
    }
}

package dev.polyserve.process;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * A client that connects, sends one line, reads the echo and closes, over and over, and sorts every attempt:
 * served, refused (ECONNREFUSED: nobody listening), reset (RST), or closed early (EOF before the echo).
 */
final class ClientLoop {
    final AtomicInteger served = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    final AtomicInteger reset = new AtomicInteger();
    final AtomicInteger closedEarly = new AtomicInteger();
    /** However long {@code done} takes to hold, the loop gives up after this (the test then fails saying so). */
    static final Duration MAX_RUN = Duration.ofMinutes(3);
    private final int port;

    ClientLoop(int port) {
        this.port = port;
    }

    int attempts() {
        return served.get() + refused.get() + reset.get() + closedEarly.get();
    }

    /** Runs at least {@code minimum} attempts and then until {@code done} holds; {@code at} runs once, before attempt {@code when}. */
    void run(int minimum, BooleanSupplier done, int when, Runnable at) {
        byte[] line = "ping\n".getBytes(StandardCharsets.US_ASCII);
        long giveUp = System.nanoTime() + MAX_RUN.toNanos();
        for (int i = 0; i < minimum || !done.getAsBoolean(); i++) {
            if (i >= minimum && System.nanoTime() - giveUp > 0) {
                throw new AssertionError("the awaited state did not come within " + MAX_RUN + " (" + this + ")");
            }
            if (i == when) at.run();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                s.setSoTimeout(30_000);
                s.getOutputStream().write(line);
                InputStream in = s.getInputStream();
                byte[] back = in.readNBytes(line.length);
                if (back.length == line.length) served.incrementAndGet();
                else closedEarly.incrementAndGet();
            } catch (ConnectException e) {
                refused.incrementAndGet();
            } catch (SocketException e) {
                reset.incrementAndGet();
            } catch (IOException e) {
                throw new AssertionError("unexpected client failure", e);
            }
        }
    }

    @Override
    public String toString() {
        return "served " + served + ", refused " + refused + ", reset " + reset + ", closed early " + closedEarly;
    }
}

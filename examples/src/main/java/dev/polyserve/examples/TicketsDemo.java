package dev.polyserve.examples;

import dev.polyserve.process.ipc.ChildJvm;
import dev.polyserve.process.ipc.ProcessLock;
import dev.polyserve.process.ipc.SharedMemory;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Lesson: a race between processes and the lock that prevents it, the course's ticket sale. Buyer processes share
 * the remaining stock in {@link SharedMemory}; each sale is "read the stock, if some is left write it back minus
 * one". With a {@link ProcessLock} around that read-modify-write, exactly the stock is sold. With
 * {@code --no-lock}, the bad interleaving is forced rather than hoped for: every buyer reads the stock and then
 * waits at a barrier until all have read it, so they all sell the same ticket and the shop oversells.
 */
final class TicketsDemo {
    static final int BUYERS = 4;
    static final int STOCK = 20;

    /** Slot layout of the shared segment. */
    static final int STOCK_SLOT = 0;
    static final int BARRIER_SLOT = 1;
    static final int START_SLOT = 2;
    static final int SOLD_SLOT = 3; // one per buyer from here

    /** Longest a buyer waits at the forced-race barrier before giving up (a sibling failed to start). */
    static final long BARRIER_LIMIT_NANOS = ProcessesDemo.STEP_LIMIT.toNanos();
    static final int BARRIER_TIMED_OUT = 2;

    record Result(boolean locked, long stockLeft, long[] soldPerBuyer) {
        long sold() {
            return Arrays.stream(soldPerBuyer).sum();
        }

        boolean lessonHeld() {
            return locked ? sold() == STOCK && stockLeft == 0 : sold() > STOCK;
        }
    }

    private TicketsDemo() {}

    static int main(PrintStream out, List<String> args) throws Exception {
        for (String a : args) {
            if (!a.equals("--no-lock")) throw new IllegalArgumentException("unknown option " + a + " (try --no-lock)");
        }
        return run(out, !args.contains("--no-lock")).lessonHeld() ? 0 : 1;
    }

    static Result run(PrintStream out, boolean locked) throws Exception {
        Path dir = Files.createTempDirectory("polyserve-tickets");
        Path shm = dir.resolve("stock.seg");
        Path lock = dir.resolve("stock.lock");
        try (SharedMemory mem = SharedMemory.create(shm, SOLD_SLOT + BUYERS)) {
            mem.set(STOCK_SLOT, STOCK);
            out.println(STOCK + " tickets, " + BUYERS + " buyer processes, " + (locked
                    ? "each sale under a ProcessLock."
                    : "NO lock, and every buyer reads the stock before any of them writes it back."));
            Process[] buyers = new Process[BUYERS];
            for (int b = 0; b < BUYERS; b++) {
                buyers[b] = ChildJvm.start(Buyer.class, shm.toString(), locked ? lock.toString() : "-", Integer.toString(b));
            }
            try {
                for (Process p : buyers) {
                    if (!p.waitFor(ProcessesDemo.STEP_LIMIT.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
                        throw new IllegalStateException("buyer " + p.pid() + " did not finish cleanly");
                    }
                }
            } finally {
                for (Process p : buyers) p.destroyForcibly();
            }
            Result r = new Result(locked, mem.get(STOCK_SLOT), mem.array(SOLD_SLOT, BUYERS).toArray());
            for (int b = 0; b < BUYERS; b++) out.println("  buyer " + b + " sold " + r.soldPerBuyer()[b]);
            out.println("Sold " + r.sold() + " tickets of " + STOCK + "; the stock now reads " + r.stockLeft() + ".");
            out.println("verdict: " + (locked
                    ? (r.lessonHeld() ? "with the lock, exactly " + STOCK + " tickets were sold: nothing oversold" : "UNEXPECTED: " + r.sold() + " sold")
                    : (r.lessonHeld() ? "without the lock, " + (r.sold() - STOCK) + " tickets were sold twice: a read-modify-write race between processes" : "UNEXPECTED: no oversale")));
            return r;
        } finally {
            Files.deleteIfExists(shm);
            Files.deleteIfExists(lock);
            Files.deleteIfExists(dir);
        }
    }

    /** A buyer process: args are the segment file, the lock file or "-", and the buyer's index. */
    public static final class Buyer {
        public static void main(String[] args) throws Exception {
            int me = Integer.parseInt(args[2]);
            try (SharedMemory mem = SharedMemory.attach(Path.of(args[0]));
                 ProcessLock lock = args[1].equals("-") ? null : ProcessLock.open(Path.of(args[1]))) {
                awaitAllBuyers(mem, START_SLOT); // start together, so the first JVM up does not sell everything alone
                boolean first = true;
                while (true) {
                    if (lock != null) lock.lock();
                    try {
                        long left = mem.get(STOCK_SLOT);              // read
                        if (left <= 0) return;
                        if (lock == null && first) awaitAllBuyers(mem, BARRIER_SLOT); // force the race: everyone has read
                        first = false;
                        mem.set(STOCK_SLOT, left - 1);                 // write back
                        mem.incrementAndGet(SOLD_SLOT + me);
                    } finally {
                        if (lock != null) lock.unlock();
                    }
                    Thread.yield(); // give the other buyers a turn at the counter
                }
            }
        }

        /** A one-shot barrier across processes: count in, then wait for the count to reach every buyer. */
        private static void awaitAllBuyers(SharedMemory mem, int slot) {
            mem.incrementAndGet(slot);
            long deadline = System.nanoTime() + BARRIER_LIMIT_NANOS;
            while (mem.get(slot) < BUYERS) {
                if (System.nanoTime() - deadline >= 0) System.exit(BARRIER_TIMED_OUT);
                LockSupport.parkNanos(100_000);
            }
        }
    }
}

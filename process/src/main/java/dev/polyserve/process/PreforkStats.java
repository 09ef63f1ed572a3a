package dev.polyserve.process;

import dev.polyserve.core.ServerStats;
import dev.polyserve.process.ipc.SharedMemory;

import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The layout of a prefork server's live statistics in one {@link SharedMemory} segment: a header the master writes,
 * then one row per worker slot that only that worker writes (single writer per row: plain volatile stores, no
 * locks). The master folds the counters of a worker that exits into the header's "retired" totals, so totals
 * survive restarts. {@code polyserve status} maps the same file read-only in spirit and prints it, and a worker
 * reads it whole for its service's metrics ({@link #totals}).
 *
 * <p>A service's own counters ({@link ServerStats#count}, e.g. HTTP responses by status) go in {@value #KEYS}
 * keyed columns: the key table in the header says which key each column holds, and the first worker to publish a
 * key claims a free column for it with a compare-and-set, so every process agrees without asking the master.
 *
 * <pre>
 * header (16 slots): MAGIC, VERSION, master pid, port, rows, started (epoch ms), workers replaced,
 *                    retired accepted, retired refused, retired bytes in, retired bytes out, (5 spare)
 * keys   (KEYS):     the key of each keyed column + 1 (0 = free)
 * retired (KEYS):    retired counts of each keyed column
 * row i  (8 + KEYS): pid, state, accepted, open, refused, bytes in, bytes out, updated (epoch ms), keyed counts
 * </pre>
 */
final class PreforkStats implements AutoCloseable {
    /** "psstats1" in ASCII: tells {@code status} the file is ours and complete. */
    static final long MAGIC = 0x7073737461747331L;
    static final long VERSION = 2;

    static final int HEADER = 16;
    /**
     * Keyed columns: 64 distinct keys. A server answers with a few dozen HTTP statuses at most; a key past the
     * table's end is still counted in its own process, only not in the whole-server view (logged once).
     */
    static final int KEYS = 64;
    private static final int KEY_TABLE = HEADER, RETIRED_KEYED = HEADER + KEYS, ROWS_START = HEADER + 2 * KEYS;
    static final int R_KEYED = 8;
    static final int ROW = R_KEYED + KEYS;

    static final int H_MAGIC = 0, H_VERSION = 1, H_MASTER_PID = 2, H_PORT = 3, H_ROWS = 4, H_STARTED = 5,
            H_REPLACED = 6, H_RETIRED_ACCEPTED = 7, H_RETIRED_REFUSED = 8, H_RETIRED_IN = 9, H_RETIRED_OUT = 10;
    static final int R_PID = 0, R_STATE = 1, R_ACCEPTED = 2, R_OPEN = 3, R_REFUSED = 4, R_IN = 5, R_OUT = 6, R_UPDATED = 7;

    /** A row's life: free, started but not serving, serving, draining (no longer accepting), warm spare. */
    static final long FREE = 0, STARTING = 1, READY = 2, DRAINING = 3, SPARE = 4;

    private static final Logger log = LoggerFactory.getLogger(PreforkStats.class);

    private final SharedMemory memory;
    /** Said once per process: the keyed columns are all taken. */
    private boolean tableFullLogged;

    private PreforkStats(SharedMemory memory) {
        this.memory = memory;
    }

    /** The master's segment: a header and {@code rows} empty rows. */
    static PreforkStats create(Path file, long masterPid, int port, int rows) throws IOException {
        SharedMemory m = SharedMemory.create(file, ROWS_START + rows * ROW);
        m.set(H_VERSION, VERSION);
        m.set(H_MASTER_PID, masterPid);
        m.set(H_PORT, port);
        m.set(H_ROWS, rows);
        m.set(H_STARTED, System.currentTimeMillis());
        m.set(H_MAGIC, MAGIC);  // last: a reader that sees MAGIC sees a complete header
        return new PreforkStats(m);
    }

    /** A worker's or a reader's view of an existing segment. */
    static PreforkStats attach(Path file) throws IOException {
        SharedMemory m = SharedMemory.attach(file);
        if (m.slots() < HEADER || m.get(H_MAGIC) != MAGIC || m.get(H_VERSION) != VERSION) {
            m.close();
            throw new IOException(file + " is not a polyserve prefork stats segment");
        }
        return new PreforkStats(m);
    }

    long header(int field) {
        return memory.get(field);
    }

    int rows() {
        return (int) memory.get(H_ROWS);
    }

    long row(int row, int field) {
        return memory.get(slot(row, field));
    }

    void setRow(int row, int field, long value) {
        memory.set(slot(row, field), value);
    }

    /** A worker copies its in-process counters into its row (it is the row's only writer). */
    void publish(int row, ServerStats stats) {
        setRow(row, R_ACCEPTED, stats.accepted());
        setRow(row, R_OPEN, stats.open());
        setRow(row, R_REFUSED, stats.refused());
        setRow(row, R_IN, stats.bytesIn());
        setRow(row, R_OUT, stats.bytesOut());
        stats.counted().forEach((key, n) -> {
            int column = column(key);
            if (column >= 0) setRow(row, R_KEYED + column, n);
            else if (!tableFullLogged) {
                tableFullLogged = true;
                log.warn("prefork stats: all {} keyed columns are taken; key {} is counted in pid {} only", KEYS, key,
                        ProcessHandle.current().pid());
            }
        });
        setRow(row, R_UPDATED, System.currentTimeMillis());
    }

    /** The column that holds {@code key}, claimed now if no process has yet; -1 when every column is taken. */
    private int column(int key) {
        for (int c = 0; c < KEYS; c++) {
            long held = memory.get(KEY_TABLE + c);
            if (held == key + 1L) return c;
            if (held == 0 && (memory.compareAndSet(KEY_TABLE + c, 0, key + 1L) || memory.get(KEY_TABLE + c) == key + 1L)) {
                return c;
            }
        }
        return -1;
    }

    /**
     * The whole server's counters: every exited worker's, every other worker's as last published, and
     * {@code self}'s live (the worker in {@code selfRow} asking).
     */
    ServerStats.Totals totals(int selfRow, ServerStats self) {
        long accepted = header(H_RETIRED_ACCEPTED), refused = header(H_RETIRED_REFUSED);
        long in = header(H_RETIRED_IN), out = header(H_RETIRED_OUT), open = 0;
        long[] keyed = new long[KEYS];
        for (int c = 0; c < KEYS; c++) keyed[c] = memory.get(RETIRED_KEYED + c);
        int serving = 1;
        for (int r = 0; r < rows(); r++) {
            if (r == selfRow || row(r, R_PID) == 0) continue;
            long state = row(r, R_STATE);
            if (state == READY || state == DRAINING) serving++;
            accepted += row(r, R_ACCEPTED);
            refused += row(r, R_REFUSED);
            open += row(r, R_OPEN);
            in += row(r, R_IN);
            out += row(r, R_OUT);
            for (int c = 0; c < KEYS; c++) keyed[c] += row(r, R_KEYED + c);
        }
        java.util.SortedMap<Integer, Long> counted = new java.util.TreeMap<>();
        for (int c = 0; c < KEYS; c++) {
            long key = memory.get(KEY_TABLE + c) - 1;
            if (key >= 0 && keyed[c] > 0) counted.put((int) key, keyed[c]);
        }
        self.counted().forEach((key, n) -> counted.merge(key, n, Long::sum));
        return new ServerStats.Totals(accepted + self.accepted(), refused + self.refused(), open + self.open(),
                in + self.bytesIn(), out + self.bytesOut(), serving, counted);
    }

    /** Master: a worker got {@code row}. */
    void claim(int row, long pid) {
        for (int f = R_STATE; f < ROW; f++) setRow(row, f, 0);
        setRow(row, R_PID, pid);
        setRow(row, R_STATE, STARTING);
    }

    /** Master: the worker in {@code row} is gone; keep its totals, free the row. */
    void retire(int row) {
        memory.addAndGet(H_RETIRED_ACCEPTED, row(row, R_ACCEPTED));
        memory.addAndGet(H_RETIRED_REFUSED, row(row, R_REFUSED));
        memory.addAndGet(H_RETIRED_IN, row(row, R_IN));
        memory.addAndGet(H_RETIRED_OUT, row(row, R_OUT));
        for (int c = 0; c < KEYS; c++) memory.addAndGet(RETIRED_KEYED + c, row(row, R_KEYED + c));
        for (int f = 0; f < ROW; f++) setRow(row, f, 0);
    }

    void workerReplaced() {
        memory.incrementAndGet(H_REPLACED);
    }

    private static int slot(int row, int field) {
        return ROWS_START + row * ROW + field;
    }

    Path file() {
        return memory.file();
    }

    @Override
    public void close() {
        memory.close();
    }
}

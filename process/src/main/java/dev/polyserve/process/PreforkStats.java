package dev.polyserve.process;

import dev.polyserve.core.ServerStats;
import dev.polyserve.process.ipc.SharedMemory;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The layout of a prefork server's live statistics in one {@link SharedMemory} segment: a header the master writes,
 * then one row per worker slot that only that worker writes (single writer per row: plain volatile stores, no
 * locks). The master folds the counters of a worker that exits into the header's "retired" totals, so totals
 * survive restarts. {@code polyserve status} maps the same file read-only in spirit and prints it.
 *
 * <pre>
 * header (16 slots): MAGIC, VERSION, master pid, port, rows, started (epoch ms), workers replaced,
 *                    retired accepted, retired refused, retired bytes in, retired bytes out, (5 spare)
 * row i  (8 slots):  pid, state, accepted, open, refused, bytes in, bytes out, updated (epoch ms)
 * </pre>
 */
final class PreforkStats implements AutoCloseable {
    /** "psstats1" in ASCII: tells {@code status} the file is ours and complete. */
    static final long MAGIC = 0x7073737461747331L;
    static final long VERSION = 1;

    static final int HEADER = 16;
    static final int ROW = 8;

    static final int H_MAGIC = 0, H_VERSION = 1, H_MASTER_PID = 2, H_PORT = 3, H_ROWS = 4, H_STARTED = 5,
            H_REPLACED = 6, H_RETIRED_ACCEPTED = 7, H_RETIRED_REFUSED = 8, H_RETIRED_IN = 9, H_RETIRED_OUT = 10;
    static final int R_PID = 0, R_STATE = 1, R_ACCEPTED = 2, R_OPEN = 3, R_REFUSED = 4, R_IN = 5, R_OUT = 6, R_UPDATED = 7;

    /** A row's life: free, started but not serving, serving, draining (no longer accepting), warm spare. */
    static final long FREE = 0, STARTING = 1, READY = 2, DRAINING = 3, SPARE = 4;

    private final SharedMemory memory;

    private PreforkStats(SharedMemory memory) {
        this.memory = memory;
    }

    /** The master's segment: a header and {@code rows} empty rows. */
    static PreforkStats create(Path file, long masterPid, int port, int rows) throws IOException {
        SharedMemory m = SharedMemory.create(file, HEADER + rows * ROW);
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
        setRow(row, R_UPDATED, System.currentTimeMillis());
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
        for (int f = 0; f < ROW; f++) setRow(row, f, 0);
    }

    void workerReplaced() {
        memory.incrementAndGet(H_REPLACED);
    }

    private static int slot(int row, int field) {
        return HEADER + row * ROW + field;
    }

    Path file() {
        return memory.file();
    }

    @Override
    public void close() {
        memory.close();
    }
}

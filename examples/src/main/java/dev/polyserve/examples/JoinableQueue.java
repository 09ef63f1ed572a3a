package dev.polyserve.examples;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded blocking queue that also counts unfinished work: the course's {@code JoinableQueue}.
 * {@link #put} adds a task, a consumer calls {@link #taskDone} when it has <em>finished</em> one (not when it
 * took it), and {@link #join} waits until every task put so far is done.
 *
 * <p>Stopping is explicit instead of by poison pills: after {@link #close}, puts are refused and {@link #take}
 * hands out what is left, then returns empty to every consumer. With pills, the producer must know how many
 * consumers there are and a pill can overtake real work from another producer; closing has neither race.
 */
final class JoinableQueue<T> {
    private final int capacity;
    private final ArrayDeque<T> items = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmptyOrClosed = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final Condition allDone = lock.newCondition();
    private long unfinished; // put but not yet taskDone; guarded by lock
    private boolean closed;  // guarded by lock

    JoinableQueue(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1");
        this.capacity = capacity;
    }

    /** Adds a task, waiting while the queue is full. */
    void put(T item) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (items.size() == capacity && !closed) notFull.await();
            add(item);
        } finally {
            lock.unlock();
        }
    }

    /** Adds a task if there is room within {@code timeout}; false if the queue stayed full (Python's {@code Full}). */
    boolean offer(T item, Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lockInterruptibly();
        try {
            while (items.size() == capacity && !closed) {
                if (nanos <= 0) return false;
                nanos = notFull.awaitNanos(nanos);
            }
            add(item);
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void add(T item) {
        if (closed) throw new IllegalStateException("queue is closed");
        items.add(item);
        unfinished++;
        notEmptyOrClosed.signal();
    }

    /** The next task, waiting for one; empty once the queue is closed and drained. */
    Optional<T> take() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (items.isEmpty() && !closed) notEmptyOrClosed.await();
            return Optional.ofNullable(remove());
        } finally {
            lock.unlock();
        }
    }

    /** The next task if one arrives within {@code timeout} (Python's {@code Empty} otherwise, or after close). */
    Optional<T> poll(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lockInterruptibly();
        try {
            while (items.isEmpty() && !closed) {
                if (nanos <= 0) return Optional.empty();
                nanos = notEmptyOrClosed.awaitNanos(nanos);
            }
            return Optional.ofNullable(remove());
        } finally {
            lock.unlock();
        }
    }

    private T remove() {
        T item = items.poll();
        if (item != null) notFull.signal();
        return item;
    }

    /** Marks one taken task finished. Calling it more often than tasks were put is a bug and throws. */
    void taskDone() {
        lock.lock();
        try {
            if (unfinished == 0) throw new IllegalStateException("taskDone() called more times than there were tasks");
            if (--unfinished == 0) allDone.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every task put so far has been marked done. */
    void join() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (unfinished > 0) allDone.await();
        } finally {
            lock.unlock();
        }
    }

    /** Like {@link #join()} with a limit; false if work was still unfinished when it ran out. */
    boolean join(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lockInterruptibly();
        try {
            while (unfinished > 0) {
                if (nanos <= 0) return false;
                nanos = allDone.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** No more puts; consumers drain what is left and then get empty. Idempotent. */
    void close() {
        lock.lock();
        try {
            closed = true;
            notEmptyOrClosed.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return items.size();
        } finally {
            lock.unlock();
        }
    }
}

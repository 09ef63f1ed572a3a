package dev.polyserve.examples;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lesson: an event, the course's traffic light. Cars are threads that wait on an {@link Event}; the light sets it
 * (green) and clears it (red). The light turns green only once the cars of a wave are all waiting, so what the
 * demo shows does not depend on timing: no car passes on red, and every car passes once the light is green.
 */
final class EventDemo {
    static final int WAVES = 2;
    static final int CARS_PER_WAVE = 4;
    static final Duration LIMIT = ProcessesDemo.STEP_LIMIT;

    /** A car that passed, with the light's turn number at that moment. */
    record Passage(String car, long greenTurn) {}

    record Result(List<Long> greenTurns, List<Passage> passages, int passedOnRed) {
        boolean lessonHeld() {
            return passedOnRed == 0 && passages.size() == WAVES * CARS_PER_WAVE;
        }
    }

    private EventDemo() {}

    static int main(PrintStream out, List<String> args) throws Exception {
        return run(out).lessonHeld() ? 0 : 1;
    }

    static Result run(PrintStream out) throws Exception {
        Event green = new Event();
        AtomicLong turn = new AtomicLong(); // odd = green, even = red
        AtomicInteger waiting = new AtomicInteger();
        AtomicInteger passedOnRed = new AtomicInteger();
        ConcurrentLinkedQueue<Passage> passages = new ConcurrentLinkedQueue<>();
        List<Long> greens = new ArrayList<>();
        out.println("The light is red.");
        for (int wave = 0; wave < WAVES; wave++) {
            List<Thread> cars = new ArrayList<>();
            for (int c = 0; c < CARS_PER_WAVE; c++) {
                String name = "car " + (char) ('A' + wave * CARS_PER_WAVE + c);
                cars.add(Thread.ofPlatform().name(name).start(() -> {
                    try {
                        out.println(name + " arrives and waits for green.");
                        waiting.incrementAndGet();
                        if (!green.await(LIMIT)) return;
                        long t = turn.get();
                        if (t % 2 == 0) passedOnRed.incrementAndGet();
                        passages.add(new Passage(name, t));
                        out.println(name + " passes.");
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            int expected = (wave + 1) * CARS_PER_WAVE;
            Await.orFail(LIMIT, "cars to queue at the light", () -> waiting.get() == expected);
            greens.add(turn.incrementAndGet());
            out.println("The light turns GREEN (event.set()).");
            green.set();
            for (Thread car : cars) car.join(LIMIT.toMillis());
            green.clear();
            turn.incrementAndGet();
            out.println("The light turns RED (event.clear()).");
        }
        Result r = new Result(greens, List.copyOf(passages), passedOnRed.get());
        out.println("verdict: " + (r.lessonHeld()
                ? "all " + r.passages().size() + " cars waited for the event and passed only on green"
                : "UNEXPECTED: " + r));
        return r;
    }
}

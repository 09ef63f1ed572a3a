package dev.polyserve.loadgen;

/** Receives the run's progress a few times a second, on the coordinating thread. */
public interface ProgressDisplay {
    /** Shows nothing: for tests and scripted runs that only want the result. */
    ProgressDisplay NONE = new ProgressDisplay() {
        @Override public void connecting(long connected, int requested) {}
        @Override public void running(Phase phase, double elapsedSeconds, double totalSeconds, double messagesPerSecond, long connected, int requested) {}
        @Override public void done() {}
    };

    enum Phase { WARMUP, MEASURING, DRAINING }

    void connecting(long connected, int requested);

    void running(Phase phase, double elapsedSeconds, double totalSeconds, double messagesPerSecond, long connected, int requested);

    /** The run is over; leave the terminal clean for the report. */
    void done();
}

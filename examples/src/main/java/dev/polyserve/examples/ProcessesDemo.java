package dev.polyserve.examples;

import dev.polyserve.process.ipc.ChildJvm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Lesson: processes and their life cycle. The course's {@code os.fork()} / {@code multiprocessing.Process}:
 * start, PID and parent PID, join with a timeout, is-alive, terminate, daemon children that die with their
 * parent, and the two ways a process outlives its bookkeeping: orphans (parent gone, adopted by a reaper) and
 * zombies (exited, not yet reaped by {@code wait}).
 *
 * <p>A JVM cannot fork, so a child here is a new JVM running {@link Child}. The JDK reaps the children it starts
 * by itself, so the zombie is made the classic way, with a shell: {@code sh -c 'head & exec sleep'} leaves
 * {@code head}, once it has read its line, exited under a parent ({@code sleep}) that never calls {@code wait}.
 */
final class ProcessesDemo {
    /** Upper bound for any single step; a cold JVM on a busy 2-core machine can take a few seconds. */
    static final Duration STEP_LIMIT = Duration.ofSeconds(30);
    /** The "join(timeout)" the lesson shows returning while the child still runs. */
    static final Duration JOIN_TIMEOUT = Duration.ofMillis(300);
    /** How long the zombie's parent would sleep if nobody stopped it (the demo stops it much sooner). */
    static final int ZOMBIE_PARENT_SECONDS = 60;

    /** What the run showed. */
    record Result(boolean childSawUsAsParent, boolean aliveAfterJoinTimeout, int terminatedExitStatus,
                  boolean daemonDiedWithParent, boolean zombieSeen, boolean orphanAdopted, boolean reaped) {
        boolean lessonHeld() {
            return childSawUsAsParent && aliveAfterJoinTimeout && terminatedExitStatus == 128 + 15
                    && daemonDiedWithParent && zombieSeen && orphanAdopted && reaped;
        }
    }

    private ProcessesDemo() {}

    static int main(PrintStream out, List<String> args) throws Exception {
        return run(out).lessonHeld() ? 0 : 1;
    }

    static Result run(PrintStream out) throws Exception {
        long me = ProcessHandle.current().pid();
        out.println("This JVM is process " + me + ".");

        // 1. start, pid, parent pid, join with timeout, is_alive, terminate
        Process child = ChildJvm.start(Child.class, "report");
        boolean sawUs;
        boolean aliveAfterJoin;
        int status;
        try {
            BufferedReader fromChild = reader(child);
            long reportedParent = Long.parseLong(fromChild.readLine().trim());
            sawUs = reportedParent == me;
            out.println("Started a child JVM: pid " + child.pid() + "; it reports its parent pid as " + reportedParent
                    + (sawUs ? " (us)." : " (not us!)."));
            boolean ended = child.waitFor(JOIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            aliveAfterJoin = !ended && child.isAlive();
            out.println("join(timeout=" + JOIN_TIMEOUT.toMillis() + " ms) returned; the child is still alive: " + child.isAlive());
            child.destroy(); // SIGTERM, like Process.terminate()
            child.waitFor(STEP_LIMIT.toSeconds(), TimeUnit.SECONDS);
            status = child.exitValue();
            out.println("terminate() sent SIGTERM; exit status " + status + " (128 + signal 15); alive: " + child.isAlive());
        } finally {
            child.destroyForcibly();
        }

        // 2. a daemon-like child dies with its parent
        boolean daemonDied = daemonDiesWithParent(out);

        // 3. zombie and orphan, then reaped
        ZombieOutcome z = zombieThenReaped(out, me);

        Result r = new Result(sawUs, aliveAfterJoin, status, daemonDied, z.seen, z.adopted, z.reaped);
        out.println("verdict: " + (r.lessonHeld()
                ? "processes start, are joined with a timeout, terminated, die with their parent, and a zombie stays 'Z' until someone calls wait"
                : "UNEXPECTED: " + r));
        return r;
    }

    private static boolean daemonDiesWithParent(PrintStream out) throws Exception {
        Process middle = ChildJvm.start(Child.class, "middle");
        try {
            long daemonPid = Long.parseLong(reader(middle).readLine().trim());
            out.println("A parent JVM (pid " + middle.pid() + ") started a daemon child (pid " + daemonPid
                    + ") that lives only as long as its parent's pipe is open.");
            middle.destroyForcibly(); // SIGKILL: the parent gets no chance to clean up
            middle.waitFor(STEP_LIMIT.toSeconds(), TimeUnit.SECONDS);
            boolean died = Await.until(STEP_LIMIT, () -> ProcStat.hasExited(daemonPid));
            out.println("Killed the parent with SIGKILL; its daemon child " + (died ? "exited too." : "is STILL running."));
            return died;
        } finally {
            middle.destroyForcibly();
        }
    }

    private record ZombieOutcome(boolean seen, boolean adopted, boolean reaped) {}

    private static ZombieOutcome zombieThenReaped(PrintStream out, long me) throws Exception {
        // Adopt orphaned descendants, as init does, so that this JVM is the one that reaps the zombie below.
        Posix.setChildSubreaper(true);
        // The shell starts `head` in the background, reading a line from the shell's stdin (fd 3), then replaces
        // itself with `sleep` (same pid), a parent that never calls wait. Only once `sleep` runs do we send the
        // line, so `head` always exits under a parent that will not reap it.
        Process parent = new ProcessBuilder("/bin/sh", "-c",
                "exec 3<&0; head -n 1 <&3 >/dev/null & echo $!; exec sleep " + ZOMBIE_PARENT_SECONDS)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            long zombie = Long.parseLong(reader(parent).readLine().trim());
            Await.orFail(STEP_LIMIT, "the shell to become sleep", () -> command(parent.pid()).equals("sleep"));
            parent.getOutputStream().write('\n');
            parent.getOutputStream().flush();
            boolean seen = Await.until(STEP_LIMIT, () -> ProcStat.of(zombie).map(s -> s.state() == 'Z').orElse(false));
            out.println("Process " + zombie + " (head) has exited, but its parent " + parent.pid()
                    + " (sleep) never calls wait: /proc says " + describe(zombie) + ".");

            parent.destroy();
            parent.waitFor(STEP_LIMIT.toSeconds(), TimeUnit.SECONDS);
            boolean adopted = Await.until(STEP_LIMIT, () -> ProcStat.of(zombie).map(s -> s.ppid() == me).orElse(false));
            out.println("Its parent is gone: the orphan was adopted by us (the subreaper); /proc says "
                    + describe(zombie) + ", parent " + ProcStat.of(zombie).map(ProcStat::ppid).orElse(-1L) + ".");

            int status = adopted ? Posix.waitpid(zombie) : -1;
            boolean reaped = adopted && ProcStat.of(zombie).isEmpty();
            out.println("We called waitpid(" + zombie + "): exit status " + (status >> 8 & 0xff)
                    + "; /proc now says " + describe(zombie) + ".");
            return new ZombieOutcome(seen, adopted, reaped);
        } finally {
            parent.destroyForcibly();
            Posix.setChildSubreaper(false);
        }
    }

    /** The program name the kernel shows for {@code pid} ({@code /proc/PID/comm}), or "" if it is gone. */
    private static String command(long pid) {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (IOException gone) {
            return "";
        }
    }

    private static String describe(long pid) {
        return ProcStat.of(pid).map(s -> "'" + s.state() + "' (" + ProcStat.describe(s.state()) + ")").orElse("no such process (reaped)");
    }

    private static BufferedReader reader(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    /**
     * The child JVM. {@code report}: prints its parent's pid, then waits for its stdin to close (so that it is
     * alive until terminated). {@code middle}: starts a {@code daemon} child, prints its pid, waits likewise.
     * {@code daemon}: exits when its stdin reaches end of file, which happens when its parent dies.
     */
    public static final class Child {
        public static void main(String[] args) throws IOException {
            switch (args[0]) {
                case "report" -> {
                    ProcessHandle parent = ProcessHandle.current().parent().orElseThrow();
                    System.out.println(parent.pid());
                    System.out.flush();
                    // Not stdin: Process.destroy() closes our stdin right after the SIGTERM, and an EOF would race
                    // the signal. Waiting for the parent to end keeps us alive until terminated, never orphaned.
                    parent.onExit().join();
                    return;
                }
                case "middle" -> {
                    Process daemon = ChildJvm.start(Child.class, "daemon");
                    System.out.println(daemon.pid());
                    System.out.flush();
                }
                case "daemon" -> { }
                default -> throw new IllegalArgumentException("unknown role " + args[0]);
            }
            System.in.transferTo(java.io.OutputStream.nullOutputStream()); // until the parent's end of the pipe closes
        }
    }
}

package dev.polyserve.examples;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The two libc calls the zombie lesson needs and the JDK does not offer, through the FFM API:
 * {@code prctl(PR_SET_CHILD_SUBREAPER)} (adopt orphaned descendants, as init does) and {@code waitpid} (reap one).
 */
@SuppressWarnings("restricted") // native calls: the launcher and surefire pass --enable-native-access=ALL-UNNAMED
final class Posix {
    /** From linux/prctl.h. */
    private static final int PR_SET_CHILD_SUBREAPER = 36;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle PRCTL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("prctl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
    private static final MethodHandle WAITPID = LINKER.downcallHandle(
            LINKER.defaultLookup().find("waitpid").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, java.lang.foreign.ValueLayout.ADDRESS, JAVA_INT));

    private Posix() {}

    /** Makes this process the reaper of its orphaned descendants (on) or stops (off). */
    static void setChildSubreaper(boolean on) {
        int rc;
        try {
            rc = (int) PRCTL.invokeExact(PR_SET_CHILD_SUBREAPER, on ? 1L : 0L, 0L, 0L, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("prctl failed", t);
        }
        if (rc != 0) throw new IllegalStateException("prctl(PR_SET_CHILD_SUBREAPER) returned " + rc);
    }

    /** Waits for child {@code pid} to end and reaps it; returns its raw wait status. */
    static int waitpid(long pid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(JAVA_INT);
            int rc = (int) WAITPID.invokeExact((int) pid, status, 0);
            if (rc != pid) throw new IllegalStateException("waitpid(" + pid + ") returned " + rc);
            return status.get(JAVA_INT, 0);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("waitpid failed", t);
        }
    }
}

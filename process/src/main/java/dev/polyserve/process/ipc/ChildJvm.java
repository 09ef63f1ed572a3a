package dev.polyserve.process.ipc;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a {@code main} class in a new JVM: the JVM's stand-in for {@code fork()} + run a function. The child
 * runs the same {@code java} binary with the same class path as this process, so any class this process can
 * load can be a child's entry point. Standard error is inherited (children's logs show up with ours);
 * standard input and output are pipes the caller owns.
 *
 * <p>Meant for short-lived helpers (demo children, test children): they run with the serial collector and the
 * C1 compiler only, which start fastest. Long-running server workers should be launched with their own flags
 * (the prefork master does).
 */
public final class ChildJvm {

    /**
     * Flags every child gets: native access for the FFM-based parts, and the serial collector with C1 only because children
     * of demos and tests are short-lived and many run at once on small machines.
     */
    static final List<String> CHILD_FLAGS = List.of("--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
            "-Xshare:auto", "-XX:TieredStopAtLevel=1");

    private ChildJvm() {}

    /** The command line that runs {@code mainClass} with {@code args} in a new JVM. */
    public static List<String> command(Class<?> mainClass, String... args) {
        String java = ProcessHandle.current().info().command()
                .orElse(System.getProperty("java.home") + "/bin/java");
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(CHILD_FLAGS);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Starts the child; the caller must wait for or destroy the returned process. */
    public static Process start(Class<?> mainClass, String... args) throws IOException {
        return new ProcessBuilder(command(mainClass, args))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }
}

package dev.polyserve.process;

import dev.polyserve.core.ServerConfig;
import dev.polyserve.core.Service;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts child JVMs that rebuild the master's service: either by re-running the command line the configuration
 * names ({@link ServerConfig#relaunchCommand()}, which the CLI sets to its own) or by running {@link ChildMain} on the
 * same class path with the configuration in one environment variable. One launcher per kind of child,
 * each with its own CDS archive.
 */
final class ChildLauncher {
    /** Environment of a {@link ChildMain} child: the service's class, and the whole configuration in one line. */
    static final String SERVICE_CLASS = "POLYSERVE_SERVICE_CLASS";
    static final String SERVER_CONFIG = "POLYSERVE_SERVER_CONFIG";

    private final List<String> command;
    private final Map<String, String> baseEnvironment;
    private final CdsArchive cds;

    private ChildLauncher(List<String> command, Map<String, String> baseEnvironment, CdsArchive cds) {
        this.command = command;
        this.baseEnvironment = baseEnvironment;
        this.cds = cds;
    }

    /**
     * A launcher for children of {@code role} ("stdio" or "prefork-worker") serving {@code service} with
     * {@code config}; {@code childJvmOptions} are added for this kind of child (e.g. start-up tuning).
     *
     * @throws IllegalArgumentException when the service cannot be rebuilt in a child
     */
    static ChildLauncher create(String role, ServerConfig config, Service service, List<String> childJvmOptions) {
        childJvmOptions = withEveryChildsOptions(childJvmOptions);
        List<String> cmd = new ArrayList<>();
        Map<String, String> env = new java.util.HashMap<>();
        env.put(ChildRole.ROLE, role);
        List<String> argv = config.relaunchCommand();
        if (!argv.isEmpty()) {
            cmd.add(argv.getFirst());
            cmd.addAll(childJvmOptions);
            for (String arg : argv.subList(1, argv.size())) {
                // The launcher's own archive options would make every child write one shared archive at exit;
                // children get theirs from CdsArchive instead.
                if (!isArchiveOption(arg)) cmd.add(arg);
            }
        } else {
            requireRebuildable(service);
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("--enable-native-access=ALL-UNNAMED");
            cmd.addAll(childJvmOptions);
            for (String p : List.of("org.slf4j.simpleLogger.defaultLogLevel", "java.io.tmpdir")) {
                String v = System.getProperty(p);
                if (v != null) cmd.add("-D" + p + "=" + v);
            }
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(ChildMain.class.getName());
            env.put(SERVICE_CLASS, service.getClass().getName());
            env.put(SERVER_CONFIG, ServerConfigCodec.encode(config));
        }
        return new ChildLauncher(List.copyOf(cmd), Map.copyOf(env), CdsArchive.forCommand(role, cmd));
    }

    /**
     * Options every child JVM gets, whatever its role and however it is launched. A heap out of memory is fatal
     * (exit status 3), as in the launcher: a per-connection child or a prefork worker whose heap ran out would
     * otherwise stay alive serving nothing, where its exit ends one connection or lets the supervisor restart it.
     */
    static final List<String> EVERY_CHILD_JVM_OPTIONS = List.of("-XX:+ExitOnOutOfMemoryError");

    private static List<String> withEveryChildsOptions(List<String> childJvmOptions) {
        List<String> all = new ArrayList<>(EVERY_CHILD_JVM_OPTIONS);
        all.addAll(childJvmOptions);
        return List.copyOf(all);
    }

    /** A JVM option that names or writes a CDS/AOT archive. */
    static boolean isArchiveOption(String arg) {
        return arg.startsWith("-XX:SharedArchiveFile=") || arg.equals("-XX:+AutoCreateSharedArchive")
                || arg.startsWith("-XX:ArchiveClassesAtExit=") || arg.startsWith("-XX:AOTCache")
                || arg.startsWith("-XX:AOTMode=") || arg.startsWith("-XX:AOTConfiguration=");
    }

    private static void requireRebuildable(Service service) {
        Class<?> c = service.getClass();
        boolean ok = Modifier.isPublic(c.getModifiers()) && !c.isAnonymousClass() && !c.isSynthetic() && !c.isHidden();
        if (ok) {
            try {
                Constructor<?> k = c.getConstructor();
                ok = Modifier.isPublic(k.getModifiers());
            } catch (NoSuchMethodException e) {
                ok = false;
            }
        }
        if (!ok) {
            throw new IllegalArgumentException("service " + c.getName() + " cannot be rebuilt in a child JVM: give it a"
                    + " public no-argument constructor, or start the server through the polyserve command");
        }
    }

    /** The command every child of this launcher runs (before its per-launch CDS option). */
    List<String> command() {
        return command;
    }

    CdsArchive cds() {
        return cds;
    }

    /** Starts one child with {@code extraEnvironment} on top of the role's; stdin/stdout/stderr as {@code pb} says. */
    Process start(Map<String, String> extraEnvironment, ProcessBuilder.Redirect stdin, ProcessBuilder.Redirect stdout)
            throws IOException {
        CdsArchive.Launch launch = cds.next();
        List<String> argv = new ArrayList<>(command.size() + 1);
        argv.add(command.getFirst());
        argv.addAll(launch.jvmOptions());
        argv.addAll(command.subList(1, command.size()));
        ProcessBuilder pb = new ProcessBuilder(argv)
                .redirectInput(stdin).redirectOutput(stdout).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().putAll(baseEnvironment);
        pb.environment().putAll(extraEnvironment);
        try {
            Process p = pb.start();
            cds.started(launch, p);
            return p;
        } catch (IOException | RuntimeException e) {
            cds.notStarted(launch);
            throw e;
        }
    }
}

package dev.polyserve.process;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An AppCDS archive for one kind of child JVM, so children map already-parsed classes instead of loading them
 * from jars (start-up is dominated by class loading). The first child is started with
 * {@code -XX:ArchiveClassesAtExit} on a temporary file; when it exits the master renames the file into place
 * (atomic), and every later child starts with {@code -XX:SharedArchiveFile}. Only one child trains at a time, so
 * no child ever maps a half-written archive ({@code -XX:+AutoCreateSharedArchive} would let many concurrent
 * children write the same file). A stale or unusable archive is ignored by the JVM ({@code -Xshare:auto}).
 */
final class CdsArchive {
    private static final Logger log = LoggerFactory.getLogger(CdsArchive.class);

    /** {@code -Dpolyserve.cds=off} starts children without an archive: to measure what the archive saves. */
    static final boolean ENABLED = !"off".equals(System.getProperty("polyserve.cds"));

    private final Path archive;
    private final AtomicBoolean training = new AtomicBoolean();

    private CdsArchive(Path archive) {
        this.archive = archive;
    }

    /** The archive for children started by {@code command} (its JVM, class path and role determine the classes). */
    static CdsArchive forCommand(String role, List<String> command) {
        if (!ENABLED || !jarsOnly(command)) return new CdsArchive(null);
        String key = String.join("\0", command) + "\0" + role + "\0" + System.getProperty("java.home")
                + "\0" + System.getProperty("java.vm.version");
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "polyserve-cds");
        return new CdsArchive(dir.resolve(role + "-" + sha256(key).substring(0, 16) + ".jsa"));
    }

    /** The archive file, or null when children run without one. */
    Path path() {
        return archive;
    }

    /**
     * Whether the command's class path holds jars only: CDS archives classes from jars, and a JVM asked to dump an
     * archive with a non-empty directory on its class path fails at exit (status 1), as under {@code target/classes}.
     */
    static boolean jarsOnly(List<String> command) {
        for (int i = 0; i < command.size() - 1; i++) {
            String a = command.get(i);
            if (a.equals("-jar")) return true;
            if (a.equals("-cp") || a.equals("-classpath") || a.equals("--class-path")) {
                for (String entry : command.get(i + 1).split(java.io.File.pathSeparator)) {
                    if (entry.isEmpty() || Files.isDirectory(Path.of(entry))) return false;
                }
                return true;
            }
        }
        return false;
    }

    /** JVM options for the next child; {@link #started} must be told which process got them. */
    Launch next() {
        if (archive == null) return new Launch(List.of(), null);
        if (Files.isRegularFile(archive)) return new Launch(List.of("-XX:SharedArchiveFile=" + archive), null);
        if (!training.compareAndSet(false, true)) return new Launch(List.of(), null);
        try {
            Files.createDirectories(archive.getParent());
            Path tmp = Files.createTempFile(archive.getParent(), archive.getFileName().toString(), ".tmp");
            Files.delete(tmp);  // the JVM creates it at exit; an empty file would read as a broken archive
            return new Launch(List.of("-XX:ArchiveClassesAtExit=" + tmp), tmp);
        } catch (IOException e) {
            log.warn("no CDS archive for children ({}): {}", archive, e.getMessage());
            return new Launch(List.of(), null);
        }
    }

    /** Options for one child, and the training file it writes at exit (null when it is not training). */
    record Launch(List<String> jvmOptions, Path trainingFile) {}

    /** Call with the process started with {@code launch}; a training child's archive is installed when it exits. */
    void started(Launch launch, Process process) {
        if (launch.trainingFile() == null) return;
        process.onExit().thenRun(() -> {
            Path tmp = launch.trainingFile();
            try {
                if (Files.isRegularFile(tmp) && Files.size(tmp) > 0) {
                    Files.move(tmp, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    log.info("CDS archive for child JVMs written: {}", archive);
                } else {
                    log.debug("training child pid {} wrote no CDS archive (exit status {})", process.pid(), process.exitValue());
                    Files.deleteIfExists(tmp);
                }
            } catch (IOException e) {
                log.warn("cannot install CDS archive {}: {}", archive, e.getMessage());
            } finally {
                training.set(false);
            }
        });
    }

    /** Training failed to start: let the next child try. */
    void notStarted(Launch launch) {
        if (launch.trainingFile() != null) training.set(false);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}

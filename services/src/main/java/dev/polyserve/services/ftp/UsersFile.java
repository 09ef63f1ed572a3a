package dev.polyserve.services.ftp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The users file: one user per line, {@code NAME:PERM:HASH:HOME}, where PERM is {@code r} or {@code rw}, HASH
 * is a {@link PasswordHash} and HOME is the rest of the line (so it may contain ':'); a relative HOME is taken
 * against the server's --root. Blank lines and lines starting with '#' are ignored.
 */
public final class UsersFile {
    /** User names: letters, digits, '.', '_' and '-', 1 to 32 characters (the useradd convention). */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,32}");

    /** One line of the file. */
    public record Entry(String name, boolean canWrite, String hash, String home) {
        public Entry {
            if (!NAME.matcher(name).matches()) throw new IllegalArgumentException("bad user name: " + name);
            if (!PasswordHash.wellFormed(hash)) throw new IllegalArgumentException("bad password hash for " + name);
            if (home.isEmpty() || home.contains("\n")) throw new IllegalArgumentException("bad home for " + name);
        }

        String line() {
            return name + ":" + (canWrite ? "rw" : "r") + ":" + hash + ":" + home;
        }
    }

    private final Map<String, Entry> entries;

    private UsersFile(Map<String, Entry> entries) {
        this.entries = entries;
    }

    /** Reads {@code file}; a missing file is an empty set of users. */
    public static UsersFile load(Path file) throws IOException {
        Map<String, Entry> m = new LinkedHashMap<>();
        if (!Files.exists(file)) return new UsersFile(m);
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.split(":", 4);
            if (f.length != 4 || !(f[1].equals("r") || f[1].equals("rw"))) {
                throw new IOException(file + ":" + n + ": expected NAME:r|rw:HASH:HOME");
            }
            try {
                m.put(f[0], new Entry(f[0], f[1].equals("rw"), f[2], f[3]));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ":" + n + ": " + e.getMessage(), e);
            }
        }
        return new UsersFile(m);
    }

    public Optional<Entry> get(String name) {
        return Optional.ofNullable(entries.get(name));
    }

    public List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    /** Adds or replaces a user. */
    public void put(Entry e) {
        entries.put(e.name(), e);
    }

    /** Removes a user; false if there was none of that name. */
    public boolean remove(String name) {
        return entries.remove(name) != null;
    }

    /** Writes the file atomically, readable by its owner only (it holds password hashes). */
    public void save(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("# polyserve FTP users: NAME:r|rw:pbkdf2-sha256$ITERATIONS$SALT$HASH:HOME");
        for (Entry e : entries.values()) lines.add(e.line());
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".users-", ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // Non-POSIX file system: keep its default permissions.
            }
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}

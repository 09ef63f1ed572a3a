package dev.polyserve.services.ftp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One user's view of the disk: a virtual tree whose "/" is the user's home, with a current directory.
 * Every path a client names goes through {@link #resolve}, which refuses anything that would leave the root:
 * {@code ..} past "/", NUL bytes, backslashes, percent-encoded dots, slashes or NULs, over-long names, and
 * symbolic links whose target lies outside. Like pyftpdlib's AbstractedFS, but refusing instead of clamping,
 * so a probe is visible in the log.
 */
final class UserFileSystem {
    /** Longest path a client may name, in UTF-8 bytes: Linux PATH_MAX is 4096; leave room for the root. */
    static final int MAX_PATH_BYTES = 1024;
    /** Longest single name, in UTF-8 bytes: NAME_MAX on Linux file systems (ext4, xfs, tmpfs). */
    static final int MAX_NAME_BYTES = 255;
    /**
     * %2e, %2f, %5c and %00 (any case): percent-encoded '.', '/', '\' and NUL, and %c0, %c1, %e0: lead bytes
     * of overlong UTF-8 forms of them (%c0%ae). FTP paths are not URLs, so a client never needs to send these;
     * a program that decodes them later would turn them into a traversal, so they are refused outright.
     */
    private static final Pattern ENCODED_PATH_SYNTAX = Pattern.compile("(?i)%(2e|2f|5c|00|c0|c1|e0)");

    /** A client path that may not be used, with the reason for the log. */
    static final class PathRefused extends Exception {
        PathRefused(String reason) {
            super(reason, null, false, false);
        }
    }

    /** A path resolved inside the root: its virtual name (for replies) and where it really is. */
    record Resolved(String virtual, Path real) {
        String name() {
            int slash = virtual.lastIndexOf('/');
            return virtual.substring(slash + 1);
        }
    }

    private final Path root;
    private final boolean writable;
    private String cwd = "/";

    /** @param root an existing directory; it is resolved to its real path once, here */
    UserFileSystem(Path root, boolean writable) throws IOException {
        this.root = root.toRealPath();
        if (!Files.isDirectory(this.root)) throw new IOException("home is not a directory: " + root);
        this.writable = writable;
    }

    String cwd() {
        return cwd;
    }

    boolean writable() {
        return writable;
    }

    /** Changes the current directory to {@code dir}, which must be an existing directory inside the root. */
    void changeDirectory(Resolved dir) {
        cwd = dir.virtual();
    }

    /**
     * Resolves {@code clientPath} (absolute from the user's root, or relative to the current directory).
     *
     * @throws PathRefused if the path is malformed or would name anything outside the root
     */
    Resolved resolve(String clientPath) throws PathRefused {
        if (clientPath.indexOf('\0') >= 0) throw new PathRefused("NUL byte in path");
        if (clientPath.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw new PathRefused("path longer than " + MAX_PATH_BYTES + " bytes");
        }
        if (clientPath.indexOf('\\') >= 0) throw new PathRefused("backslash in path");
        if (ENCODED_PATH_SYNTAX.matcher(clientPath).find()) throw new PathRefused("percent-encoded path syntax");
        String joined = clientPath.startsWith("/") ? clientPath : cwd + "/" + clientPath;
        Deque<String> parts = new ArrayDeque<>();
        for (String seg : joined.split("/")) {
            if (seg.isEmpty() || seg.equals(".")) continue;
            if (seg.equals("..")) {
                if (parts.isEmpty()) throw new PathRefused("'..' climbs above the root");
                parts.removeLast();
                continue;
            }
            if (seg.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                throw new PathRefused("name longer than " + MAX_NAME_BYTES + " bytes");
            }
            for (int i = 0; i < seg.length(); i++) {
                if (seg.charAt(i) < 0x20) throw new PathRefused("control character in name");
            }
            parts.addLast(seg);
        }
        String virtual = "/" + String.join("/", parts);
        Path real = root;
        try {
            for (String p : parts) real = real.resolve(p);
        } catch (InvalidPathException e) {
            // The JVM encodes file names in the locale's charset (sun.jnu.encoding): under LANG=C, ASCII, so a
            // UTF-8 name such as "caf\u00e9" cannot be a path at all. Refused like any other unusable name, with a
            // reply, instead of an unchecked exception ending the session.
            throw new PathRefused("name not representable in the file system's encoding ("
                    + System.getProperty("sun.jnu.encoding") + ")");
        }
        return new Resolved(virtual, confine(real));
    }

    /**
     * Follows symbolic links in the longest existing prefix of {@code path} and checks the result is still
     * inside the root; returns the path with that prefix replaced by its real form.
     */
    private Path confine(Path path) throws PathRefused {
        Path existing = path;
        List<Path> missing = new ArrayList<>();
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            missing.addFirst(existing.getFileName());
            existing = existing.getParent();
        }
        if (existing == null) throw new PathRefused("no existing ancestor");
        Path real;
        try {
            real = existing.toRealPath();
        } catch (NoSuchFileException e) {
            // A dangling symbolic link: where it points cannot be checked, so it is not used.
            throw new PathRefused("dangling symbolic link " + root.relativize(existing));
        } catch (IOException e) {
            throw new PathRefused("cannot resolve: " + e.getMessage());
        }
        if (!real.startsWith(root)) throw new PathRefused("symbolic link leads outside the root");
        for (Path m : missing) real = real.resolve(m);
        return real;
    }

    /** True if {@code real} is the root itself (which may not be removed or renamed). */
    boolean isRoot(Path real) {
        return real.equals(root);
    }

    /**
     * The entries of directory {@code dir} that stay inside the root (links leading out are left out, so a
     * listing never reveals what lies beyond), sorted by name.
     */
    List<Path> entries(Resolved dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (var stream = Files.newDirectoryStream(dir.real())) {
            for (Path p : stream) {
                if (Files.isSymbolicLink(p)) {
                    try {
                        if (!p.toRealPath().startsWith(root)) continue;
                    } catch (IOException dangling) {
                        continue;
                    }
                }
                out.add(p);
            }
        }
        out.sort(null);
        return out;
    }
}

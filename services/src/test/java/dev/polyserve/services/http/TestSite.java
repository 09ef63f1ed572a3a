package dev.polyserve.services.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A site on disk for tests: {@code base/root} is served; {@code base/outside} holds a secret that must never be
 * served, reachable from inside the root only through symbolic links.
 */
final class TestSite {
    static final String SECRET = "TOP SECRET: outside the root";
    /** 1 KiB of text, like the benchmark file. */
    static final String KIB = "0123456789abcdef".repeat(64);

    final Path base;
    final Path root;

    TestSite() throws IOException {
        base = Files.createTempDirectory("polyserve-http-test");
        root = Files.createDirectory(base.resolve("root"));
        Path outside = Files.createDirectory(base.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), SECRET);
        Files.writeString(base.resolve("secret.txt"), SECRET);
        Files.writeString(root.resolve("hello.txt"), "Hello, world!\n");
        Files.writeString(root.resolve("1k.txt"), KIB);
        Files.writeString(root.resolve("style.css"), "body { color: black; }\n".repeat(50));
        Files.writeString(root.resolve("big.txt"), "plain ".repeat(500));
        Files.write(root.resolve("big.txt.gz"), StaticFiles.gzip("PRECOMPRESSED".getBytes(UTF_8)));
        Files.write(root.resolve("data.bin"), new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
        Files.write(root.resolve("large.bin"), large());
        Path docs = Files.createDirectory(root.resolve("docs"));
        Files.writeString(docs.resolve("index.html"), "<h1>docs index</h1>");
        Path files = Files.createDirectory(root.resolve("files"));
        Files.writeString(files.resolve("<script>alert(1)<\\script>.txt"), "x");
        Files.writeString(files.resolve("a b&c.txt"), "y");
        Files.writeString(files.resolve("ünïcode.txt"), "z");
        Files.createSymbolicLink(root.resolve("escape"), outside);
        Files.createSymbolicLink(root.resolve("link.txt"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("inside-link.txt"), root.resolve("hello.txt"));
    }

    /** Bigger than {@link StaticFiles#INLINE_FILE_LIMIT}: served through Conn.sendFile. */
    static byte[] large() {
        byte[] b = new byte[300 * 1024 + 7];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (i * 31 + (i >> 10));
        return b;
    }

    void delete() throws IOException {
        try (var walk = Files.walk(base)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}

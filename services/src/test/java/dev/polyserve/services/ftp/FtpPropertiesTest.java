package dev.polyserve.services.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Properties of the parsers and the path confinement, over generated input. */
class FtpPropertiesTest {
    private static Path base;
    private static Path root;

    @BeforeContainer
    static void makeRoot() throws IOException {
        base = Files.createTempDirectory("ftp-prop");
        root = Files.createDirectories(base.resolve("root"));
        Files.createDirectories(root.resolve("a/b"));
        Files.createSymbolicLink(root.resolve("a/out"), base);
        Files.createSymbolicLink(root.resolve("in"), root.resolve("a"));
    }

    @AfterContainer
    static void removeRoot() throws IOException {
        try (var walk = Files.walk(base)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @Provide
    Arbitrary<String> hostilePaths() {
        Arbitrary<String> segment = Arbitraries.of("..", ".", "a", "b", "in", "out", "%2e%2e", "..%2f", "\\..", "", "~",
                "x\u0000y", "ä", "%c0%ae");
        return segment.list().ofMinSize(1).ofMaxSize(8).map(l -> String.join("/", l))
                .flatMap(p -> Arbitraries.of(p, "/" + p, p + "/"));
    }

    @Property(tries = 2000)
    void resolvedPathsNeverLeaveTheRoot(@ForAll("hostilePaths") String path, @ForAll("hostilePaths") String cwd) throws IOException {
        UserFileSystem fs = new UserFileSystem(root, true);
        try {
            UserFileSystem.Resolved dir = fs.resolve(cwd);
            if (Files.isDirectory(dir.real())) fs.changeDirectory(dir);
        } catch (UserFileSystem.PathRefused ignored) {
            // stay at "/"
        }
        try {
            UserFileSystem.Resolved r = fs.resolve(path);
            // Path.startsWith compares names (AssertJ's startsWith would resolve links, failing on missing paths).
            assertThat(r.real().normalize().startsWith(root.toRealPath())).as("%s -> %s", path, r.real()).isTrue();
            assertThat(r.virtual()).startsWith("/").doesNotContain("/../").doesNotEndWith("/..");
            if (Files.exists(r.real())) assertThat(r.real().toRealPath().startsWith(root.toRealPath())).isTrue();
        } catch (UserFileSystem.PathRefused refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 500)
    void linesSurviveAnySplitting(@ForAll @Size(max = 6) List<@net.jqwik.api.constraints.StringLength(max = 40) @net.jqwik.api.constraints.CharRange(from = ' ', to = '~') String> lines,
                                  @ForAll @IntRange(min = 1, max = 17) int chunk) {
        StringBuilder all = new StringBuilder();
        for (String l : lines) all.append(l).append("\r\n");
        byte[] bytes = all.toString().getBytes(StandardCharsets.UTF_8);
        CommandLineDecoder d = new CommandLineDecoder();
        List<String> got = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += chunk) {
            d.feed(ByteBuffer.wrap(bytes, i, Math.min(chunk, bytes.length - i)));
            for (CommandLineDecoder.Line l; (l = d.next()) != null; ) got.add(((CommandLineDecoder.Line.Text) l).text());
        }
        assertThat(got).isEqualTo(lines);
    }

    @Property(tries = 500)
    void asciiRoundTripRestoresLfText(@ForAll @Size(max = 300) List<@net.jqwik.api.constraints.CharRange(from = 'a', to = 'e') Character> chars,
                                      @ForAll @IntRange(min = 1, max = 9) int chunk) throws IOException {
        // text with LF line ends (no CR), as a Unix file holds it
        StringBuilder b = new StringBuilder();
        for (char c : chars) b.append(c == 'e' ? '\n' : c);
        byte[] text = b.toString().getBytes(StandardCharsets.US_ASCII);
        Path src = Files.createTempFile(base, "src", ".txt");
        Files.write(src, text);
        ByteBuffer wire = ByteBuffer.allocate(text.length * 2 + 1);
        try (var ch = java.nio.channels.FileChannel.open(src)) {
            AsciiSource s = new AsciiSource(ch, 0, text.length);
            for (ByteBuffer n; (n = s.next()) != null; ) wire.put(n);
        }
        wire.flip();
        String onWire = StandardCharsets.US_ASCII.decode(wire.duplicate()).toString();
        assertThat(onWire.replace("\r\n", "")).doesNotContain("\n");
        Path target = base.resolve("dst-" + System.nanoTime());
        Upload up = Upload.open(target, 0);
        byte[] w = new byte[wire.remaining()];
        wire.get(w);
        for (int i = 0; i < w.length; i += chunk) up.writeAscii(ByteBuffer.wrap(w, i, Math.min(chunk, w.length - i)));
        up.commit();
        assertThat(Files.readAllBytes(target)).isEqualTo(text);
    }
}

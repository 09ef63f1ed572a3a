package dev.polyserve.services.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.core.Engines;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPCmd;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A corpus of attempts to reach outside the user's root, each sent by Commons Net's FTPClient to a logged-in
 * read-write user. Every one must be refused with 550 (or, for a path that names nothing inside the root, a
 * plain 550 "no such file"), and nothing outside the root may be read, written, listed or moved.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FtpTraversalTest {
    private static final String SECRET = "the secret outside the root";

    @TempDir
    Path dir;

    static Stream<String> models() {
        return Stream.of("virtual", "nio", "epoll").filter(Engines.availableNames()::contains);
    }

    /** A command line and whether it needs a data connection prepared first (so the path check is reached). */
    private record Attempt(String verb, String arg, boolean data) {
        @Override
        public String toString() {
            return verb + " " + FtpSession.printable(arg);
        }
    }

    private static List<Attempt> corpus() {
        String longName = "a".repeat(UserFileSystem.MAX_NAME_BYTES + 1);
        String longPath = "d/".repeat(UserFileSystem.MAX_PATH_BYTES / 2 + 1) + "x";
        List<Attempt> a = new ArrayList<>();
        for (String p : List.of(
                "../secret.txt", "../../etc/passwd", "/../secret.txt", "./../secret.txt", "sub/../../secret.txt",
                "sub/./../../secret.txt", "..%2fsecret.txt", "%2e%2e/secret.txt", "%2E%2E%2Fsecret.txt",
                "%252e%252e/secret.txt", "..\\secret.txt", "..\\..\\secret.txt",
                "%c0%ae%c0%ae/secret.txt", "..%5csecret.txt", "outdir/secret.txt", "outfile", "/outfile",
                "dangling", "inside.txt\0../secret.txt", longName, longPath, "/etc/passwd", "~/../../secret.txt",
                "sub/outdir/secret.txt")) {
            a.add(new Attempt("RETR", p, true));
        }
        a.add(new Attempt("CWD", "..", false));
        a.add(new Attempt("CWD", "/..", false));
        a.add(new Attempt("CWD", "../..", false));
        a.add(new Attempt("CWD", "outdir", false));
        a.add(new Attempt("CWD", "/outdir/", false));
        a.add(new Attempt("CWD", "%2e%2e", false));
        a.add(new Attempt("LIST", "../", true));
        a.add(new Attempt("LIST", "-la ..", true));
        a.add(new Attempt("NLST", "..", true));
        a.add(new Attempt("MLSD", "outdir", true));
        a.add(new Attempt("MLST", "../secret.txt", false));
        a.add(new Attempt("STAT", "..", false));
        a.add(new Attempt("SIZE", "../secret.txt", false));
        a.add(new Attempt("SIZE", "outfile", false));
        a.add(new Attempt("MDTM", "../secret.txt", false));
        a.add(new Attempt("STOR", "../evil.txt", true));
        a.add(new Attempt("STOR", "outdir/evil.txt", true));
        a.add(new Attempt("APPE", "../secret.txt", true));
        a.add(new Attempt("APPE", "outfile", true));
        a.add(new Attempt("MKD", "../newdir", false));
        a.add(new Attempt("MKD", "outdir/newdir", false));
        a.add(new Attempt("RMD", "../root", false));
        a.add(new Attempt("DELE", "../secret.txt", false));
        a.add(new Attempt("DELE", "outdir/secret.txt", false));
        a.add(new Attempt("RNFR", "../secret.txt", false));
        a.add(new Attempt("RNFR", "outfile/..", false));
        return a;
    }

    @ParameterizedTest
    @MethodSource("models")
    void everyTraversalAttemptIsRefused(String model) throws IOException {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), SECRET);
        Files.writeString(dir.resolve("secret.txt"), SECRET);
        try (FtpTestServer s = new FtpTestServer(model, dir)) {
            Files.writeString(s.root.resolve("inside.txt"), "inside");
            Files.createDirectories(s.root.resolve("sub"));
            Files.createSymbolicLink(s.root.resolve("outdir"), outside);
            Files.createSymbolicLink(s.root.resolve("outfile"), outside.resolve("secret.txt"));
            Files.createSymbolicLink(s.root.resolve("sub/outdir"), outside);
            Files.createSymbolicLink(s.root.resolve("dangling"), outside.resolve("missing.txt"));
            Files.createSymbolicLink(s.root.resolve("inlink"), s.root.resolve("inside.txt"));

            FTPClient c = s.client(true);
            List<Attempt> corpus = corpus();
            assertThat(corpus).hasSizeGreaterThanOrEqualTo(30);
            for (Attempt a : corpus) {
                if (a.data()) assertThat(c.sendCommand(FTPCmd.EPSV)).isEqualTo(229);
                int code = c.sendCommand(a.verb(), a.arg());
                assertThat(code).as("%s -> %s", a, c.getReplyString()).isEqualTo(550);
                assertThat(c.getReplyString()).doesNotContain(SECRET);
            }
            // RNTO out of the root after a legitimate RNFR.
            assertThat(c.sendCommand("RNFR", "inside.txt")).isEqualTo(350);
            assertThat(c.sendCommand("RNTO", "../moved.txt")).isEqualTo(550);
            assertThat(c.sendCommand("RNFR", "inside.txt")).isEqualTo(350);
            assertThat(c.sendCommand("RNTO", "outdir/moved.txt")).isEqualTo(550);

            // Full client operations fail too and never deliver the secret.
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            assertThat(c.retrieveFile("../secret.txt", got)).isFalse();
            assertThat(c.retrieveFile("outfile", got)).isFalse();
            assertThat(c.storeFile("../evil.txt", new ByteArrayInputStream(new byte[5]))).isFalse();
            assertThat(got.toString(StandardCharsets.UTF_8)).doesNotContain(SECRET);
            String[] names = c.listNames();
            assertThat(names).as("NLST: %s", c.getReplyString()).isNotNull();
            assertThat(names).doesNotContain("outdir", "outfile", "dangling").contains("inside.txt", "inlink");

            // Legitimate paths, including ".." that stays inside and a link inside the root, still work.
            assertThat(c.changeWorkingDirectory("sub")).isTrue();
            assertThat(c.retrieveFile("../inside.txt", got)).isTrue();
            assertThat(c.changeWorkingDirectory("..")).isTrue();
            assertThat(c.retrieveFile("inlink", got)).isTrue();
            assertThat(c.printWorkingDirectory()).isEqualTo("/");
            c.disconnect();
        }
        assertThat(Files.readString(outside.resolve("secret.txt"))).isEqualTo(SECRET);
        assertThat(Files.readString(dir.resolve("secret.txt"))).isEqualTo(SECRET);
        try (var files = Files.list(outside)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("secret.txt");
        }
        assertThat(dir.resolve("evil.txt")).doesNotExist();
        assertThat(dir.resolve("moved.txt")).doesNotExist();
        assertThat(dir.resolve("newdir")).doesNotExist();
    }
}

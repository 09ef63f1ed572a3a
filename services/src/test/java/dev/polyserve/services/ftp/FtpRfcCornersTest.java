package dev.polyserve.services.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.core.Engines;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The RFC corners through Apache Commons Net's FTPClient on real sockets: SIZE in TYPE A, REST, REIN, MFMT, SITE CHMOD, 502. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FtpRfcCornersTest {
    @TempDir
    Path dir;

    static Stream<String> models() {
        return Stream.of("virtual", "nio", "epoll").filter(Engines.availableNames()::contains);
    }

    @ParameterizedTest
    @MethodSource("models")
    void sizeInAsciiModeIsWhatRetrSendsAndRestThereIsRefused(String model) throws Exception {
        try (FtpTestServer s = new FtpTestServer(model, dir)) {
            Files.writeString(s.root.resolve("lines.txt"), "one\ntwo\r\nthree\n");
            FTPClient c = s.client(true);
            assertThat(c.getSize("lines.txt")).isEqualTo("15");
            // TYPE A sent by hand: Commons Net's own ASCII mode would turn the CRLFs back before we count them
            assertThat(c.sendCommand("TYPE", "A")).isEqualTo(200);
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            assertThat(c.retrieveFile("lines.txt", raw)).isTrue();
            assertThat(raw.toString(StandardCharsets.US_ASCII)).isEqualTo("one\r\ntwo\r\nthree\r\n");
            assertThat(c.getSize("lines.txt")).as("RFC 3659 section 4: the size as sent").isEqualTo(Long.toString(raw.size()));
            c.setRestartOffset(3);
            assertThat(c.retrieveFile("lines.txt", java.io.OutputStream.nullOutputStream())).isFalse();
            assertThat(c.getReplyCode()).isEqualTo(550);
            c.disconnect();
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void reinMfmtSiteChmodAnd502(String model) throws Exception {
        try (FtpTestServer s = new FtpTestServer(model, dir)) {
            Path file = s.root.resolve("f.txt");
            Files.writeString(file, "x", StandardCharsets.UTF_8);
            FTPClient c = s.client(true);
            assertThat(c.setModificationTime("f.txt", "20200102030405")).as(c.getReplyString()).isTrue();
            assertThat(Files.getLastModifiedTime(file).toInstant()).isEqualTo(Instant.parse("2020-01-02T03:04:05Z"));
            assertThat(c.getModificationTime("f.txt")).isEqualTo("20200102030405");

            assertThat(c.sendSiteCommand("CHMOD 600 f.txt")).as(c.getReplyString()).isTrue();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

            assertThat(c.sendCommand("SMNT", "/mnt")).isEqualTo(502);

            assertThat(c.reinitialize()).as(c.getReplyString()).isTrue();
            assertThat(c.printWorkingDirectory()).as("logged out").isNull();
            assertThat(c.login("anonymous", "me@example.org")).isTrue();
            assertThat(c.sendSiteCommand("CHMOD 777 f.txt")).as("anonymous is read-only").isFalse();
            assertThat(c.getReplyCode()).isEqualTo(550);
            c.enterLocalPassiveMode();
            assertThat(c.listNames()).contains("f.txt");
            c.logout();
            c.disconnect();
        }
    }
}

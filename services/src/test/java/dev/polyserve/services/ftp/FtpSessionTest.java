package dev.polyserve.services.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control protocol core driven with bytes only: no sockets, no threads, a fixed clock. */
class FtpSessionTest {
    @TempDir
    Path root;

    /** Records what the session asks for; answers logins at once from a fixed account table. */
    private final class FakeIo implements SessionIo {
        final List<String> replies = new ArrayList<>();
        final List<Transfer> transfers = new ArrayList<>();
        final List<InetSocketAddress> active = new ArrayList<>();
        String pendingUser;
        char[] pendingPassword;
        boolean closed;
        int aborts;
        int tlsStarts;
        boolean protect;

        @Override public void send(String reply) { replies.add(reply); }
        @Override public void close() { closed = true; }
        @Override public void authenticate(String user, char[] password) { pendingUser = user; pendingPassword = password; }
        @Override public int openPassive() { return 40_001; }
        @Override public void openActive(InetSocketAddress target) { active.add(target); }
        @Override public void startTransfer(Transfer t) { transfers.add(t); }
        @Override public void abortTransfer() { aborts++; }
        @Override public void startTls() { tlsStarts++; }
        @Override public void protectData(boolean on) { protect = on; }
    }

    private FakeIo io;
    private FtpSession session;

    @BeforeEach
    void setUp() throws IOException {
        io = new FakeIo();
        session = new FtpSession(io, new InetSocketAddress(InetAddress.getLoopbackAddress(), 2121),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 50_000),
                Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC));
        session.start();
        Files.writeString(root.resolve("a.txt"), "hello\nworld\n");
    }

    private void feed(String s) {
        session.receive(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)));
    }

    private String last() {
        return io.replies.getLast();
    }

    private String send(String line) {
        int before = io.replies.size();
        feed(line + "\r\n");
        assertThat(io.replies.size()).as("a reply to %s", line).isGreaterThan(before);
        return last();
    }

    private void login(boolean write) {
        send("USER bob");
        feed("PASS pw\r\n");
        assertThat(session.suspended()).isTrue();
        session.onLoginResult(new LoginResult.Granted(new Account("bob", root, write)));
        assertThat(last()).startsWith("230");
    }

    @Test
    void greetsAndRefusesBeforeLogin() {
        assertThat(io.replies.getFirst()).startsWith("220 ");
        assertThat(send("RETR a.txt")).startsWith("530");
        assertThat(send("PASS x")).startsWith("503");
        assertThat(send("FOO")).startsWith("500");
        assertThat(send("SYST")).isEqualTo("215 UNIX Type: L8\r\n");
        assertThat(send("USER")).startsWith("501");
        assertThat(send("NOOP extra")).startsWith("501");
    }

    @Test
    void commandsWaitWhileThePasswordIsChecked() {
        feed("USER bob\r\nPASS pw\r\nPWD\r\nNOOP\r\n");
        assertThat(io.pendingUser).isEqualTo("bob");
        assertThat(new String(io.pendingPassword)).isEqualTo("pw");
        assertThat(io.replies).hasSize(2); // greeting, 331: PWD and NOOP wait
        session.onLoginResult(new LoginResult.Granted(new Account("bob", root, true)));
        assertThat(io.replies.subList(2, 5)).containsExactly("230 Login successful\r\n",
                "257 \"/\" is the current directory\r\n", "200 NOOP ok\r\n");
    }

    @Test
    void threeFailuresCloseAndLockoutCloses() {
        for (int i = 0; i < 2; i++) {
            send("USER bob");
            feed("PASS bad\r\n");
            session.onLoginResult(new LoginResult.Denied());
            assertThat(last()).startsWith("530");
        }
        send("USER bob");
        feed("PASS bad\r\n");
        session.onLoginResult(new LoginResult.Denied());
        assertThat(last()).startsWith("421");
        assertThat(io.closed).isTrue();
    }

    @Test
    void lockedOutLoginGets421() {
        send("USER bob");
        feed("PASS pw\r\n");
        session.onLoginResult(new LoginResult.LockedOut());
        assertThat(last()).startsWith("421");
        assertThat(io.closed).isTrue();
    }

    @Test
    void splitAndPipelinedBytesAndTelnetIacAreHandled() {
        feed("NO");
        feed("OP\r");
        feed("\nNOOP\n");
        assertThat(io.replies).hasSize(3);
        session.receive(ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xF4, (byte) 0xFF, (byte) 0xF2, 'N', 'O', 'O', 'P', '\r', '\n'}));
        assertThat(last()).startsWith("200");
        session.receive(ByteBuffer.wrap(new byte[] {'C', 'W', 'D', ' ', (byte) 0xC0, (byte) 0xAE, '\r', '\n'})); // overlong '.'
        assertThat(last()).startsWith("501");
        feed("N".repeat(CommandLineDecoder.MAX_LINE_BYTES + 10) + "\r\n");
        assertThat(last()).startsWith("500");
    }

    @Test
    void featAndHelpAreMultiLine() {
        String feat = send("FEAT");
        assertThat(feat).startsWith("211-Features:\r\n").contains(" EPSV\r\n", " UTF8\r\n", " REST STREAM\r\n", " MLST type*;size*;modify*;perm*;\r\n").endsWith("211 End\r\n");
        assertThat(send("HELP")).startsWith("214-").contains("RETR").endsWith("214 Help OK\r\n");
        assertThat(send("HELP RETR")).startsWith("214 Syntax: RETR");
        assertThat(send("OPTS UTF8 ON")).startsWith("200");
        assertThat(send("OPTS UTF8 OFF")).startsWith("504");
    }

    @Test
    void passiveAndActiveSetUp() {
        login(true);
        assertThat(send("PASV")).isEqualTo("227 Entering Passive Mode (127,0,0,1,156,65)\r\n");
        assertThat(send("EPSV")).isEqualTo("229 Entering Extended Passive Mode (|||40001|)\r\n");
        assertThat(send("EPSV 2")).startsWith("522");
        assertThat(send("PORT 127,0,0,1,200,1")).startsWith("200");
        assertThat(io.active).containsExactly(new InetSocketAddress(InetAddress.getLoopbackAddress(), 200 * 256 + 1));
        assertThat(send("EPRT |1|127.0.0.1|6000|")).startsWith("200");
        assertThat(send("EPRT |1|192.0.2.1|6000|")).startsWith("501");
        assertThat(send("EPRT |2|::1|6000|")).startsWith("501"); // not the control peer's address
        assertThat(send("EPRT |1|example.org|6000|")).startsWith("501"); // names are not looked up
        assertThat(send("PORT 127,0,0,1,300,1")).startsWith("501");
        assertThat(send("EPSV ALL")).startsWith("200");
        assertThat(send("PASV")).startsWith("501");
        assertThat(send("PORT 127,0,0,1,200,1")).startsWith("501");
    }

    @Test
    void retrSendsTheFileAndReports226() throws IOException {
        login(false);
        assertThat(send("RETR a.txt")).startsWith("425"); // no data connection prepared
        send("PASV");
        send("REST 2");
        assertThat(send("RETR a.txt")).startsWith("150");
        Transfer.SendFile t = (Transfer.SendFile) io.transfers.getFirst();
        assertThat(t.position()).isEqualTo(2);
        assertThat(t.count()).isEqualTo(10);
        t.file().close();
        assertThat(send("RETR a.txt")).startsWith("425"); // one transfer at a time
        session.onTransferDone(new TransferResult.Completed(10));
        assertThat(last()).startsWith("226");
    }

    @Test
    void listingsAreBuiltByTheSession() {
        login(false);
        send("PASV");
        send("LIST -la");
        String list = new String(((Transfer.SendBytes) io.transfers.getLast()).bytes(), StandardCharsets.UTF_8);
        assertThat(list).matches("-rw.* 1 ftp +ftp +12 \\w{3} \\d\\d +(\\d\\d:\\d\\d|\\d{4}) a\\.txt\r\n");
        session.onTransferDone(new TransferResult.Completed(list.length()));
        send("PASV");
        send("MLSD");
        String mlsd = new String(((Transfer.SendBytes) io.transfers.getLast()).bytes(), StandardCharsets.UTF_8);
        assertThat(mlsd).matches("type=file;size=12;modify=\\d{14};perm=r; a\\.txt\r\n");
        session.onTransferDone(new TransferResult.Completed(mlsd.length()));
        assertThat(send("OPTS MLST size;type;")).isEqualTo("200 MLST OPTS type;size;\r\n");
        assertThat(send("MLST a.txt")).isEqualTo("250-Listing /a.txt\r\n type=file;size=12; /a.txt\r\n250 End\r\n");
        assertThat(send("SIZE a.txt")).isEqualTo("213 12\r\n");
        assertThat(send("SIZE missing")).startsWith("550");
    }

    @Test
    void readOnlyUsersCannotChangeAnything() {
        login(false);
        for (String cmd : List.of("STOR x", "APPE a.txt", "STOU", "DELE a.txt", "MKD d", "RMD d", "RNFR a.txt")) {
            assertThat(send(cmd)).as(cmd).startsWith("550");
        }
    }

    @Test
    void storUploadsThroughATemporaryFile() throws IOException {
        login(true);
        send("TYPE A");
        send("EPSV");
        assertThat(send("STOR new.txt")).startsWith("150");
        Transfer.Receive r = (Transfer.Receive) io.transfers.getLast();
        assertThat(r.ascii()).isTrue();
        r.upload().writeAscii(ByteBuffer.wrap("one\r".getBytes(StandardCharsets.US_ASCII)));
        r.upload().writeAscii(ByteBuffer.wrap("\ntwo\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat(root.resolve("new.txt")).doesNotExist();
        r.upload().commit();
        session.onTransferDone(new TransferResult.Completed(9));
        assertThat(last()).startsWith("226");
        assertThat(Files.readString(root.resolve("new.txt"))).isEqualTo("one\ntwo\n");
        try (var files = Files.list(root)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("a.txt", "new.txt");
        }
    }

    @Test
    void aborDuringATransferGives426Then226() {
        login(false);
        send("PASV");
        send("RETR a.txt");
        feed("ABOR\r\n"); // the replies come when the transfer has ended
        assertThat(io.aborts).isEqualTo(1);
        session.onTransferDone(new TransferResult.Aborted("ABOR"));
        assertThat(io.replies.subList(io.replies.size() - 2, io.replies.size()))
                .containsExactly("426 Transfer aborted\r\n", "226 ABOR successful\r\n");
        assertThat(send("ABOR")).startsWith("225");
    }

    @Test
    void quitDuringATransferWaitsForIt() {
        login(false);
        send("PASV");
        send("RETR a.txt");
        feed("QUIT\r\n");
        assertThat(io.closed).isFalse();
        session.onTransferDone(new TransferResult.Completed(12));
        assertThat(io.replies.subList(io.replies.size() - 2, io.replies.size()))
                .containsExactly("226 Transfer complete\r\n", "221 Goodbye\r\n");
        assertThat(io.closed).isTrue();
    }

    @Test
    void directoriesAndRenames() {
        login(true);
        assertThat(send("MKD \"q\"d")).isEqualTo("257 \"/\"\"q\"\"d\" created\r\n");
        assertThat(send("CWD \"q\"d")).startsWith("250");
        assertThat(send("PWD")).isEqualTo("257 \"/\"\"q\"\"d\" is the current directory\r\n");
        assertThat(send("CDUP")).startsWith("250");
        assertThat(send("CDUP")).startsWith("250");
        assertThat(send("RNFR a.txt")).startsWith("350");
        assertThat(send("NOOP")).startsWith("200");
        assertThat(send("RNTO b.txt")).startsWith("503"); // RNTO must follow RNFR at once
        assertThat(send("RNFR a.txt")).startsWith("350");
        assertThat(send("RNTO b.txt")).startsWith("250");
        assertThat(root.resolve("b.txt")).exists();
        assertThat(send("RMD /")).startsWith("550");
        assertThat(send("RMD \"q\"d")).startsWith("250");
    }

    @Test
    void phasesFollowTheProtocol() {
        assertThat(session.phase()).isEqualTo(SessionPhase.NEED_USER);
        send("USER bob");
        assertThat(session.phase()).isEqualTo(SessionPhase.NEED_PASS);
        feed("PASS pw\r\n");
        assertThat(session.phase()).isEqualTo(SessionPhase.CHECKING_PASS);
        session.onLoginResult(new LoginResult.Granted(new Account("bob", root, false)));
        assertThat(session.phase()).isEqualTo(SessionPhase.READY);
        send("PASV");
        send("RETR a.txt");
        assertThat(session.phase()).isEqualTo(SessionPhase.TRANSFERRING);
        feed("ABOR\r\n");
        assertThat(session.phase()).isEqualTo(SessionPhase.ABORTING);
        feed("ABOR\r\n"); // a second ABOR adds nothing: the first one's replies are still to come
        assertThat(io.aborts).isEqualTo(1);
        session.onTransferDone(new TransferResult.Aborted("ABOR"));
        assertThat(session.phase()).isEqualTo(SessionPhase.READY);
        session.onTransferDone(new TransferResult.Completed(1)); // a late second answer changes nothing
        assertThat(last()).isEqualTo("226 ABOR successful\r\n");
        send("QUIT");
        assertThat(session.phase()).isEqualTo(SessionPhase.CLOSED);
        assertThat(SessionPhase.CLOSED.canMoveTo(SessionPhase.READY)).isFalse();
        assertThat(SessionPhase.NEED_USER.canMoveTo(SessionPhase.READY)).isFalse(); // no login without PASS
    }

    @Test
    void shutdownDuringATransferWaitsForIt() {
        login(false);
        send("PASV");
        send("RETR a.txt");
        session.shutdown();
        feed("QUIT\r\n"); // QUIT and shut-down both wait; QUIT's 221 wins, said once
        assertThat(io.closed).isFalse();
        session.onTransferDone(new TransferResult.Completed(12));
        assertThat(io.replies.subList(io.replies.size() - 2, io.replies.size()))
                .containsExactly("226 Transfer complete\r\n", "221 Goodbye\r\n");
        assertThat(io.closed).isTrue();
    }

    @Test
    void idleTimeoutAndShutdownSay421() {
        session.idleTimeout();
        assertThat(last()).startsWith("421");
        assertThat(io.closed).isTrue();
    }

    @Test
    void authenticatorsCheckHashes() throws IOException {
        UsersFile users = UsersFile.load(root.resolve("users"));
        users.put(new UsersFile.Entry("carol", true, PasswordHash.create("pw".toCharArray(), PasswordHash.MIN_ITERATIONS), "home"));
        users.save(root.resolve("users"));
        UsersFile again = UsersFile.load(root.resolve("users"));
        Authenticator a = Authenticator.users(again, root);
        Optional<Account> ok = a.authenticate("carol", "pw".toCharArray());
        assertThat(ok).map(Account::home).contains(root.resolve("home"));
        assertThat(a.authenticate("carol", "wrong".toCharArray())).isEmpty();
        assertThat(a.authenticate("nobody", "pw".toCharArray())).isEmpty();
        assertThat(Authenticator.anonymous(root).authenticate("anonymous", new char[0])).map(Account::canWrite).contains(false);
        assertThat(Files.readString(root.resolve("users"))).doesNotContain(":pw:").contains("carol:rw:pbkdf2-sha256$1000$");
    }

    // ---------------------------------------------------------------- FTPS (RFC 4217), sans I/O

    @Test
    void authTlsAsksForTheUpgradeAndDropsWhatWasPipelinedBehindIt() {
        session.offerTls(false, false);
        assertThat(send("FEAT")).contains(" AUTH TLS\r\n").contains(" PBSZ\r\n").contains(" PROT\r\n");
        send("USER bob");
        feed("AUTH TLS\r\nPASS pw\r\n"); // PASS came in plaintext behind AUTH: dropped, not run
        assertThat(last()).startsWith("234");
        assertThat(io.tlsStarts).isEqualTo(1);
        assertThat(io.pendingUser).isNull();
        assertThat(send("PASS pw")).as("AUTH forgot the USER sent before it").startsWith("503");
        assertThat(send("AUTH TLS")).startsWith("503");
    }

    @Test
    void pbszAndProtFollowAuthAndSetDataProtection() {
        session.offerTls(false, false);
        assertThat(send("PBSZ 0")).startsWith("503");
        assertThat(send("PROT P")).startsWith("503");
        assertThat(send("CCC")).startsWith("533");
        send("AUTH TLS");
        assertThat(send("PROT P")).as("PBSZ first").startsWith("503");
        assertThat(send("PBSZ 1024")).isEqualTo("200 PBSZ=0\r\n");
        assertThat(send("PROT P")).startsWith("200");
        assertThat(io.protect).isTrue();
        assertThat(send("PROT C")).startsWith("200");
        assertThat(io.protect).isFalse();
        assertThat(send("PROT E")).startsWith("536");
        assertThat(send("PROT X")).startsWith("504");
        assertThat(send("CCC")).startsWith("534");
    }

    @Test
    void tlsRequiredRefusesLoginAndClearTransfers() {
        session.offerTls(true, false);
        assertThat(send("USER bob")).startsWith("530");
        assertThat(send("PASS pw")).startsWith("530");
        send("AUTH TLS");
        login(true);
        send("PASV");
        assertThat(send("RETR a.txt")).startsWith("521");
        assertThat(io.transfers).isEmpty();
        send("PBSZ 0");
        assertThat(send("PROT C")).startsWith("534");
        send("PROT P");
        send("RETR a.txt");
        assertThat(io.transfers).hasSize(1);
    }

    @Test
    void implicitConnectionsAreSecureWithProtectedDataFromTheStart() {
        session.offerTls(true, true);
        assertThat(io.protect).isTrue();
        login(false);
        send("PASV");
        send("RETR a.txt");
        assertThat(io.transfers).hasSize(1);
        session.onTransferDone(new TransferResult.TlsRefused("did not resume"));
        assertThat(last()).startsWith("522");
    }

    @Test
    void withoutACertificateAuthGets502AndFeatSaysNothing() {
        assertThat(send("AUTH TLS")).startsWith("502");
        assertThat(send("FEAT")).doesNotContain("AUTH").doesNotContain("PROT");
        assertThat(io.tlsStarts).isZero();
    }

    // ---------------------------------------------------------------- RFC corners

    @Test
    void sizeInTypeACountsTheBytesAsSentAndRestIsRefusedThere() throws IOException {
        login(true);
        Files.writeString(root.resolve("crlf.txt"), "a\r\nb\n");
        Files.write(root.resolve("big.txt"), new byte[(int) FtpSession.MAX_ASCII_SIZE_SCAN + 1]);
        assertThat(send("SIZE a.txt")).isEqualTo("213 12\r\n");
        send("TYPE A");
        assertThat(send("SIZE a.txt")).as("two LFs go out as CRLF").isEqualTo("213 14\r\n");
        assertThat(send("SIZE crlf.txt")).as("a CRLF stays one").isEqualTo("213 6\r\n");
        assertThat(send("SIZE big.txt")).startsWith("550");
        assertThat(send("REST 5")).startsWith("550");
        assertThat(send("REST 0")).startsWith("350");
        send("TYPE I");
        assertThat(send("REST 5")).startsWith("350");
        send("TYPE A");
        send("PASV");
        assertThat(send("RETR a.txt")).as("REST given in TYPE I, RETR in TYPE A").startsWith("550");
        assertThat(send("STOR a.txt")).as("the offset was used up").startsWith("150");
    }

    @Test
    void reinLogsOutAndResetsTheParametersAfterARunningTransfer() {
        login(true);
        send("TYPE A");
        send("OPTS MLST type;");
        send("PASV");
        send("RETR a.txt");
        int before = io.replies.size();
        feed("REIN\r\n");
        assertThat(io.replies).hasSize(before); // waits for the transfer
        session.onTransferDone(new TransferResult.Completed(14));
        assertThat(io.replies.subList(before, io.replies.size()))
                .containsExactly("226 Transfer complete\r\n", "220 Service ready for new user\r\n");
        assertThat(session.phase()).isEqualTo(SessionPhase.NEED_USER);
        assertThat(send("PWD")).startsWith("530");
        assertThat(send("REIN")).startsWith("220");
        login(false);
        assertThat(send("STAT")).contains("TYPE: BINARY");
        assertThat(send("RETR a.txt")).as("the data set-up was forgotten").startsWith("425");
        assertThat(send("MLST a.txt")).contains("size=12;");
        assertThat(io.closed).isFalse();
    }

    @Test
    void mfmtSetsTheModificationTime() throws IOException {
        login(true);
        assertThat(send("MFMT 20200102030405 a.txt")).isEqualTo("213 Modify=20200102030405; /a.txt\r\n");
        assertThat(Files.getLastModifiedTime(root.resolve("a.txt")).toInstant()).isEqualTo(Instant.parse("2020-01-02T03:04:05Z"));
        assertThat(send("MDTM a.txt")).isEqualTo("213 20200102030405\r\n");
        assertThat(send("MFMT 20200102030405.5 a.txt")).startsWith("213");
        assertThat(Files.getLastModifiedTime(root.resolve("a.txt")).toInstant()).isEqualTo(Instant.parse("2020-01-02T03:04:05.500Z"));
        assertThat(send("MFMT 20201302030405 a.txt")).as("month 13").startsWith("501");
        assertThat(send("MFMT a.txt")).startsWith("501");
        assertThat(send("MFMT 20200102030405 none.txt")).startsWith("550");
        assertThat(send("MFMT 20200102030405 ../../etc/passwd")).startsWith("550");
        assertThat(send("FEAT")).contains(" MFMT\r\n");
    }

    @Test
    void siteChmodSetsPermissionBitsOnlyForWriters() throws IOException {
        login(true);
        assertThat(send("SITE CHMOD 640 a.txt")).startsWith("200");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("a.txt")))).isEqualTo("rw-r-----");
        assertThat(send("SITE CHMOD 0755 a.txt")).startsWith("200");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("a.txt")))).isEqualTo("rwxr-xr-x");
        assertThat(send("SITE CHMOD 4755 a.txt")).as("no set-user-ID").startsWith("501");
        assertThat(send("SITE CHMOD 799 a.txt")).startsWith("501");
        assertThat(send("SITE CHMOD 644")).startsWith("501");
        assertThat(send("SITE CHMOD 644 none.txt")).startsWith("550");
        assertThat(send("SITE HELP")).startsWith("214");
        assertThat(send("SITE EXEC ls")).startsWith("504");
        send("REIN");
        login(false);
        assertThat(send("SITE CHMOD 777 a.txt")).startsWith("550");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("a.txt")))).isEqualTo("rwxr-xr-x");
    }

    @Test
    void knownButUnimplementedCommandsGet502() {
        assertThat(send("SMNT /mnt")).startsWith("502");
        assertThat(send("LANG fr")).startsWith("502");
        assertThat(send("XYZZY")).startsWith("500");
    }
    @Test
    void theBannerGreetsAndPasvNamesTheMasqueradeAddress() throws IOException {
        FakeIo other = new FakeIo();
        FtpSession s = new FtpSession(other, new InetSocketAddress(InetAddress.getLoopbackAddress(), 2121),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 50_000), Clock.systemUTC());
        s.present("Welcome to the archive", (java.net.Inet4Address) InetAddress.getByName("203.0.113.7"));
        s.start();
        assertThat(other.replies).containsExactly("220 Welcome to the archive\r\n");
        s.receive(ByteBuffer.wrap("USER bob\r\nPASS pw\r\n".getBytes(StandardCharsets.US_ASCII)));
        s.onLoginResult(new LoginResult.Granted(new Account("bob", root, false)));
        s.receive(ByteBuffer.wrap("PASV\r\nEPSV\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat(other.replies.subList(other.replies.size() - 2, other.replies.size())).containsExactly(
                "227 Entering Passive Mode (203,0,113,7,156,65)\r\n", "229 Entering Extended Passive Mode (|||40001|)\r\n");
    }

    @Test
    void passivePortsAreListsOfRanges() {
        PortRange r = PortRange.parse("30000-30002, 31000,32000-32001");
        assertThat(r.size()).isEqualTo(6);
        assertThat(java.util.stream.IntStream.range(0, 6).map(r::port).toArray())
                .containsExactly(30000, 30001, 30002, 31000, 32000, 32001);
        assertThat(r).hasToString("30000-30002,31000,32000-32001");
        assertThat(PortRange.parse("30000-30100")).isEqualTo(new PortRange(30000, 30100));
        for (String bad : new String[] {"30000-30100,30050-30200", "1000-2000", "3-", "", "30000-30100,", "a-b", "5-4"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> PortRange.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}

package dev.polyserve.services.ftp;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The FTP control protocol for one connection, sans-I/O: {@link #receive} takes the bytes the client sent,
 * replies and data-connection requests go out through {@link SessionIo}. One method per command (like
 * pyftpdlib's {@code ftp_RETR}); {@link FtpCommands#TABLE} says which checks run before each.
 *
 * <p>Not thread-safe: the server calls it only from the control connection's own thread or loop.
 */
final class FtpSession {
    static final Logger LOG = LoggerFactory.getLogger(FtpSession.class);

    /** Failed PASS attempts on one connection before it is closed (pyftpdlib's max_login_attempts is 3). */
    static final int MAX_LOGIN_FAILURES_PER_CONNECTION = 3;
    /** Longest LIST/NLST/MLSD answer in entries: about 1 MiB of LIST text, plenty for a human-sized folder. */
    static final int MAX_LISTING_ENTRIES = 10_000;
    /**
     * Largest file SIZE measures in TYPE A: the count reads the whole file (each bare LF goes out as CRLF) on the
     * connection's own thread or loop, which a megabyte costs well under a millisecond. Larger files get 550.
     */
    static final long MAX_ASCII_SIZE_SCAN = 1 << 20;
    /** Facts MLST/MLSD send unless OPTS MLST chooses fewer (RFC 3659 section 7.9). */
    private static final List<String> ALL_FACTS = List.of("type", "size", "modify", "perm");

    private final SessionIo io;
    private final InetSocketAddress local;
    private final InetSocketAddress peer;
    private final Clock clock;
    private final CommandLineDecoder decoder = new CommandLineDecoder();

    /**
     * What must happen when the running transfer ends, weakest first: a later, stronger request wins (the
     * client's own QUIT gets its 221 even when the server is shutting down too).
     */
    private enum AfterTransfer { CONTINUE, REINITIALIZE, SHUT_DOWN, QUIT }

    private SessionPhase phase = SessionPhase.NEED_USER;
    private AfterTransfer afterTransfer = AfterTransfer.CONTINUE;
    private String pendingUser;
    private Account account;
    private UserFileSystem fs;
    private int loginFailures;
    private String transferDescription;
    // Transfer parameters: settings, not phases (any of them may change while a transfer runs).
    private boolean ascii;
    private long restOffset;
    private UserFileSystem.Resolved renameFrom;
    private boolean epsvAll;
    /**
     * A data connection was set up (PASV, EPSV, PORT, EPRT) for the next transfer. Independent of the phase:
     * a client may set up the next one while a transfer runs.
     */
    private boolean dataPrepared;
    private Set<String> mlstFacts = new LinkedHashSet<>(ALL_FACTS);
    private String banner = FtpConfig.DEFAULT_BANNER;
    /** What PASV names (--masquerade-address), or null: the control connection's local address. */
    private Inet4Address passiveAddress;

    // FTPS (RFC 4217): what the server offers, and what this connection agreed.
    /** The server has a certificate: AUTH TLS, PBSZ and PROT work and FEAT lists them. */
    private boolean tlsOffered;
    /** --tls-required: no USER/PASS before AUTH TLS (530), no transfer without PROT P (521). */
    private boolean tlsRequired;
    /** The control connection speaks TLS (AUTH TLS was answered, or implicit FTPS). */
    private boolean controlSecure;
    private boolean pbszDone;
    /** PROT P: data connections speak TLS. */
    private boolean protectData;

    FtpSession(SessionIo io, InetSocketAddress local, InetSocketAddress peer, Clock clock) {
        this.io = io;
        this.local = local;
        this.peer = peer;
        this.clock = clock;
    }

    // ---------------------------------------------------------------- driving the session

    /**
     * Offers FTPS on this connection (call before {@link #start}): {@code required} refuses logins before AUTH TLS and
     * transfers without PROT P; {@code implicit} means the connection spoke TLS from its first byte, and then data
     * connections are encrypted from the start too, as implicit FTPS clients expect (they may still send PBSZ/PROT).
     */
    void offerTls(boolean required, boolean implicit) {
        tlsOffered = true;
        tlsRequired = required;
        if (implicit) {
            controlSecure = true;
            pbszDone = true;
            protectData = true;
            io.protectData(true);
        }
    }

    /** The greeting's text and the address PASV replies name (null: the local one). Call before {@link #start}. */
    void present(String banner, Inet4Address passiveAddress) {
        this.banner = banner;
        this.passiveAddress = passiveAddress;
    }

    /** Sends the greeting. */
    void start() {
        reply(220, banner);
    }

    /** Bytes from the client. */
    void receive(ByteBuffer in) {
        decoder.feed(in);
        drain();
    }

    SessionPhase phase() {
        return phase;
    }

    /** True while an answer is awaited and commands are held back (the server may stop reading meanwhile). */
    boolean suspended() {
        return phase.holdsCommands();
    }

    boolean transferring() {
        return phase.transferring();
    }

    boolean closed() {
        return phase == SessionPhase.CLOSED;
    }

    /** Moves to {@code next}; a move {@link SessionPhase} does not allow is a bug in this class. */
    private void moveTo(SessionPhase next) {
        if (!phase.canMoveTo(next)) throw new IllegalStateException("FTP session cannot go from " + phase + " to " + next);
        phase = next;
    }

    /** Remembers what to do when the running transfer ends, unless something stronger is already asked for. */
    private void whenTransferEnds(AfterTransfer what) {
        if (what.compareTo(afterTransfer) > 0) afterTransfer = what;
    }

    /** The idle timeout fired: RFC 959 gives 421 for a service closing the control connection. */
    void idleTimeout() {
        if (closed()) return;
        LOG.info("{}: idle timeout, closing", who());
        reply(421, "Idle timeout, closing control connection");
        close();
    }

    /** The server is stopping: finish a running transfer first, then say goodbye with 421. */
    void shutdown() {
        if (closed()) return;
        if (phase.transferring()) {
            whenTransferEnds(AfterTransfer.SHUT_DOWN);
            return;
        }
        reply(421, "Server shutting down");
        close();
    }

    void onLoginResult(LoginResult result) {
        if (phase != SessionPhase.CHECKING_PASS) return; // closed meanwhile: nobody waits for the answer
        switch (result) {
            case LoginResult.Granted g -> {
                try {
                    fs = new UserFileSystem(g.account().home(), g.account().canWrite());
                    account = g.account();
                    moveTo(SessionPhase.READY);
                    LOG.info("{}: logged in as {} ({})", who(), account.name(), account.canWrite() ? "read-write" : "read-only");
                    reply(230, "Login successful");
                } catch (IOException e) {
                    moveTo(SessionPhase.NEED_USER);
                    LOG.warn("{}: home directory of {} unusable: {}", who(), g.account().name(), e.toString());
                    reply(530, "Login failed: home directory unavailable");
                }
            }
            case LoginResult.Denied d -> {
                moveTo(SessionPhase.NEED_USER);
                loginFailures++;
                LOG.warn("{}: login failed for user {} ({} of {} on this connection)", who(), printable(pendingUser),
                        loginFailures, MAX_LOGIN_FAILURES_PER_CONNECTION);
                if (loginFailures >= MAX_LOGIN_FAILURES_PER_CONNECTION) {
                    reply(421, "Too many failed logins, closing connection");
                    close();
                } else {
                    reply(530, "Login incorrect");
                }
            }
            case LoginResult.LockedOut l -> {
                LOG.warn("{}: login refused for user {}: address locked out after repeated failures", who(), printable(pendingUser));
                reply(421, "Too many failed logins from your address; try again later");
                close();
            }
            case LoginResult.Busy b -> {
                reply(421, "Too many logins being checked; try again later");
                close();
            }
        }
        pendingUser = null;
        drain();
    }

    void onTransferDone(TransferResult result) {
        if (!phase.transferring()) return;
        boolean aborting = phase == SessionPhase.ABORTING;
        moveTo(SessionPhase.READY);
        switch (result) {
            case TransferResult.Completed c -> LOG.info("{}: {} done, {} bytes", who(), transferDescription, c.bytes());
            case TransferResult.NoConnection n -> LOG.warn("{}: {}: no data connection: {}", who(), transferDescription, n.reason());
            case TransferResult.Aborted a -> LOG.warn("{}: {} aborted: {}", who(), transferDescription, a.reason());
            case TransferResult.LocalError e -> LOG.warn("{}: {} failed: {}", who(), transferDescription, e.reason());
            case TransferResult.TlsRefused t -> LOG.warn("{}: {} refused: data connection TLS: {}", who(), transferDescription, t.reason());
        }
        if (aborting) {
            // RFC 959 ABOR: 426 for the aborted transfer, then 226 for ABOR; only 226 if it had already finished.
            if (!(result instanceof TransferResult.Completed)) reply(426, "Transfer aborted");
            reply(226, "ABOR successful");
        } else {
            switch (result) {
                case TransferResult.Completed c -> reply(226, "Transfer complete");
                case TransferResult.NoConnection n -> reply(425, "Can't open data connection");
                case TransferResult.Aborted a -> reply(426, "Connection closed; transfer aborted");
                case TransferResult.LocalError e -> reply(451, "Local error: " + e.reason());
                case TransferResult.TlsRefused t -> reply(522, "TLS data connection refused: " + t.reason());
            }
        }
        AfterTransfer then = afterTransfer;
        afterTransfer = AfterTransfer.CONTINUE;
        switch (then) {
            case CONTINUE -> {}
            case REINITIALIZE -> reinitialize();
            case QUIT -> {
                reply(221, "Goodbye");
                close();
            }
            case SHUT_DOWN -> {
                reply(421, "Server shutting down");
                close();
            }
        }
        drain();
    }

    private void drain() {
        while (!phase.holdsCommands() && phase != SessionPhase.CLOSED) {
            CommandLineDecoder.Line line = decoder.next();
            if (line == null) return;
            switch (line) {
                case CommandLineDecoder.Line.TooLong t -> {
                    LOG.warn("{}: command line longer than {} bytes", who(), CommandLineDecoder.MAX_LINE_BYTES);
                    reply(500, "Command line too long");
                }
                case CommandLineDecoder.Line.Malformed m -> {
                    LOG.warn("{}: command line is not valid UTF-8", who());
                    reply(501, "Command line is not valid UTF-8");
                }
                case CommandLineDecoder.Line.Text t -> dispatch(t.text());
            }
        }
    }

    /** Runs one command line through the table's checks and then its method. */
    void dispatch(String line) {
        int sp = line.indexOf(' ');
        String verb = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
        String arg = sp < 0 ? "" : line.substring(sp + 1);
        FtpCommands.Spec spec = FtpCommands.TABLE.get(verb);
        if (spec == null) {
            if (FtpCommands.NOT_IMPLEMENTED.contains(verb)) {
                LOG.info("{}: {} refused: not implemented", who(), verb);
                reply(502, verb + " not implemented");
            } else {
                LOG.info("{}: unknown command {}", who(), printable(verb));
                reply(500, "Unknown command");
            }
            return;
        }
        if (!verb.equals("RNTO")) renameFrom = verb.equals("RNFR") ? renameFrom : null;
        if (spec.login() && !phase.loggedIn()) {
            LOG.info("{}: {} refused: not logged in", who(), verb);
            reply(530, "Log in with USER and PASS first");
            return;
        }
        if (spec.arg() == FtpCommands.Arg.REQUIRED && arg.isEmpty()) {
            LOG.info("{}: {} refused: argument missing", who(), verb);
            reply(501, verb + " needs an argument");
            return;
        }
        if (spec.arg() == FtpCommands.Arg.NONE && !arg.isEmpty()) {
            LOG.info("{}: {} refused: unexpected argument", who(), verb);
            reply(501, verb + " takes no argument");
            return;
        }
        if (spec.perm() == FtpCommands.Perm.WRITE && !account.canWrite()) {
            LOG.warn("{}: {} refused: {} is read-only", who(), verb, account.name());
            reply(550, "Permission denied");
            return;
        }
        spec.run().accept(this, arg);
    }

    // ---------------------------------------------------------------- access control

    void user(String name) {
        if (refusedWithoutTls()) return;
        if (phase.loggedIn()) {
            reply(530, "Already logged in; cannot change user");
            return;
        }
        moveTo(SessionPhase.NEED_PASS);
        pendingUser = name;
        if (Authenticator.isAnonymousName(name)) reply(331, "Anonymous login ok, send your e-mail address as password");
        else reply(331, "Password required for " + name);
    }

    void pass(String password) {
        if (refusedWithoutTls()) return;
        if (phase.loggedIn()) {
            reply(230, "Already logged in");
            return;
        }
        if (phase != SessionPhase.NEED_PASS) {
            reply(503, "Login with USER first");
            return;
        }
        moveTo(SessionPhase.CHECKING_PASS);
        io.authenticate(pendingUser, password.toCharArray());
    }

    void acct(String arg) {
        reply(202, "ACCT not needed here");
    }

    /**
     * RFC 959 REIN: back to the state right after the greeting, user and transfer parameters forgotten; a running
     * transfer completes first. The TLS state stays: the control connection cannot go back to clear text (CCC is
     * refused for the same reason), and PROT keeps applying to data connections.
     */
    void rein(String arg) {
        if (phase.transferring()) {
            whenTransferEnds(AfterTransfer.REINITIALIZE);
            return;
        }
        reinitialize();
    }

    private void reinitialize() {
        if (phase != SessionPhase.NEED_USER) moveTo(SessionPhase.NEED_USER);
        if (account != null) LOG.info("{}: REIN: {} logged out", who(), account.name());
        account = null;
        fs = null;
        pendingUser = null;
        ascii = false;
        restOffset = 0;
        renameFrom = null;
        epsvAll = false;
        dataPrepared = false;
        mlstFacts = new LinkedHashSet<>(ALL_FACTS);
        reply(220, "Service ready for new user");
    }

    void quit(String arg) {
        if (phase.transferring()) {
            whenTransferEnds(AfterTransfer.QUIT); // RFC 959: QUIT waits for the running transfer's reply.
            return;
        }
        reply(221, "Goodbye");
        close();
    }

    void noop(String arg) {
        reply(200, "NOOP ok");
    }

    void syst(String arg) {
        reply(215, "UNIX Type: L8");
    }

    void feat(String arg) {
        send("211-Features:\r\n"
                + (tlsOffered ? " AUTH TLS\r\n" : "")
                + " EPRT\r\n EPSV\r\n MDTM\r\n MFMT\r\n"
                + " MLST " + String.join("", ALL_FACTS.stream().map(f -> f + (mlstFacts.contains(f) ? "*;" : ";")).toList()) + "\r\n"
                + " PASV\r\n"
                + (tlsOffered ? " PBSZ\r\n PROT\r\n" : "")
                + " REST STREAM\r\n SIZE\r\n TVFS\r\n UTF8\r\n"
                + "211 End\r\n");
    }

    // ---------------------------------------------------------------- FTPS (RFC 4217)

    void auth(String arg) {
        String mechanism = arg.trim().toUpperCase(Locale.ROOT);
        if (!tlsOffered) {
            reply(502, "AUTH not available: this server has no TLS certificate");
            return;
        }
        if (controlSecure) {
            reply(503, "Already using TLS");
            return;
        }
        // RFC 4217 names TLS; TLS-C and SSL are the older drafts' names that clients still send (vsftpd takes them).
        if (!mechanism.equals("TLS") && !mechanism.equals("TLS-C") && !mechanism.equals("SSL")) {
            reply(504, "AUTH TLS only");
            return;
        }
        if (phase.loggedIn()) {
            reply(503, "AUTH TLS must come before login");
            return;
        }
        if (phase == SessionPhase.NEED_PASS) { // RFC 4217 section 4: a USER before AUTH is forgotten
            moveTo(SessionPhase.NEED_USER);
            pendingUser = null;
        }
        reply(234, "AUTH " + mechanism + " ok; start the TLS handshake");
        if (decoder.discardBuffered()) {
            LOG.warn("{}: dropped commands sent behind AUTH TLS before the handshake", who());
        }
        controlSecure = true;
        io.startTls();
    }

    void pbsz(String arg) {
        if (!controlSecure) {
            reply(503, "PBSZ needs AUTH TLS first");
            return;
        }
        if (!arg.trim().matches("[0-9]{1,10}")) {
            reply(501, "PBSZ needs a number");
            return;
        }
        pbszDone = true;
        reply(200, "PBSZ=0"); // RFC 4217 section 8: TLS needs no buffer; any size asked for is answered with 0
    }

    void prot(String arg) {
        if (!controlSecure) {
            reply(503, "PROT needs AUTH TLS first");
            return;
        }
        if (!pbszDone) {
            reply(503, "PBSZ must come before PROT"); // RFC 2228 section 3
            return;
        }
        String level = arg.trim().toUpperCase(Locale.ROOT);
        switch (level) {
            case "P" -> {
                protectData = true;
                io.protectData(true);
                reply(200, "PROT P: data connections are encrypted");
            }
            case "C" -> {
                if (tlsRequired) {
                    LOG.info("{}: PROT C refused: TLS required", who());
                    reply(534, "PROT C refused: this server requires encrypted data connections");
                    return;
                }
                protectData = false;
                io.protectData(false);
                reply(200, "PROT C: data connections are in clear");
            }
            case "S", "E" -> reply(536, "PROT " + level + " not supported with TLS; use P or C");
            default -> reply(504, "PROT needs P or C");
        }
    }

    void ccc(String arg) {
        if (!controlSecure) {
            reply(533, "CCC needs a TLS control connection");
            return;
        }
        // Clearing the control connection would let a middlebox rewrite commands and read passwords changed later.
        LOG.info("{}: CCC refused", who());
        reply(534, "CCC refused: the control connection stays encrypted");
    }

    /** Under --tls-required, USER and PASS before AUTH TLS get 530 (vsftpd's force_local_logins_ssl). */
    private boolean refusedWithoutTls() {
        if (!tlsRequired || controlSecure) return false;
        LOG.info("{}: login refused: TLS required and no AUTH TLS yet", who());
        reply(530, "TLS required: send AUTH TLS first");
        return true;
    }

    void opts(String arg) {
        String[] p = arg.trim().split("\\s+", 2);
        String opt = p[0].toUpperCase(Locale.ROOT);
        String value = p.length > 1 ? p[1] : "";
        switch (opt) {
            case "UTF8", "UTF-8" -> {
                if (value.equalsIgnoreCase("ON") || value.isEmpty()) reply(200, "Always in UTF8 mode");
                else reply(504, "UTF8 cannot be turned off");
            }
            case "MLST" -> {
                Set<String> asked = Set.of(value.toLowerCase(Locale.ROOT).split(";"));
                Set<String> chosen = new LinkedHashSet<>();
                for (String f : ALL_FACTS) {
                    if (asked.contains(f)) chosen.add(f);
                }
                mlstFacts = chosen;
                reply(200, "MLST OPTS " + String.join("", chosen.stream().map(f -> f + ";").toList()));
            }
            default -> reply(501, "Unknown option " + opt);
        }
    }

    void help(String arg) {
        if (!arg.isEmpty()) {
            FtpCommands.Spec spec = FtpCommands.TABLE.get(arg.trim().toUpperCase(Locale.ROOT));
            if (spec == null) reply(501, "Unknown command " + arg.trim());
            else reply(214, "Syntax: " + spec.help());
            return;
        }
        StringBuilder b = new StringBuilder("214-Commands recognized (HELP <command> for one):\r\n");
        int col = 0;
        for (String verb : FtpCommands.TABLE.keySet()) {
            b.append(col == 0 ? " " : "").append(String.format("%-6s", verb));
            if (++col == 8) {
                b.append("\r\n");
                col = 0;
            }
        }
        if (col != 0) b.append("\r\n");
        b.append("214 Help OK\r\n");
        send(b.toString());
    }

    void stat(String arg) {
        if (arg.isEmpty()) {
            String who = phase.loggedIn() ? "logged in as " + account.name() : "not logged in";
            send("211-polyserve FTP status\r\n"
                    + " Connected from " + peer.getAddress().getHostAddress() + "\r\n"
                    + " " + who + "\r\n"
                    + " TYPE: " + (ascii ? "ASCII" : "BINARY") + "; STRUcture: File; transfer MODE: Stream\r\n"
                    + (tlsOffered ? " Control connection " + (controlSecure ? "encrypted (TLS)" : "in clear")
                            + "; data connections " + (protectData ? "encrypted (PROT P)" : "in clear (PROT C)") + "\r\n" : "")
                    + (phase.transferring() ? " " + transferDescription + " in progress\r\n" : " No data connection\r\n")
                    + "211 End of status\r\n");
            return;
        }
        if (!phase.loggedIn()) {
            reply(530, "Log in with USER and PASS first");
            return;
        }
        UserFileSystem.Resolved r = resolve(arg);
        if (r == null) return;
        try {
            StringBuilder b = new StringBuilder("213-Status of " + clean(r.virtual()) + ":\r\n");
            for (String l : listLines(r, false)) b.append(' ').append(l).append("\r\n");
            b.append("213 End of status\r\n");
            send(b.toString());
        } catch (IOException e) {
            reply(550, "No such file or directory");
        }
    }

    // ---------------------------------------------------------------- transfer parameters

    void type(String arg) {
        String t = arg.trim().toUpperCase(Locale.ROOT);
        switch (t) {
            case "A", "A N" -> {
                ascii = true;
                reply(200, "Type set to A");
            }
            case "I", "L 8" -> {
                ascii = false;
                reply(200, "Type set to I");
            }
            default -> reply(504, "Type " + t + " not supported; use A or I");
        }
    }

    void mode(String arg) {
        if (arg.trim().equalsIgnoreCase("S")) reply(200, "Mode set to S");
        else reply(504, "Only stream mode (S) is supported");
    }

    void stru(String arg) {
        if (arg.trim().equalsIgnoreCase("F")) reply(200, "Structure set to F");
        else reply(504, "Only file structure (F) is supported");
    }

    void allo(String arg) {
        reply(202, "No storage allocation necessary");
    }

    void rest(String arg) {
        try {
            long n = Long.parseLong(arg.trim());
            if (n < 0) throw new NumberFormatException();
            if (n > 0 && ascii) {
                reply(550, ASCII_REST_REFUSED);
                return;
            }
            restOffset = n;
            reply(350, "Restarting at " + n + "; send STOR or RETR");
        } catch (NumberFormatException e) {
            reply(501, "REST needs a non-negative byte offset");
        }
    }

    // ---------------------------------------------------------------- directories

    void pwd(String arg) {
        reply(257, quote(fs.cwd()) + " is the current directory");
    }

    void cwd(String arg) {
        UserFileSystem.Resolved r = resolve(arg);
        if (r == null) return;
        if (!Files.isDirectory(r.real())) {
            reply(550, "No such directory");
            return;
        }
        fs.changeDirectory(r);
        reply(250, "Directory changed to " + clean(r.virtual()));
    }

    void cdup(String arg) {
        if (fs.cwd().equals("/")) {
            reply(250, "Already at the top directory");
            return;
        }
        cwd("..");
    }

    void mkd(String arg) {
        UserFileSystem.Resolved r = resolve(arg);
        if (r == null) return;
        try {
            Files.createDirectory(r.real());
            LOG.info("{}: MKD {}", who(), printable(r.virtual()));
            reply(257, quote(r.virtual()) + " created");
        } catch (FileAlreadyExistsException e) {
            reply(550, "Already exists");
        } catch (IOException e) {
            reply(550, "Cannot create directory");
        }
    }

    void rmd(String arg) {
        UserFileSystem.Resolved r = resolve(arg);
        if (r == null) return;
        if (fs.isRoot(r.real())) {
            reply(550, "Cannot remove the top directory");
            return;
        }
        if (!Files.isDirectory(r.real(), LinkOption.NOFOLLOW_LINKS)) {
            reply(550, "No such directory");
            return;
        }
        try {
            Files.delete(r.real());
            LOG.info("{}: RMD {}", who(), printable(r.virtual()));
            reply(250, "Directory removed");
        } catch (DirectoryNotEmptyException e) {
            reply(550, "Directory not empty");
        } catch (IOException e) {
            reply(550, "Cannot remove directory");
        }
    }

    void dele(String arg) {
        UserFileSystem.Resolved r = resolve(arg);
        if (r == null) return;
        if (Files.isDirectory(r.real(), LinkOption.NOFOLLOW_LINKS) || !Files.exists(r.real(), LinkOption.NOFOLLOW_LINKS)) {
            reply(550, "No such file");
            return;
        }
        try {
            Files.delete(r.real());
            LOG.info("{}: DELE {}", who(), printable(r.virtual()));
            reply(250, "File deleted");
        } catch (IOException e) {
            reply(550, "Cannot delete file");
        }
    }

    void rnfr(String arg) {
        UserFileSystem.Resolved r = resolve(arg);
        if (r == null) return;
        if (!Files.exists(r.real(), LinkOption.NOFOLLOW_LINKS) || fs.isRoot(r.real())) {
            reply(550, "No such file or directory");
            return;
        }
        renameFrom = r;
        reply(350, "Ready for RNTO");
    }

    void rnto(String arg) {
        UserFileSystem.Resolved from = renameFrom;
        renameFrom = null;
        if (from == null) {
            reply(503, "RNFR first");
            return;
        }
        UserFileSystem.Resolved to = resolve(arg);
        if (to == null) return;
        try {
            Files.move(from.real(), to.real(), StandardCopyOption.ATOMIC_MOVE);
            LOG.info("{}: RNFR {} RNTO {}", who(), printable(from.virtual()), printable(to.virtual()));
            reply(250, "Renamed");
        } catch (IOException e) {
            reply(550, "Cannot rename: " + e.getClass().getSimpleName());
        }
    }

    // ---------------------------------------------------------------- data connection set-up

    void port(String arg) {
        if (refusedByEpsvAll()) return;
        String[] f = arg.trim().split(",");
        if (f.length != 6) {
            reply(501, "PORT needs h1,h2,h3,h4,p1,p2");
            return;
        }
        byte[] ip = new byte[4];
        int[] p = new int[2];
        try {
            for (int i = 0; i < 6; i++) {
                int v = Integer.parseInt(f[i].trim());
                if (v < 0 || v > 255) throw new NumberFormatException();
                if (i < 4) ip[i] = (byte) v;
                else p[i - 4] = v;
            }
            activeTo(InetAddress.getByAddress(ip), p[0] * 256 + p[1]);
        } catch (NumberFormatException | UnknownHostException e) {
            reply(501, "PORT needs h1,h2,h3,h4,p1,p2 with numbers 0 to 255");
        }
    }

    void eprt(String arg) {
        if (refusedByEpsvAll()) return;
        String a = arg.trim();
        if (a.length() < 7) {
            reply(501, "EPRT needs |proto|address|port|");
            return;
        }
        String delim = a.substring(0, 1);
        String[] f = a.substring(1).split(java.util.regex.Pattern.quote(delim), -1);
        if (f.length != 4 || !f[3].isEmpty()) {
            reply(501, "EPRT needs |proto|address|port|");
            return;
        }
        if (!f[0].equals("1") && !f[0].equals("2")) {
            reply(522, "Network protocol not supported, use (1,2)");
            return;
        }
        try {
            if (!f[1].matches("[0-9A-Fa-f:.]+")) throw new UnknownHostException(); // literal addresses only, no DNS
            InetAddress ip = InetAddress.getByName(f[1]);
            if ((f[0].equals("1")) != (ip instanceof Inet4Address)) throw new UnknownHostException();
            activeTo(ip, Integer.parseInt(f[2]));
        } catch (NumberFormatException | UnknownHostException e) {
            reply(501, "EPRT address or port malformed");
        }
    }

    /**
     * Active mode only to the control connection's own address (no FTP bounce, CERT CA-1997-27) and only to
     * unprivileged ports, as vsftpd and pyftpdlib do.
     */
    private void activeTo(InetAddress ip, int port) {
        if (!sameHost(ip, peer.getAddress())) {
            LOG.warn("{}: refused active data connection to foreign address {}", who(), ip.getHostAddress());
            reply(501, "Data connection only to your own address");
            return;
        }
        if (port < 1024 || port > 65535) {
            LOG.warn("{}: refused active data connection to port {}", who(), port);
            reply(501, "Data connection only to ports 1024 to 65535");
            return;
        }
        io.openActive(new InetSocketAddress(peer.getAddress(), port));
        dataPrepared = true;
        reply(200, "Active data connection to port " + port + " ok");
    }

    private static boolean sameHost(InetAddress a, InetAddress b) {
        return a.equals(b) || java.util.Arrays.equals(ipv4Of(a), ipv4Of(b)) && ipv4Of(a) != null;
    }

    /** The IPv4 address inside an IPv4-mapped IPv6 address, or of an IPv4 address; else null. */
    private static byte[] ipv4Of(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 4) return b;
        for (int i = 0; i < 10; i++) if (b[i] != 0) return null;
        if (b[10] != (byte) 0xFF || b[11] != (byte) 0xFF) return null;
        return java.util.Arrays.copyOfRange(b, 12, 16);
    }

    void pasv(String arg) {
        if (refusedByEpsvAll()) return;
        // Behind NAT the local address is a private one the client cannot reach: name the public one (RFC 959 leaves
        // the address to the server; vsftpd's pasv_address, proftpd's MasqueradeAddress)
        byte[] ip = passiveAddress != null ? passiveAddress.getAddress() : ipv4Of(local.getAddress());
        if (ip == null) {
            reply(425, "PASV needs IPv4; use EPSV");
            return;
        }
        int port = io.openPassive();
        if (port < 0) {
            LOG.warn("{}: no passive port free", who());
            reply(425, "No passive port free; try again");
            return;
        }
        dataPrepared = true;
        reply(227, String.format("Entering Passive Mode (%d,%d,%d,%d,%d,%d)",
                ip[0] & 0xFF, ip[1] & 0xFF, ip[2] & 0xFF, ip[3] & 0xFF, port >> 8, port & 0xFF));
    }

    void epsv(String arg) {
        String a = arg.trim();
        if (a.equalsIgnoreCase("ALL")) {
            epsvAll = true;
            reply(200, "EPSV ALL ok");
            return;
        }
        if (!a.isEmpty()) {
            boolean v6 = local.getAddress() instanceof Inet6Address;
            if (!a.equals(v6 ? "2" : "1")) {
                reply(522, "Network protocol not supported, use (" + (v6 ? "2" : "1") + ")");
                return;
            }
        }
        int port = io.openPassive();
        if (port < 0) {
            LOG.warn("{}: no passive port free", who());
            reply(425, "No passive port free; try again");
            return;
        }
        dataPrepared = true;
        reply(229, "Entering Extended Passive Mode (|||" + port + "|)");
    }

    private boolean refusedByEpsvAll() {
        if (epsvAll) {
            reply(501, "EPSV ALL in effect: only EPSV may set up data connections"); // RFC 2428 section 4
            return true;
        }
        return false;
    }

    // ---------------------------------------------------------------- transfers

    void retr(String arg) {
        if (!readyForTransfer()) return;
        UserFileSystem.Resolved r = resolve(arg);
        if (r == null) return;
        if (!Files.isRegularFile(r.real())) {
            reply(550, "No such file");
            return;
        }
        FileChannel ch;
        long size;
        try {
            ch = FileChannel.open(r.real(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            size = ch.size();
        } catch (IOException e) {
            reply(550, "Cannot open file");
            return;
        }
        long offset = takeRestOffset();
        if (offset > 0 && ascii) { // REST came before TYPE A: its offset counts bytes of the binary form
            closeQuietly(ch);
            reply(550, ASCII_REST_REFUSED);
            return;
        }
        if (offset > size) {
            closeQuietly(ch);
            reply(554, "REST offset " + offset + " beyond the file's " + size + " bytes");
            return;
        }
        begin("RETR " + printable(r.virtual()),
                "Opening " + (ascii ? "ASCII" : "BINARY") + " mode data connection for " + clean(r.name()) + " (" + (size - offset) + " bytes)",
                new Transfer.SendFile(ch, offset, size - offset, ascii));
    }

    void stor(String arg) {
        store(arg, false);
    }

    void appe(String arg) {
        store(arg, true);
    }

    private void store(String arg, boolean append) {
        if (!readyForTransfer()) return;
        UserFileSystem.Resolved r = resolve(arg);
        if (r == null) return;
        if (Files.isDirectory(r.real())) {
            reply(553, "Is a directory");
            return;
        }
        if (!Files.isDirectory(r.real().getParent())) {
            reply(553, "No such directory");
            return;
        }
        long offset = takeRestOffset();
        if (offset > 0 && ascii) {
            reply(550, ASCII_REST_REFUSED);
            return;
        }
        long existing;
        try {
            existing = Files.exists(r.real()) ? Files.size(r.real()) : 0;
        } catch (IOException e) {
            reply(550, "Cannot read the existing file");
            return;
        }
        long keep = append ? existing : offset;
        if (keep > existing) {
            reply(554, "REST offset " + offset + " beyond the file's " + existing + " bytes");
            return;
        }
        startUpload((append ? "APPE " : "STOR ") + printable(r.virtual()), r, keep,
                "Ok to send data for " + clean(r.name()));
    }

    void stou(String arg) {
        if (!readyForTransfer()) return;
        UserFileSystem.Resolved dir = resolve(".");
        if (dir == null) return;
        String stamp = ListingFormat.MDTM_FORMAT.format(clock.instant());
        for (int n = 0; n < 1000; n++) {
            String name = "stou-" + stamp + (n == 0 ? "" : "-" + n);
            Path p = dir.real().resolve(name);
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                UserFileSystem.Resolved r = resolve(name);
                if (r == null) return;
                takeRestOffset();
                // RFC 1123 section 4.1.2.9: the 150 reply names the file as "FILE: <name>".
                startUpload("STOU " + printable(r.virtual()), r, 0, "FILE: " + name);
                return;
            }
        }
        reply(450, "Cannot find a unique name; try again");
    }

    private void startUpload(String description, UserFileSystem.Resolved r, long keep, String prelim) {
        Upload up;
        try {
            up = Upload.open(r.real(), keep);
        } catch (IOException e) {
            LOG.warn("{}: cannot start upload to {}: {}", who(), printable(r.virtual()), e.toString());
            reply(553, "Cannot create file");
            return;
        }
        begin(description, prelim, new Transfer.Receive(up, ascii));
    }

    void list(String arg) {
        listing(arg, "LIST", false);
    }

    void nlst(String arg) {
        listing(arg, "NLST", true);
    }

    private void listing(String arg, String verb, boolean namesOnly) {
        if (!readyForTransfer()) return;
        // Clients send ls options ("LIST -la"); they are not paths. Options are dropped as vsftpd does.
        String path = arg.trim();
        while (path.startsWith("-")) {
            int sp = path.indexOf(' ');
            path = sp < 0 ? "" : path.substring(sp + 1).trim();
        }
        UserFileSystem.Resolved r = resolve(path.isEmpty() ? "." : path);
        if (r == null) return;
        if (!Files.exists(r.real())) {
            reply(550, "No such file or directory");
            return;
        }
        List<String> lines;
        try {
            lines = listLines(r, namesOnly);
        } catch (IOException e) {
            reply(550, "Cannot list directory");
            return;
        }
        begin(verb + " " + printable(r.virtual()), "Here comes the directory listing", new Transfer.SendBytes(joinLines(lines)));
    }

    void mlsd(String arg) {
        if (!readyForTransfer()) return;
        UserFileSystem.Resolved r = resolve(arg.isEmpty() ? "." : arg);
        if (r == null) return;
        if (!Files.isDirectory(r.real())) {
            reply(501, "Not a directory"); // RFC 3659 section 7.2.1
            return;
        }
        List<String> lines = new ArrayList<>();
        try {
            for (Path p : limit(fs.entries(r))) {
                lines.add(facts(p, null) + p.getFileName());
            }
        } catch (IOException e) {
            reply(550, "Cannot list directory");
            return;
        }
        begin("MLSD " + printable(r.virtual()), "Here comes the directory listing", new Transfer.SendBytes(joinLines(lines)));
    }

    void mlst(String arg) {
        UserFileSystem.Resolved r = resolve(arg.isEmpty() ? "." : arg);
        if (r == null) return;
        if (!Files.exists(r.real())) {
            reply(550, "No such file or directory");
            return;
        }
        try {
            send("250-Listing " + clean(r.virtual()) + "\r\n " + facts(r.real(), null) + clean(r.virtual()) + "\r\n250 End\r\n");
        } catch (IOException e) {
            reply(550, "Cannot read attributes");
        }
    }

    void size(String arg) {
        UserFileSystem.Resolved r = resolve(arg);
        if (r == null) return;
        try {
            if (!Files.isRegularFile(r.real())) throw new NoSuchFileException(arg);
            long n = Files.size(r.real());
            if (ascii) {
                // RFC 3659 section 4: the size as transferred, exactly, "estimates MUST NOT be returned"
                if (n > MAX_ASCII_SIZE_SCAN) {
                    reply(550, "SIZE in ASCII mode only for files up to " + MAX_ASCII_SIZE_SCAN + " bytes; use TYPE I");
                    return;
                }
                n = AsciiSource.networkSize(r.real());
            }
            reply(213, Long.toString(n));
        } catch (IOException e) {
            reply(550, "No such file");
        }
    }

    /**
     * MFMT (draft-somers-ftp-mfxx, which FileZilla and lftp use to keep times on upload): {@code MFMT time path},
     * time in the MDTM form (UTC), answered with the time set.
     */
    void mfmt(String arg) {
        int sp = arg.indexOf(' ');
        Instant t = sp < 0 ? null : ListingFormat.parseTime(arg.substring(0, sp));
        if (t == null) {
            reply(501, "MFMT needs YYYYMMDDHHMMSS[.sss] and a path");
            return;
        }
        UserFileSystem.Resolved r = resolve(arg.substring(sp + 1));
        if (r == null) return;
        try {
            if (!Files.exists(r.real(), LinkOption.NOFOLLOW_LINKS)) throw new NoSuchFileException(r.virtual());
            Files.setLastModifiedTime(r.real(), FileTime.from(t));
            reply(213, "Modify=" + ListingFormat.MDTM_FORMAT.format(t) + "; " + r.virtual());
        } catch (IOException e) {
            reply(550, "Cannot set the time: no such file or directory");
        }
    }

    /** SITE: CHMOD and HELP. */
    void site(String arg) {
        String[] p = arg.trim().split("\\s+", 3);
        switch (p[0].toUpperCase(Locale.ROOT)) {
            case "CHMOD" -> chmod(p);
            case "HELP" -> reply(214, "SITE CHMOD <octal mode> <path>: set permissions, e.g. SITE CHMOD 644 notes.txt");
            default -> reply(504, "Unknown SITE command; SITE HELP lists them");
        }
    }

    /**
     * SITE CHMOD (vsftpd's chmod_enable, pyftpdlib): permission bits 0-777 of a file or directory inside the home, for
     * users who may write. Set-user-ID, set-group-ID and sticky bits are refused: an FTP user must not make programs
     * that run as the server's user.
     */
    private void chmod(String[] p) {
        if (!account.canWrite()) {
            LOG.warn("{}: SITE CHMOD refused: {} is read-only", who(), account.name());
            reply(550, "Permission denied");
            return;
        }
        if (p.length < 3 || !p[1].matches("0?[0-7]{3}")) {
            reply(501, "SITE CHMOD needs an octal mode from 000 to 777 and a path");
            return;
        }
        int mode = Integer.parseInt(p[1], 8);
        UserFileSystem.Resolved r = resolve(p[2]);
        if (r == null) return;
        try {
            if (!Files.exists(r.real(), LinkOption.NOFOLLOW_LINKS)) throw new NoSuchFileException(r.virtual());
            Files.setPosixFilePermissions(r.real(), ListingFormat.permissionsOf(mode));
            LOG.info("{}: SITE CHMOD {} {}", who(), p[1], printable(r.virtual()));
            reply(200, "SITE CHMOD command ok");
        } catch (UnsupportedOperationException notPosix) {
            reply(504, "SITE CHMOD needs a POSIX file system");
        } catch (IOException e) {
            reply(550, "Cannot change permissions: no such file or directory");
        }
    }

    void mdtm(String arg) {
        UserFileSystem.Resolved r = resolve(arg);
        if (r == null) return;
        try {
            if (!Files.isRegularFile(r.real())) throw new NoSuchFileException(arg);
            reply(213, ListingFormat.MDTM_FORMAT.format(Files.getLastModifiedTime(r.real()).toInstant()));
        } catch (IOException e) {
            reply(550, "No such file");
        }
    }

    void abor(String arg) {
        if (phase != SessionPhase.TRANSFERRING) {
            // Nothing runs (225), or an ABOR is already under way and its replies will come (RFC 959 4.1.3).
            if (phase != SessionPhase.ABORTING) reply(225, "No transfer to abort");
            return;
        }
        moveTo(SessionPhase.ABORTING);
        io.abortTransfer();
    }

    private static final String ASCII_REST_REFUSED = "REST in ASCII mode is not supported; use TYPE I to resume";

    private boolean readyForTransfer() {
        if (phase.transferring()) {
            reply(425, "A transfer is already running");
            return false;
        }
        if (tlsRequired && !protectData) {
            LOG.info("{}: transfer refused: TLS required and no PROT P", who());
            reply(521, "Data connections must be encrypted: send PBSZ 0 and PROT P"); // vsftpd's force_local_data_ssl
            return false;
        }
        if (!dataPrepared) {
            reply(425, "Use PORT, EPRT, PASV or EPSV first");
            return false;
        }
        return true;
    }

    private void begin(String description, String prelim, Transfer t) {
        transferDescription = description;
        moveTo(SessionPhase.TRANSFERRING);
        dataPrepared = false; // stream mode: one data connection per transfer
        reply(150, prelim);
        io.startTransfer(t);
    }

    private long takeRestOffset() {
        long n = restOffset;
        restOffset = 0;
        return n;
    }

    private List<String> listLines(UserFileSystem.Resolved r, boolean namesOnly) throws IOException {
        List<String> lines = new ArrayList<>();
        var now = clock.instant();
        if (Files.isDirectory(r.real())) {
            for (Path p : limit(fs.entries(r))) {
                String name = p.getFileName().toString();
                if (name.indexOf('\n') >= 0 || name.indexOf('\r') >= 0) continue; // would break the line format
                lines.add(namesOnly ? name : ListingFormat.listLine(p, name, now));
            }
        } else {
            lines.add(namesOnly ? r.name() : ListingFormat.listLine(r.real(), r.name(), now));
        }
        return lines;
    }

    private List<Path> limit(List<Path> entries) {
        if (entries.size() <= MAX_LISTING_ENTRIES) return entries;
        LOG.warn("{}: listing cut to {} of {} entries", who(), MAX_LISTING_ENTRIES, entries.size());
        return entries.subList(0, MAX_LISTING_ENTRIES);
    }

    private String facts(Path p, String type) throws IOException {
        String all = ListingFormat.facts(p, account.canWrite(), type);
        StringBuilder b = new StringBuilder();
        for (String fact : all.trim().split(";")) {
            String key = fact.substring(0, fact.indexOf('='));
            if (mlstFacts.contains(key)) b.append(fact).append(';');
        }
        return b.append(' ').toString();
    }

    private static byte[] joinLines(List<String> lines) {
        StringBuilder b = new StringBuilder();
        for (String l : lines) b.append(l).append("\r\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- helpers

    /** Resolves a client path; on refusal replies 550, logs the attempt and returns null. */
    private UserFileSystem.Resolved resolve(String clientPath) {
        try {
            return fs.resolve(clientPath);
        } catch (UserFileSystem.PathRefused e) {
            LOG.warn("{}: refused path \"{}\": {}", who(), printable(clientPath), e.getMessage());
            reply(550, "Permission denied");
            return null;
        }
    }

    private void reply(int code, String text) {
        send(code + " " + clean(text) + "\r\n");
    }

    private void send(String text) {
        if (phase != SessionPhase.CLOSED) io.send(text);
    }

    private void close() {
        moveTo(SessionPhase.CLOSED);
        io.close();
    }

    /** RFC 959 section 7: a '"' inside a quoted path name is doubled. */
    private static String quote(String path) {
        return "\"" + clean(path).replace("\"", "\"\"") + "\"";
    }

    /** Reply text never contains CR or LF (they would end the reply early). */
    private static String clean(String s) {
        return s.replace('\r', ' ').replace('\n', ' ');
    }

    /** Client text for logs, control characters escaped (no log injection). */
    static String printable(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(Math.min(s.length(), 200));
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7F) b.append(String.format("\\x%02x", (int) c));
            else b.append(c);
        }
        if (s.length() > 200) b.append("...");
        return b.toString();
    }

    private String who() {
        return peer.getAddress().getHostAddress() + ":" + peer.getPort() + (phase.loggedIn() ? " (" + account.name() + ")" : "");
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // Read-only channel, never used.
        }
    }
}

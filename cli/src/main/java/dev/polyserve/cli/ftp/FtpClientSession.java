package dev.polyserve.cli.ftp;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.apache.commons.net.ftp.FTPClientConfig;
import org.apache.commons.net.ftp.FTPFileEntryParser;
import org.apache.commons.net.ftp.parser.DefaultFTPFileEntryParserFactory;
import org.apache.commons.net.ftp.parser.MLSxEntryParser;
import org.apache.commons.net.ftp.parser.UnixFTPEntryParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import dev.polyserve.cli.ProgressLine;
import dev.polyserve.core.tls.TlsClient;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPConnectionClosedException;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPReply;
import org.apache.commons.net.ftp.FTPSClient;

/**
 * One FTP session for the polyserve client, over Apache Commons Net: passive mode, binary type, UTF-8 names. It
 * connects first and logs in after ({@link #connect}, {@link #login}), so a wrong password can be asked again on the
 * same connection. Every failure becomes an {@link FtpFailure} whose message quotes the server's reply, so the user
 * sees exactly what was refused and why. A running transfer or listing can be cancelled from another thread
 * (Ctrl-C): {@link #cancel}.
 */
final class FtpClientSession implements AutoCloseable {
    /** Connecting and each reply may take this long before the client gives up (a stuck server). */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Bytes moved per read or write of a transfer: big enough that the loop costs nothing beside the socket. */
    static final int BUFFER_BYTES = 64 * 1024;

    /**
     * Replies read after ABOR while waiting for the NOOP's 200: at most the transfer's own (426 or 226) and ABOR's
     * (225 or 226) come first (RFC 959 section 4.1.3); more means the server is not following the protocol.
     */
    static final int MAX_REPLIES_AFTER_ABOR = 4;

    /** A download in progress is written here beside its final name and renamed when whole. */
    static final String PART_SUFFIX = ".part";

    private final FTPClient ftp;
    private final String where;
    /** The data stream of the running transfer or listing, closed by {@link #cancel} to unblock it; else null. */
    private volatile Closeable data;
    /** A transfer or listing is under way: {@link #cancel} applies to it. */
    private volatile boolean busy;
    private volatile boolean cancelled;
    /** How LIST lines are read when the server has no MLSD: chosen by its SYST reply, once. */
    private FTPFileEntryParser listParser;
    private String lastReply = "";

    private FtpClientSession(String host, int port, TlsClient tls, boolean implicitTls) {
        this.where = host + ":" + port;
        this.ftp = tls == null ? new ListingClient.Plain() : new ReusingFtpsClient(tls, implicitTls);
    }

    /** Connects and logs in; the greeting and login replies go to {@code log} when it is not null. */
    static FtpClientSession open(String host, int port, String user, String password, PrintStream log) throws FtpFailure {
        return open(host, port, user, password, log, null, false);
    }

    /**
     * {@link #connect} and {@link #login} in one, a refused login being a failure: the one-shot commands. {@code tls}
     * null is plain FTP; with {@code implicitTls}, TLS from the first byte (needs {@code tls}).
     */
    static FtpClientSession open(String host, int port, String user, String password, PrintStream log, TlsClient tls,
            boolean implicitTls) throws FtpFailure {
        FtpClientSession s = connect(host, port, log, tls, implicitTls);
        try {
            if (!s.login(user, password, log)) {
                throw new FtpFailure("login as " + user + " refused: " + s.ftp.getReplyString().trim(), FtpFailure.REFUSED);
            }
            return s;
        } catch (FtpFailure e) {
            s.close();
            throw e;
        }
    }

    /**
     * Connects and reads the greeting (printed to {@code log} when it is not null). With {@code tls}, explicit FTPS:
     * AUTH TLS at once (a server that does not offer it is refused, as curl's --ssl-reqd does), so the password never
     * crosses in the clear; with {@code implicitTls} too, implicit FTPS: the TLS handshake before the greeting (a
     * port-990-style listener), no AUTH TLS.
     */
    static FtpClientSession connect(String host, int port, PrintStream log, TlsClient tls, boolean implicitTls)
            throws FtpFailure {
        if (implicitTls && tls == null) throw new IllegalArgumentException("implicit FTPS needs a TLS client");
        FtpClientSession s = new FtpClientSession(host, port, tls, implicitTls);
        FTPClient ftp = s.ftp;
        ftp.setControlEncoding("UTF-8");
        ftp.setConnectTimeout((int) TIMEOUT.toMillis());
        ftp.setDefaultTimeout((int) TIMEOUT.toMillis());
        ftp.setDataTimeout(TIMEOUT);
        try {
            ftp.connect(host, port);
        } catch (SSLHandshakeException e) {
            throw new FtpFailure("TLS handshake with " + s.where + " failed: " + e.getMessage()
                    + " (a self-signed server needs --ca FILE)", FtpFailure.REFUSED);
        } catch (SSLException e) { // FTPSClient's way of saying AUTH TLS was refused: the message is the reply
            if (implicitTls) {
                throw new FtpFailure(s.where + " does not speak implicit FTPS: " + e.getMessage(), FtpFailure.REFUSED);
            }
            throw new FtpFailure(s.where + " does not offer FTPS: AUTH TLS got " + e.getMessage().trim(), FtpFailure.REFUSED);
        } catch (IOException e) {
            String hint = port == FtpUrl.DEFAULT_PORT ? " (polyserve's default port; a standard FTP server listens on 21)" : "";
            throw new FtpFailure("cannot connect to " + s.where + ": " + e.getMessage() + hint, FtpFailure.CONNECTION);
        }
        if (log != null) log.println("Connected to " + s.where + ": " + ftp.getReplyString().trim());
        if (!FTPReply.isPositiveCompletion(ftp.getReplyCode())) {
            String reply = ftp.getReplyString().trim();
            s.close();
            throw new FtpFailure("server refused the connection: " + reply, FtpFailure.REFUSED);
        }
        return s;
    }

    /**
     * Logs in. False when the server said 530 (wrong name or password: the caller may ask again on this connection)
     * or 421 and closed the connection (too many failures on it: the caller may {@link #connect} again); once in, with TLS, PBSZ 0 and PROT P so listings and files are encrypted too; then passive mode and binary type.
     */
    boolean login(String user, String password, PrintStream log) throws FtpFailure {
        try {
            boolean in = ftp.login(user, password);
            lastReply = ftp.getReplyString().trim();
            if (!in) {
                if (ftp.getReplyCode() == FTPReply.NOT_LOGGED_IN) return false;
                throw new FtpFailure("login as " + user + " refused: " + ftp.getReplyString().trim(), FtpFailure.REFUSED);
            }
            if (log != null) log.println(ftp.getReplyString().trim());
            if (ftp instanceof FTPSClient ftps) {
                ftps.execPBSZ(0);
                ftps.execPROT("P");
                if (log != null) log.println("TLS on: commands, listings and files are encrypted (PROT P)");
            }
            ftp.enterLocalPassiveMode();
            if (!ftp.setFileType(FTP.BINARY_FILE_TYPE)) throw refused("binary mode");
            return true;
        } catch (FTPConnectionClosedException e) {
            if (ftp.getReplyCode() != FTPReply.SERVICE_NOT_AVAILABLE) throw broken(e);
            lastReply = ftp.getReplyString() == null ? "421" : ftp.getReplyString().trim();
            close();   // 421 after a failed PASS: the server hung up on this connection
            return false;
        } catch (SSLException e) { // PBSZ or PROT refused: the message is the reply
            throw new FtpFailure("FTPS refused by " + where + ": " + e.getMessage().trim(), FtpFailure.REFUSED);
        } catch (IOException e) {
            throw broken(e);
        }
    }

    /** False once the server has closed the connection (a 421). */
    boolean connected() {
        return ftp.isConnected();
    }

    /** The server's reply to the last {@link #login}, for telling the user why it failed. */
    String lastReply() {
        return lastReply;
    }

    String pwd() throws FtpFailure {
        try {
            String p = ftp.printWorkingDirectory();
            if (p == null) throw refused("pwd");
            return p;
        } catch (IOException e) {
            throw broken(e);
        }
    }

    void cd(String dir) throws FtpFailure {
        try {
            if (!ftp.changeWorkingDirectory(dir)) throw refused("cd " + dir);
        } catch (IOException e) {
            throw broken(e);
        }
    }

    /** How a listing ended: the entries handed over, and whether {@link #cancel} cut it short. */
    record Listing(int entries, boolean cancelled) {}

    /**
     * Hands each entry of {@code dir} (empty = current) to {@code each} as it arrives: MLSD where the server has it
     * (exact sizes and times), else LIST. {@link #cancel} (Ctrl-C) stops it like a transfer: the data connection is
     * closed and ABOR brings the control connection back in step.
     */
    Listing list(String dir, Consumer<FTPFile> each) throws FtpFailure {
        cancelled = false;
        busy = true;
        try {
            boolean mlsd = ftp.hasFeature("MLST");
            FTPFileEntryParser parser = mlsd ? MLSxEntryParser.getInstance() : listParser();
            Socket socket = ((ListingClient) ftp).openData(mlsd ? "MLSD" : "LIST", dir.isEmpty() ? null : dir);
            if (socket == null) throw refused("list " + dir);
            data = socket;
            int entries = 0;
            try {
                BufferedReader lines = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                for (String line; !cancelled && (line = parser.readNextEntry(lines)) != null; ) {
                    FTPFile f = parser.parseFTPEntry(line);
                    if (f == null || f.getName().equals(".") || f.getName().equals("..")) continue;
                    each.accept(f);
                    entries++;
                }
            } catch (IOException e) {
                if (!cancelled) {
                    closeQuietly(socket);
                    throw e;
                }
            } finally {
                data = null;
            }
            if (!finish(socket, "list " + dir)) return new Listing(entries, true);
            return new Listing(entries, false);
        } catch (IOException e) {
            throw broken(e);
        } finally {
            busy = false;
        }
    }

    /** The parser for the server's LIST lines: by its SYST reply (Commons Net's choice), Unix-style when it gives none. */
    private FTPFileEntryParser listParser() {
        if (listParser != null) return listParser;
        String system;
        try {
            system = ftp.getSystemType();
        } catch (IOException e) {
            system = FTPClientConfig.SYST_UNIX;   // no SYST: ls -l lines are by far the most common
        }
        try {
            listParser = new DefaultFTPFileEntryParserFactory().createFileEntryParser(system);
        } catch (RuntimeException e) {
            listParser = new UnixFTPEntryParser();
        }
        return listParser;
    }

    /** The size of a remote file, or -1 if the server does not say. */
    long size(String remote) throws FtpFailure {
        try {
            String s = ftp.getSize(remote);
            return s == null ? -1 : Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        } catch (IOException e) {
            throw broken(e);
        }
    }

    void mkdir(String dir) throws FtpFailure {
        try {
            if (!ftp.makeDirectory(dir)) throw refused("mkdir " + dir);
        } catch (IOException e) {
            throw broken(e);
        }
    }

    void rmdir(String dir) throws FtpFailure {
        try {
            if (!ftp.removeDirectory(dir)) throw refused("rmdir " + dir);
        } catch (IOException e) {
            throw broken(e);
        }
    }

    void rm(String file) throws FtpFailure {
        try {
            if (!ftp.deleteFile(file)) throw refused("rm " + file);
        } catch (IOException e) {
            throw broken(e);
        }
    }

    void rename(String from, String to) throws FtpFailure {
        try {
            if (!ftp.rename(from, to)) throw refused("rename " + from + " " + to);
        } catch (IOException e) {
            throw broken(e);
        }
    }

    /**
     * Stops the running transfer or listing (any thread; a Ctrl-C handler): its data connection is closed at once, and
     * the thread running it then sends ABOR and returns a cancelled {@link TransferOutcome} or {@link Listing}. Does
     * nothing between them.
     */
    void cancel() {
        if (!busy) return;
        cancelled = true;
        Closeable d = data;   // null while the data connection is being opened: it is closed once it is, unread
        if (d == null) return;
        try {
            d.close();
        } catch (IOException ignored) {
            // closed either way: the running thread's read or write fails and it sees the flag
        }
    }

    /**
     * Downloads {@code remote} into {@code local}, through {@code local.part} (created with the process's umask), which
     * is renamed to {@code local} only when whole. With {@code resume} an existing {@code .part} (or {@code local}
     * itself, taken as an earlier partial copy) is continued from its length with REST. A cancelled or broken download
     * keeps the {@code .part} for a later resume when {@code keepPartial}, else removes it.
     */
    TransferOutcome get(String remote, Path local, boolean resume, boolean keepPartial, ProgressLine progress) throws FtpFailure {
        long total = size(remote);
        Path part = partFile(local);
        long offset;
        try {
            if (!resume) Files.deleteIfExists(part);
            else if (!Files.exists(part) && Files.isRegularFile(local)) Files.move(local, part);
            offset = Files.exists(part) ? Files.size(part) : 0;
        } catch (IOException e) {
            throw new FtpFailure("cannot write " + part + ": " + e.getMessage(), FtpFailure.LOCAL);
        }
        if (total >= 0 && offset > total) {
            throw new FtpFailure("cannot resume: " + part + " (" + offset + " bytes) is longer than " + remote + " (" + total
                    + " bytes); remove it or use get", FtpFailure.LOCAL);
        }
        boolean hadPart = offset > 0;
        long start = System.nanoTime();
        TransferOutcome outcome;
        if (total >= 0 && offset == total) {
            outcome = new TransferOutcome(offset, 0, total, 0, false);   // already whole: nothing to fetch
        } else {
            ProgressBar bar = progress == null ? null : new ProgressBar(progress, remote, total, offset);
            boolean failed = true;
            try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                if (offset > 0) ftp.setRestartOffset(offset);
                InputStream in = ftp.retrieveFileStream(remote);
                if (in == null) throw refused((offset > 0 ? "reget " : "get ") + remote);
                long moved = transfer(in, out, in, bar);
                outcome = new TransferOutcome(offset, moved, total, System.nanoTime() - start, cancelled);
                failed = false;
            } catch (NoSuchFileException | java.nio.file.AccessDeniedException e) {
                throw new FtpFailure("cannot write " + part + ": " + e.getMessage(), FtpFailure.LOCAL);
            } catch (IOException e) {
                throw broken(e);
            } finally {
                if (bar != null) bar.clear();
                // A refusal (no such file) leaves nothing behind it did not find; a broken transfer is like a cancel.
                if (failed && (!hadPart && sizeOrZero(part) == 0 || !keepPartial)) deleteQuietly(part);
            }
            if (outcome.cancelled() && !keepPartial) deleteQuietly(part);
            if (outcome.cancelled()) return outcome;
        }
        long have = sizeOrZero(part);
        if (total >= 0 && have != total) {
            if (!keepPartial) deleteQuietly(part);
            throw new FtpFailure("get " + remote + ": got " + have + " of " + total + " bytes"
                    + (keepPartial ? "; reget resumes from " + part : ""), FtpFailure.REFUSED);
        }
        try {
            Files.move(part, local, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new FtpFailure("cannot write " + local + ": " + e.getMessage(), FtpFailure.LOCAL);
        }
        return outcome;
    }

    /** Where a download of {@code local} is written until it is whole. */
    static Path partFile(Path local) {
        return local.resolveSibling(local.getFileName() + PART_SUFFIX);
    }

    /** Downloads {@code remote} into {@code out} (standard output, a pipe); returns the bytes received. */
    long get(String remote, OutputStream out, ProgressLine progress) throws FtpFailure {
        long total = size(remote);
        ProgressBar bar = progress == null ? null : new ProgressBar(progress, remote, total, 0);
        try {
            InputStream in = ftp.retrieveFileStream(remote);
            if (in == null) throw refused("get " + remote);
            long n = transfer(in, out, in, bar);
            out.flush();
            if (cancelled) throw new FtpFailure("get " + remote + " cancelled after " + n + " bytes", FtpFailure.REFUSED);
            return n;
        } catch (IOException e) {
            throw broken(e);
        } finally {
            if (bar != null) bar.clear();
        }
    }

    /**
     * Uploads {@code local} as {@code remote}. With {@code resume}, the server's copy is continued from its size (SIZE):
     * REST then STOR where the server announces REST STREAM (RFC 3659), else APPE.
     */
    TransferOutcome put(Path local, String remote, boolean resume, ProgressLine progress) throws FtpFailure {
        long total;
        try {
            total = Files.size(local);
        } catch (NoSuchFileException e) {
            throw new FtpFailure("no such local file: " + local, FtpFailure.LOCAL);
        } catch (IOException e) {
            throw new FtpFailure("cannot read " + local + ": " + e.getMessage(), FtpFailure.LOCAL);
        }
        long offset = resume ? Math.max(0, size(remote)) : 0;
        if (offset > total) {
            throw new FtpFailure("cannot resume: " + remote + " on the server (" + offset + " bytes) is longer than " + local
                    + " (" + total + " bytes)", FtpFailure.REFUSED);
        }
        if (resume && offset == total) return new TransferOutcome(offset, 0, total, 0, false);
        long start = System.nanoTime();
        ProgressBar bar = progress == null ? null : new ProgressBar(progress, local.getFileName().toString(), total, offset);
        try (InputStream in = Files.newInputStream(local)) {
            in.skipNBytes(offset);
            OutputStream out;
            if (offset > 0 && ftp.hasFeature("REST", "STREAM")) {
                ftp.setRestartOffset(offset);
                out = ftp.storeFileStream(remote);
            } else {
                out = offset > 0 ? ftp.appendFileStream(remote) : ftp.storeFileStream(remote);
            }
            if (out == null) throw refused((resume ? "reput " : "put ") + remote);
            long moved = transfer(in, out, out, bar);
            return new TransferOutcome(offset, moved, total, System.nanoTime() - start, cancelled);
        } catch (IOException e) {
            throw broken(e);
        } finally {
            if (bar != null) bar.clear();
        }
    }

    /**
     * Copies a transfer's data from {@code in} to {@code out} ({@code dataSide} is the one of them on the data
     * connection) and collects the server's final reply; returns the bytes moved. When {@link #cancel} cut it short,
     * sends ABOR and reads up to the reply of a NOOP sent after it, so the control connection is in step again
     * whatever order the server's 426, 226 and 225 came in.
     */
    private long transfer(InputStream in, OutputStream out, Closeable dataSide, ProgressBar bar) throws IOException, FtpFailure {
        cancelled = false;
        busy = true;
        data = dataSide;
        long moved = 0;
        try {
            byte[] buf = new byte[BUFFER_BYTES];
            for (int n; !cancelled && (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                moved += n;
                if (bar != null) bar.update(moved);
            }
        } catch (IOException e) {
            if (!cancelled) {
                closeQuietly(dataSide);
                throw e;
            }
        } finally {
            data = null;
            busy = false;
        }
        finish(dataSide, "transfer");
        return moved;
    }

    /**
     * Ends the command running over {@code dataSide}: after a {@link #cancel}, ABOR (false); else its final reply, which
     * must be a success (true).
     */
    private boolean finish(Closeable dataSide, String what) throws IOException, FtpFailure {
        if (cancelled) {
            closeQuietly(dataSide);
            abort();
            return false;
        }
        dataSide.close();
        if (!ftp.completePendingCommand()) throw refused(what);
        return true;
    }

    private void abort() throws IOException {
        ftp.sendCommand("ABOR");
        ftp.sendCommand("NOOP");
        for (int i = 0; ftp.getReplyCode() != FTPReply.COMMAND_OK && i < MAX_REPLIES_AFTER_ABOR; i++) ftp.getReply();
        if (ftp.getReplyCode() != FTPReply.COMMAND_OK) {
            throw new FTPConnectionClosedException("no reply to NOOP after ABOR: " + ftp.getReplyString().trim());
        }
    }

    private FtpFailure refused(String what) {
        return new FtpFailure(what + " refused: " + ftp.getReplyString().trim(), FtpFailure.REFUSED);
    }

    private FtpFailure broken(IOException e) {
        if (e instanceof FTPConnectionClosedException) {
            return new FtpFailure("server closed the connection: " + e.getMessage(), FtpFailure.CONNECTION);
        }
        return new FtpFailure("connection to " + where + " failed: " + e.getMessage(), FtpFailure.CONNECTION);
    }

    private static long sizeOrZero(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // the data connection is being dropped anyway
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // what is left is named NAME.part: the user sees it and can remove it
        }
    }

    @Override
    public void close() {
        if (!ftp.isConnected()) return;
        try {
            ftp.logout();
        } catch (IOException ignored) {
            // leaving anyway
        }
        try {
            ftp.disconnect();
        } catch (IOException ignored) {
            // leaving anyway
        }
    }
}

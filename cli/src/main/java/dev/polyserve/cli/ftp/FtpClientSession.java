package dev.polyserve.cli.ftp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import dev.polyserve.cli.ProgressLine;
import dev.polyserve.core.tls.TlsClient;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPConnectionClosedException;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPReply;
import org.apache.commons.net.ftp.FTPSClient;

/**
 * One logged-in FTP session for the polyserve client, over Apache Commons Net: passive mode, binary type,
 * UTF-8 names. Every failure becomes an {@link FtpFailure} whose message quotes the server's reply, so the
 * user sees exactly what was refused and why.
 */
final class FtpClientSession implements AutoCloseable {
    /** Connecting and each reply may take this long before the client gives up (a stuck server). */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final FTPClient ftp;
    private final String where;

    private FtpClientSession(String host, int port, TlsClient tls) {
        this.where = host + ":" + port;
        this.ftp = tls == null ? new FTPClient() : new ReusingFtpsClient(tls);
    }

    /** Connects and logs in; the greeting and login replies go to {@code log} when it is not null. */
    static FtpClientSession open(String host, int port, String user, String password, PrintStream log) throws FtpFailure {
        return open(host, port, user, password, log, null);
    }

    /**
     * As {@link #open(String, int, String, String, PrintStream)}; with {@code tls}, explicit FTPS: AUTH TLS before the
     * login (a server that does not offer it is refused, as curl's --ssl-reqd does), then PBSZ 0 and PROT P, so
     * listings and files are encrypted too.
     */
    static FtpClientSession open(String host, int port, String user, String password, PrintStream log, TlsClient tls)
            throws FtpFailure {
        FtpClientSession s = new FtpClientSession(host, port, tls);
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
            throw new FtpFailure(s.where + " does not offer FTPS: AUTH TLS got " + e.getMessage().trim(), FtpFailure.REFUSED);
        } catch (IOException e) {
            String hint = port == FtpUrl.DEFAULT_PORT ? " (polyserve serves FTP on port 2121 by default)" : "";
            throw new FtpFailure("cannot connect to " + s.where + ": " + e.getMessage() + hint, FtpFailure.CONNECTION);
        }
        try {
            if (log != null) log.println("Connected to " + s.where + ": " + ftp.getReplyString().trim());
            if (!FTPReply.isPositiveCompletion(ftp.getReplyCode())) {
                throw new FtpFailure("server refused the connection: " + ftp.getReplyString().trim(), FtpFailure.REFUSED);
            }
            if (!ftp.login(user, password)) {
                throw new FtpFailure("login as " + user + " refused: " + ftp.getReplyString().trim(), FtpFailure.REFUSED);
            }
            if (log != null) log.println(ftp.getReplyString().trim());
            if (ftp instanceof FTPSClient ftps) {
                ftps.execPBSZ(0);
                ftps.execPROT("P");
                if (log != null) log.println("TLS on: commands, listings and files are encrypted (PROT P)");
            }
            ftp.enterLocalPassiveMode();
            if (!ftp.setFileType(FTP.BINARY_FILE_TYPE)) throw s.refused("binary mode");
            return s;
        } catch (FtpFailure e) {
            s.close();
            throw e;
        } catch (SSLException e) { // PBSZ or PROT refused: the message is the reply
            s.close();
            throw new FtpFailure("FTPS refused by " + s.where + ": " + e.getMessage().trim(), FtpFailure.REFUSED);
        } catch (IOException e) {
            s.close();
            throw s.broken(e);
        }
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

    /** Entries of {@code dir} (empty = current): MLSD where the server has it (exact sizes and times), else LIST. */
    List<FTPFile> list(String dir) throws FtpFailure {
        try {
            FTPFile[] files;
            if (ftp.hasFeature("MLST")) {
                files = dir.isEmpty() ? ftp.mlistDir() : ftp.mlistDir(dir);
            } else {
                files = dir.isEmpty() ? ftp.listFiles() : ftp.listFiles(dir);
            }
            if (!FTPReply.isPositiveCompletion(ftp.getReplyCode())) throw refused("list " + dir);
            return Arrays.stream(files).filter(f -> f != null && !f.getName().equals(".") && !f.getName().equals("..")).toList();
        } catch (IOException e) {
            throw broken(e);
        }
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

    /** Downloads {@code remote} into {@code local}; a failed download leaves no partial file behind. */
    long get(String remote, Path local, ProgressLine progress) throws FtpFailure {
        long total = size(remote);
        Path tmp;
        try {
            Path dir = local.toAbsolutePath().getParent();
            tmp = Files.createTempFile(dir, "." + local.getFileName(), ".part");
        } catch (IOException e) {
            throw new FtpFailure("cannot write " + local + ": " + e.getMessage(), FtpFailure.LOCAL);
        }
        ProgressBar bar = progress == null ? null : new ProgressBar(progress, remote, total, 0);
        ftp.setCopyStreamListener(bar);
        boolean ok = false;
        try (OutputStream out = Files.newOutputStream(tmp)) {
            if (!ftp.retrieveFile(remote, out)) throw refused("get " + remote);
            ok = true;
        } catch (IOException e) {
            throw broken(e);
        } finally {
            ftp.setCopyStreamListener(null);
            if (bar != null && ok) bar.finish();
            if (!ok) deleteQuietly(tmp);
        }
        try {
            Files.move(tmp, local, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return Files.size(local);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new FtpFailure("cannot write " + local + ": " + e.getMessage(), FtpFailure.LOCAL);
        }
    }

    /** Downloads {@code remote} into {@code out} (standard output, a pipe); returns the bytes received. */
    long get(String remote, OutputStream out, ProgressLine progress) throws FtpFailure {
        long total = size(remote);
        ProgressBar bar = progress == null ? null : new ProgressBar(progress, remote, total, 0);
        long[] count = {0};
        ftp.setCopyStreamListener(new org.apache.commons.net.io.CopyStreamAdapter() {
            @Override
            public void bytesTransferred(long totalBytes, int bytes, long streamSize) {
                count[0] = totalBytes;
                if (bar != null) bar.bytesTransferred(totalBytes, bytes, streamSize);
            }
        });
        try {
            if (!ftp.retrieveFile(remote, out)) throw refused("get " + remote);
            out.flush();
            if (bar != null) bar.finish();
            return count[0];
        } catch (IOException e) {
            throw broken(e);
        } finally {
            ftp.setCopyStreamListener(null);
        }
    }

    /** Uploads {@code local} as {@code remote}. */
    long put(Path local, String remote, ProgressLine progress) throws FtpFailure {
        long total;
        InputStream in;
        try {
            total = Files.size(local);
            in = Files.newInputStream(local);
        } catch (NoSuchFileException e) {
            throw new FtpFailure("no such local file: " + local, FtpFailure.LOCAL);
        } catch (IOException e) {
            throw new FtpFailure("cannot read " + local + ": " + e.getMessage(), FtpFailure.LOCAL);
        }
        ProgressBar bar = progress == null ? null : new ProgressBar(progress, local.getFileName().toString(), total, 0);
        ftp.setCopyStreamListener(bar);
        try (in) {
            if (!ftp.storeFile(remote, in)) throw refused("put " + remote);
            if (bar != null) bar.finish();
            return total;
        } catch (IOException e) {
            throw broken(e);
        } finally {
            ftp.setCopyStreamListener(null);
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

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover temporary file is harmless and hidden (dot name)
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

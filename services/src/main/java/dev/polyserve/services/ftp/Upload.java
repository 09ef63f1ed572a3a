package dev.polyserve.services.ftp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.Set;

/**
 * An upload in progress: bytes go to a hidden temporary file in the target's own directory (so the final
 * rename stays on one file system and is atomic) and reach the final name only in {@link #commit}. An upload
 * that breaks off is {@link #discard}ed, so no partial file ever sits under the final name.
 *
 * <p>Resuming (REST before STOR) and appending (APPE) first copy the first {@code keep} bytes of the existing
 * file into the temporary file, then the new bytes follow; the swap is still atomic.
 */
final class Upload {
    /** Temporary names start with this (hidden from {@code ls}) and end with {@link #TEMP_SUFFIX}. */
    static final String TEMP_PREFIX = ".polyserve-upload-";
    static final String TEMP_SUFFIX = ".part";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path target;
    private final Path temp;
    private final FileChannel out;
    private boolean finished;
    /** A CR seen at the end of the previous ASCII chunk, not yet known to be part of CRLF. */
    private boolean pendingCr;

    private Upload(Path target, Path temp, FileChannel out) {
        this.target = target;
        this.temp = temp;
        this.out = out;
    }

    /**
     * Starts an upload to {@code target}, keeping its first {@code keep} existing bytes (0 = replace).
     *
     * @throws IOException if the temporary file cannot be made or the existing bytes cannot be copied
     */
    static Upload open(Path target, long keep) throws IOException {
        Path temp = null;
        FileChannel out = null;
        try {
            // Not Files.createTempFile, which makes 0600 files: a new upload gets the mode any program's new file
            // gets, 0666 less the process umask (vsftpd's file_open_mode 0666 and its local_umask)
            for (int attempt = 0; out == null; attempt++) {
                temp = target.resolveSibling(TEMP_PREFIX + Long.toUnsignedString(RANDOM.nextLong(), 36) + TEMP_SUFFIX);
                try {
                    out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (FileAlreadyExistsException taken) {
                    if (attempt == 99) throw taken;
                }
            }
            keepModeOf(target, temp);
            if (keep > 0) {
                try (FileChannel in = FileChannel.open(target, StandardOpenOption.READ)) {
                    long done = 0;
                    while (done < keep) {
                        long n = in.transferTo(done, keep - done, out);
                        if (n <= 0) throw new IOException("existing file shorter than the resume offset");
                        done += n;
                    }
                }
            }
            return new Upload(target, temp, out);
        } catch (IOException | RuntimeException e) {
            if (out != null) out.close();
            if (temp != null && out != null) Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** A file that is replaced (STOR over it, APPE, a resume) keeps its permissions, as one written in place would. */
    private static void keepModeOf(Path target, Path temp) throws IOException {
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(target, LinkOption.NOFOLLOW_LINKS);
            Files.setPosixFilePermissions(temp, mode);
        } catch (NoSuchFileException | UnsupportedOperationException newOrNotPosix) {
            // A new file keeps the umask's mode; a non-POSIX file system has its own rules.
        }
    }

    Path target() {
        return target;
    }

    /** Appends all of {@code in}. */
    void write(ByteBuffer in) throws IOException {
        while (in.hasRemaining()) out.write(in);
    }

    /** Appends {@code in} with CRLF turned into LF (ASCII mode, RFC 959 section 3.1.1.1). */
    void writeAscii(ByteBuffer in) throws IOException {
        ByteBuffer conv = ByteBuffer.allocate(in.remaining() + 1);
        if (pendingCr) {
            if (!in.hasRemaining()) return;
            if (in.get(in.position()) != '\n') conv.put((byte) '\r');
            pendingCr = false;
        }
        while (in.hasRemaining()) {
            byte b = in.get();
            if (b == '\r') {
                if (!in.hasRemaining()) {
                    pendingCr = true;
                    break;
                }
                if (in.get(in.position()) == '\n') continue;
            }
            conv.put(b);
        }
        conv.flip();
        write(conv);
    }

    /** Moves the finished file under its final name; returns the number of bytes it holds. */
    long commit() throws IOException {
        if (finished) throw new IllegalStateException("upload already finished");
        finished = true;
        try {
            if (pendingCr) write(ByteBuffer.wrap(new byte[] {'\r'}));
            long size = out.size();
            out.close();
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return size;
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** Drops the temporary file; the final name is untouched. Idempotent. */
    void discard() {
        if (finished) return;
        finished = true;
        try {
            out.close();
        } catch (IOException ignored) {
            // Deleting next; a failed close loses nothing we keep.
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            FtpService.LOG.warn("could not delete temporary upload {}: {}", temp, e.toString());
        }
    }
}

package dev.polyserve.services.ftp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Directory listing lines: LIST in the {@code ls -l} shape every client parses (there is no standard, this is
 * what vsftpd and pyftpdlib send), and the RFC 3659 MLSx fact lines that are standard. Times are UTC.
 */
final class ListingFormat {
    /** {@code ls} shows the year instead of the time for files older than about six months. */
    private static final Duration RECENT = Duration.ofDays(180);
    private static final DateTimeFormatter RECENT_FORMAT =
            DateTimeFormatter.ofPattern("MMM dd HH:mm", Locale.US).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter OLD_FORMAT =
            DateTimeFormatter.ofPattern("MMM dd  yyyy", Locale.US).withZone(ZoneOffset.UTC);
    /** RFC 3659 section 2.3: time-val is YYYYMMDDHHMMSS in UTC. */
    static final DateTimeFormatter MDTM_FORMAT =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmss", Locale.US).withZone(ZoneOffset.UTC);

    private static final DateTimeFormatter PARSE_FORMAT =
            DateTimeFormatter.ofPattern("uuuuMMddHHmmss", Locale.US).withResolverStyle(ResolverStyle.STRICT);
    private static final Pattern TIME_VAL = Pattern.compile("([0-9]{14})(?:\\.([0-9]{1,3}))?");

    private ListingFormat() {}

    /** One {@code ls -l} line (without CRLF), e.g. {@code -rw-r--r-- 1 owner group 12 Jan 02 10:00 a.txt}. */
    static String listLine(Path p, String name, Instant now) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        String perms = (a.isDirectory() ? "d" : "-") + permissions(p, a);
        Instant t = a.lastModifiedTime().toInstant();
        String when = Duration.between(t, now).abs().compareTo(RECENT) < 0 ? RECENT_FORMAT.format(t) : OLD_FORMAT.format(t);
        return String.format(Locale.US, "%s 1 %-8s %-8s %13d %s %s", perms, "ftp", "ftp", a.size(), when, name);
    }

    private static String permissions(Path p, BasicFileAttributes a) {
        try {
            PosixFileAttributes px = Files.readAttributes(p, PosixFileAttributes.class);
            Set<PosixFilePermission> s = px.permissions();
            StringBuilder b = new StringBuilder(9);
            PosixFilePermission[] order = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE
            String letters = "rwxrwxrwx";
            for (int i = 0; i < 9; i++) b.append(s.contains(order[i]) ? letters.charAt(i) : '-');
            return b.toString();
        } catch (IOException | UnsupportedOperationException e) {
            return a.isDirectory() ? "rwxr-xr-x" : "rw-r--r--";
        }
    }

    /** The permissions of an octal mode's low nine bits (0644: rw-r--r--). */
    static Set<PosixFilePermission> permissionsOf(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE, high bit first
        for (int i = 0; i < 9; i++) if ((mode & (0400 >> i)) != 0) s.add(order[i]);
        return s;
    }

    /** A time in the MDTM form, {@code YYYYMMDDHHMMSS} with optional {@code .sss} (RFC 3659 section 2.3), or null. */
    static Instant parseTime(String text) {
        Matcher m = TIME_VAL.matcher(text);
        if (!m.matches()) return null;
        try {
            Instant t = LocalDateTime.parse(m.group(1), PARSE_FORMAT).toInstant(ZoneOffset.UTC);
            if (m.group(2) == null) return t;
            String frac = (m.group(2) + "00").substring(0, 3);
            return t.plusMillis(Integer.parseInt(frac));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * RFC 3659 facts for one entry followed by a space (the caller appends the name), e.g.
     * {@code type=file;size=12;modify=20240102100000;perm=radfw; }.
     *
     * @param writable whether this user may change the entry (adds the a/d/f/w or c/m/p/d/f permissions)
     * @param type     the type fact: "file", "dir", or for MLSD's own directory "cdir"
     */
    static String facts(Path p, boolean writable, String typeOverride) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        String type = typeOverride != null ? typeOverride : a.isDirectory() ? "dir" : "file";
        StringBuilder b = new StringBuilder(80);
        b.append("type=").append(type).append(';');
        if (!a.isDirectory()) b.append("size=").append(a.size()).append(';');
        b.append("modify=").append(MDTM_FORMAT.format(a.lastModifiedTime().toInstant())).append(';');
        String perm;
        if (a.isDirectory()) perm = writable ? "elcmpdf" : "el";
        else perm = writable ? "radfw" : "r";
        b.append("perm=").append(perm).append("; ");
        return b.toString();
    }
}

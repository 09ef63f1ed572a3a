package dev.polyserve.services.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves GET and HEAD from a directory (or the bundled welcome site): content types, {@code index.html}, HTML
 * directory listings, validators and 304, single byte ranges with If-Range (206/416), gzip for text types.
 *
 * <p>Confinement: the request path arrives decoded with every {@code ..} already resolved (or refused) by
 * {@link PathCodec}; here the file's real path (symlinks followed) must still lie under the root's real path, so
 * a symlink pointing out of the root is refused with 403 and a log line.
 */
final class StaticFiles {
    private static final Logger log = LoggerFactory.getLogger(StaticFiles.class);

    /** Directory listings stop here: a listing is one in-memory page (nginx's autoindex has no cap; we bound memory). */
    static final int MAX_LISTING_ENTRIES = 5000;

    private static final String BUNDLE = "/dev/polyserve/services/http/welcome/";

    /**
     * How long a path's lookup (real path, symlink check, stat, validators) is reused before the file system is
     * asked again. Resolving a path costs about ten system calls (realpath walks every component); reusing it for
     * a second is nginx's open_file_cache idea (open_file_cache_valid, 60 s there) with a much shorter window, so a
     * changed file shows within a second. Bodies are still read from the live file on every request.
     */
    static final long LOOKUP_TTL_NANOS = 1_000_000_000L;

    /** Most cached lookups; past this the cache is emptied (a crawler walking a huge tree must not grow memory). */
    static final int MAX_CACHED_LOOKUPS = 10_000;

    /**
     * Files up to this size are read and sent in the same buffer as the response head (one write, one packet);
     * larger ones go through {@link dev.polyserve.core.Conn#sendFile} (zero-copy sendfile where the engine can).
     * nginx gets the same single packet for small files from tcp_nopush (TCP_CORK) around sendfile.
     */
    static final int INLINE_FILE_LIMIT = 16 * 1024;

    /** Where a body's bytes come from. */
    private interface BodySource {
        Response.Body open(long position, long count) throws IOException;
    }

    /**
     * A file on disk. One no larger than {@link #INLINE_FILE_LIMIT} is read once and kept in the content cache,
     * keyed by path and validator ({@code mtime-size}), so a changed file (seen at the next lookup) is read anew;
     * a larger one is sent from the live file.
     */
    private record FileSource(Path file, long length, String cacheKey, ByteCache cache) implements BodySource {
        @Override
        public Response.Body open(long position, long count) throws IOException {
            if (length <= INLINE_FILE_LIMIT) {
                byte[] whole = cache.get(cacheKey, () -> readWhole(file, length));
                return new Response.Bytes(whole, (int) position, (int) count);
            }
            FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
            if (count > INLINE_FILE_LIMIT) return new Response.FileRegion(ch, position, count);
            try (ch) {
                return new Response.Bytes(read(ch, file, position, (int) count), 0, (int) count);
            }
        }
    }

    private static byte[] readWhole(Path file, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() != length) throw new NoSuchFileException(file + " changed size while being read");
            return read(ch, file, 0, (int) length);
        }
    }

    private static byte[] read(FileChannel ch, Path file, long position, int count) throws IOException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(count);
        while (b.hasRemaining() && ch.read(b, position + b.position()) > 0) { }
        if (b.hasRemaining()) throw new NoSuchFileException(file + " shrank while being read");
        return b.array();
    }

    private record BytesSource(byte[] data) implements BodySource {
        @Override
        public Response.Body open(long position, long count) {
            return new Response.Bytes(data, (int) position, (int) count);
        }
    }

    /**
     * One encoding of a resource, with the header fields of its 200 response encoded once ({@link #okFields}):
     * a cached small file then costs a copy of two byte arrays per request.
     */
    private record Variant(long length, String etag, BodySource source, boolean gzip, byte[] okFields) {
        Variant(long length, String etag, BodySource source, boolean gzip) {
            this(length, etag, source, gzip, null);
        }
    }

    private record Resource(String name, String contentType, long lastModified, String lastModifiedText,
                            Variant identity, Variant gzipped) {}

    private record CachedLookup(Lookup lookup, long checkedAt) {}

    /** What a path names. */
    private sealed interface Lookup permits FileFound, AddSlash, Listing, Missing, Refused {}

    private record FileFound(Resource resource) implements Lookup {}

    private record AddSlash() implements Lookup {}

    private record Listing(Path dir) implements Lookup {}

    private record Missing() implements Lookup {}

    private record Refused(String why) implements Lookup {}

    private final Path root;
    private final Map<String, Resource> bundle;
    private final ByteCache gzipCache = new ByteCache(HttpLimits.GZIP_CACHE_BYTES);
    private final ByteCache contentCache = new ByteCache(HttpLimits.FILE_CACHE_BYTES);
    private final java.util.concurrent.ConcurrentHashMap<String, CachedLookup> lookups = new java.util.concurrent.ConcurrentHashMap<>();

    private StaticFiles(Path root, Map<String, Resource> bundle) {
        this.root = root;
        this.bundle = bundle;
    }

    /** Files under {@code root}, which must be a readable directory. */
    static StaticFiles directory(Path root) {
        try {
            Path real = root.toRealPath();
            if (!Files.isDirectory(real)) throw new IllegalArgumentException("not a directory: " + root);
            return new StaticFiles(real, null);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot serve " + root + ": " + e.getMessage(), e);
        }
    }

    /** The welcome site from the class path, listed in {@code files.txt} beside it. */
    static StaticFiles bundled() {
        Map<String, Resource> files = new HashMap<>();
        long loaded = System.currentTimeMillis() / 1000 * 1000;
        for (String name : readResource("files.txt").lines().map(String::strip).filter(s -> !s.isEmpty()).toList()) {
            byte[] data = readBytes(name);
            CRC32 crc = new CRC32();
            crc.update(data);
            String tag = Long.toHexString(crc.getValue()) + "-" + Long.toHexString(data.length);
            String type = MimeTypes.forName(name);
            Variant identity = new Variant(data.length, '"' + tag + '"', new BytesSource(data), false);
            Variant gz = null;
            if (MimeTypes.compressible(type)) {
                byte[] z = gzip(data);
                gz = new Variant(z.length, "\"" + tag + "-gz\"", new BytesSource(z), true);
            }
            files.put("/" + name, withFields(new Resource(name, type, loaded, HttpDates.format(loaded), identity, gz)));
        }
        return new StaticFiles(null, Map.copyOf(files));
    }

    /** The response for a GET or HEAD of {@code req.path()}. */
    Response serve(Request req) {
        Lookup lookup = root == null ? lookupBundle(req.path()) : cachedLookup(req.path());
        return switch (lookup) {
            case Missing m -> Response.error(404, "No such file: " + req.path());
            case Refused r -> {
                log.warn("{} refused {}: {}", req.remoteHost(), req.path(), r.why());
                yield Response.error(403, "Access to " + req.path() + " is not allowed.");
            }
            case AddSlash a -> Response.redirect(301, PathCodec.encodePath(req.path() + "/")
                    + (req.query() == null ? "" : "?" + req.query()));
            case Listing l -> listing(req.path(), l.dir());
            case FileFound f -> {
                try {
                    yield send(req, f.resource());
                } catch (NoSuchFileException e) {
                    lookups.remove(req.path());
                    yield Response.error(404, "No such file: " + req.path());
                } catch (java.nio.file.AccessDeniedException e) {
                    log.warn("{} refused {}: the server may not read it", req.remoteHost(), req.path());
                    yield Response.error(403, "Access to " + req.path() + " is not allowed.");
                } catch (IOException e) {
                    log.warn("{} cannot read {}: {}", req.remoteHost(), req.path(), e.toString());
                    yield Response.error(500, "The file could not be read.");
                }
            }
        };
    }

    // ---- lookup ---------------------------------------------------------------------------------------------

    private Lookup lookupBundle(String path) {
        Resource r = bundle.get(path.endsWith("/") ? path + "index.html" : path);
        return r == null ? new Missing() : new FileFound(r);
    }

    private Lookup cachedLookup(String path) {
        long now = System.nanoTime();
        CachedLookup c = lookups.get(path);
        if (c != null && now - c.checkedAt < LOOKUP_TTL_NANOS) return c.lookup;
        Lookup fresh = lookupDirectory(path);
        if (lookups.size() >= MAX_CACHED_LOOKUPS) lookups.clear();
        lookups.put(path, new CachedLookup(fresh, now));
        return fresh;
    }

    private Lookup lookupDirectory(String path) {
        Path candidate;
        try {
            candidate = root.resolve(path.substring(1));
        } catch (InvalidPathException e) {
            return new Missing();
        }
        if (!candidate.normalize().startsWith(root)) return new Refused("outside the root");
        Path real;
        try {
            real = candidate.toRealPath();
        } catch (IOException e) {
            return new Missing();
        }
        if (!real.startsWith(root)) return new Refused("symbolic link leads out of the root to " + real);
        if (Files.isDirectory(real)) {
            if (!path.endsWith("/")) return new AddSlash();
            Path index = real.resolve("index.html");
            if (Files.isRegularFile(index)) {
                try {
                    Path realIndex = index.toRealPath();
                    if (!realIndex.startsWith(root)) return new Refused("index.html leads out of the root");
                    return new FileFound(fileResource(realIndex));
                } catch (IOException e) {
                    return new Missing();
                }
            }
            return new Listing(real);
        }
        if (!Files.isRegularFile(real) || path.endsWith("/")) return new Missing();
        try {
            return new FileFound(fileResource(real));
        } catch (IOException e) {
            return new Missing();
        }
    }

    private Resource fileResource(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        String name = file.getFileName().toString();
        String type = MimeTypes.forName(name);
        long mtime = a.lastModifiedTime().toMillis();
        // nginx's ETag shape: hex mtime, hex size. Cheap, and changes whenever either does.
        String tag = Long.toHexString(mtime / 1000) + "-" + Long.toHexString(a.size());
        String key = file + "\0" + tag;
        Variant identity = new Variant(a.size(), '"' + tag + '"', new FileSource(file, a.size(), key, contentCache), false);
        Variant gz = null;
        if (MimeTypes.compressible(type)) {
            Path pre = file.resolveSibling(name + ".gz");
            if (Files.isRegularFile(pre, LinkOption.NOFOLLOW_LINKS)) {
                long preSize = Files.size(pre);
                gz = new Variant(preSize, "\"" + tag + "-gzs\"", new FileSource(pre, preSize, key + "\0gz", contentCache), true);
            } else if (a.size() <= HttpLimits.MAX_GZIP_ON_THE_FLY) {
                gz = new Variant(-1, "\"" + tag + "-gz\"", (pos, count) -> {
                    byte[] z = gzipCache.get(key, () -> gzip(Files.readAllBytes(file)));
                    return new Response.Bytes(z, (int) pos, count < 0 ? z.length : (int) count);
                }, true);
            }
        }
        return withFields(new Resource(name, type, mtime, HttpDates.format(mtime), identity, gz));
    }

    /** The resource with each variant's 200 fields encoded (those {@link #send} would add one by one). */
    private static Resource withFields(Resource r) {
        return new Resource(r.name, r.contentType, r.lastModified, r.lastModifiedText, encode(r, r.identity),
                r.gzipped == null ? null : encode(r, r.gzipped));
    }

    private static Variant encode(Resource r, Variant v) {
        Response resp = validators(Response.status(200), r, v, r.lastModifiedText).header("Content-Type", r.contentType);
        if (v.gzip) resp.header("Content-Encoding", "gzip");
        StringBuilder sb = new StringBuilder(160);
        for (int i = 0; i < resp.fieldCount(); i++) {
            sb.append(resp.fieldName(i)).append(": ").append(resp.fieldValue(i)).append("\r\n");
        }
        return new Variant(v.length, v.etag, v.source, v.gzip, sb.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    // ---- responses --------------------------------------------------------------------------------------------

    private Response send(Request req, Resource r) throws IOException {
        String range = req.header("Range");
        boolean useGzip = r.gzipped != null && range == null && acceptsGzip(req.header("Accept-Encoding"));
        Variant v = useGzip ? r.gzipped : r.identity;
        String lastModified = r.lastModifiedText;

        // RFC 9110 section 13.2.2: If-None-Match first; If-Modified-Since only without it.
        String inm = req.header("If-None-Match");
        long ims = inm == null ? HttpDates.parse(req.header("If-Modified-Since")) : -1;
        if (inm != null ? etagListMatches(inm, v.etag) : ims >= 0 && r.lastModified / 1000 <= ims / 1000) {
            return validators(Response.status(304), r, v, lastModified);
        }

        if (v == r.identity && range != null && req.method().equals("GET")) {
            String ifRange = req.header("If-Range");
            if (ifRange == null || ifRangeMatches(ifRange, v.etag, r.lastModified)) {
                List<long[]> spans = parseRanges(range, v.length);
                if (spans != null && spans.isEmpty()) {
                    return Response.error(416, "The requested range is not within the file's " + v.length + " bytes.")
                            .header("Content-Range", "bytes */" + v.length);
                }
                if (spans != null && spans.size() == 1) {
                    long[] span = spans.get(0);
                    return validators(Response.status(206), r, v, lastModified)
                            .header("Content-Type", r.contentType)
                            .header("Content-Range", "bytes " + span[0] + "-" + span[1] + "/" + v.length)
                            .body(v.source.open(span[0], span[1] - span[0] + 1));
                }
                if (spans != null) return multipart(r, v, lastModified, spans);
            }
        }
        return Response.status(200).fields(v.okFields).body(v.source.open(0, v.length));
    }

    private static Response validators(Response resp, Resource r, Variant v, String lastModified) {
        resp.header("Last-Modified", lastModified).header("ETag", v.etag);
        if (!v.gzip) resp.header("Accept-Ranges", "bytes");
        if (r.gzipped != null) resp.header("Vary", "Accept-Encoding");
        return resp;
    }

    private static final long[] UNSATISFIABLE = new long[0];

    /**
     * Most ranges honoured in one request; with more, Range is ignored and the whole file sent. Many small,
     * overlapping ranges once made Apache spend memory per range (CVE-2011-3192; its MaxRanges now defaults to
     * 200); a browser or download manager asks for a handful.
     */
    static final int MAX_RANGES = 16;

    /**
     * The byte ranges of a Range header, sorted, overlapping and adjacent ones merged (RFC 9110 section 14.2 lets a
     * server coalesce); null to ignore the header (bad syntax, other units, too many ranges: the whole file is sent
     * instead); an empty list when none is satisfiable (416).
     */
    static List<long[]> parseRanges(String header, long length) {
        String h = header.strip();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6)) return null;
        String[] specs = h.substring(6).split(",");
        if (specs.length > MAX_RANGES) return null;
        List<long[]> spans = new ArrayList<>(specs.length);
        for (String spec : specs) {
            long[] span = parseRange("bytes=" + spec.strip(), length);
            if (span == null) return null;
            if (span != UNSATISFIABLE) spans.add(span);
        }
        spans.sort((x, y) -> Long.compare(x[0], y[0]));
        List<long[]> merged = new ArrayList<>(spans.size());
        for (long[] span : spans) {
            long[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && span[0] <= last[1] + 1) {
                last[1] = Math.max(last[1], span[1]);
            } else {
                merged.add(span);
            }
        }
        return merged;
    }

    /** Several ranges: a multipart/byteranges body (RFC 9110 section 14.6), each part from the live file. */
    private static Response multipart(Resource r, Variant v, String lastModified, List<long[]> spans) throws IOException {
        String boundary = "polyserve-" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());
        List<Response.Body> parts = new ArrayList<>(spans.size() * 2 + 1);
        try {
            for (int i = 0; i < spans.size(); i++) {
                long[] span = spans.get(i);
                String partHead = (i == 0 ? "" : "\r\n") + "--" + boundary + "\r\nContent-Type: " + r.contentType
                        + "\r\nContent-Range: bytes " + span[0] + "-" + span[1] + "/" + v.length + "\r\n\r\n";
                byte[] b = partHead.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                parts.add(new Response.Bytes(b, 0, b.length));
                parts.add(v.source.open(span[0], span[1] - span[0] + 1));
            }
        } catch (IOException e) {
            parts.forEach(ResponseWriter::closeQuietly);
            throw e;
        }
        byte[] end = ("\r\n--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        parts.add(new Response.Bytes(end, 0, end.length));
        return validators(Response.status(206), r, v, lastModified)
                .header("Content-Type", "multipart/byteranges; boundary=" + boundary)
                .body(new Response.Parts(List.copyOf(parts)));
    }

    /**
     * One byte range ({@code bytes=a-b}, {@code bytes=a-}, {@code bytes=-n}) as inclusive {first, last}; null to
     * ignore the header (bad syntax or other units: RFC 9110 section 14.2 lets a server ignore Range and send the
     * whole file); {@link #UNSATISFIABLE} when it lies past the end.
     */
    static long[] parseRange(String header, long length) {
        String h = header.strip();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6)) return null;
        String spec = h.substring(6).strip();
        if (spec.indexOf(',') >= 0) return null;
        int dash = spec.indexOf('-');
        if (dash < 0) return null;
        String a = spec.substring(0, dash).strip();
        String b = spec.substring(dash + 1).strip();
        long first;
        long last;
        if (a.isEmpty()) {
            long suffix = digits(b);
            if (suffix < 0) return null;
            if (suffix == 0 || length == 0) return UNSATISFIABLE;
            first = Math.max(0, length - suffix);
            last = length - 1;
        } else {
            first = digits(a);
            if (first < 0) return null;
            if (b.isEmpty()) {
                last = length - 1;
            } else {
                last = digits(b);
                if (last < 0 || last < first) return null;
                last = Math.min(last, length - 1);
            }
            if (first >= length) return UNSATISFIABLE;
        }
        return new long[] {first, last};
    }

    private static long digits(String s) {
        if (s.isEmpty() || s.length() > 18) return -1;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return -1;
        return Long.parseLong(s);
    }

    /** If-None-Match uses the weak comparison (RFC 9110 section 13.1.2). */
    static boolean etagListMatches(String header, String etag) {
        String h = header.strip();
        if (h.equals("*")) return true;
        String mine = stripWeak(etag);
        for (String t : h.split(",")) {
            if (stripWeak(t.strip()).equals(mine)) return true;
        }
        return false;
    }

    /** If-Range: a strong entity-tag match or the exact Last-Modified date (RFC 9110 section 13.1.5). */
    private static boolean ifRangeMatches(String header, String etag, long lastModified) {
        String h = header.strip();
        if (h.startsWith("\"")) return h.equals(etag);
        if (h.startsWith("W/")) return false;
        long date = HttpDates.parse(h);
        return date >= 0 && date / 1000 == lastModified / 1000;
    }

    private static String stripWeak(String tag) {
        return tag.startsWith("W/") ? tag.substring(2) : tag;
    }

    /** Accept-Encoding names gzip (or *) without q=0 (RFC 9110 section 12.5.3). */
    static boolean acceptsGzip(String header) {
        if (header == null) return false;
        for (String part : header.split(",")) {
            String[] p = part.strip().split(";");
            String coding = p[0].strip();
            if (!coding.equalsIgnoreCase("gzip") && !coding.equals("*") && !coding.equalsIgnoreCase("x-gzip")) continue;
            double q = 1;
            for (int i = 1; i < p.length; i++) {
                String param = p[i].strip();
                if (param.regionMatches(true, 0, "q=", 0, 2)) {
                    try {
                        q = Double.parseDouble(param.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            if (q > 0) return true;
        }
        return false;
    }

    /** One row of a listing. */
    private record Entry(String name, boolean dir, long size, long modified) {}

    /** Directories first, then by name (case-insensitively, ties by code point), as nginx's autoindex and Apache do. */
    private static final java.util.Comparator<Entry> LISTING_ORDER = java.util.Comparator.comparing((Entry e) -> !e.dir)
            .thenComparing(Entry::name, String.CASE_INSENSITIVE_ORDER).thenComparing(Entry::name);

    private static final java.time.format.DateTimeFormatter LISTING_TIME =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", java.util.Locale.ROOT).withZone(java.time.ZoneOffset.UTC);

    private Response listing(String path, Path dir) {
        List<Entry> rows = new ArrayList<>();
        int more = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (rows.size() == MAX_LISTING_ENTRIES) {
                    more++;
                    continue;
                }
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(p, BasicFileAttributes.class);
                } catch (IOException gone) {
                    continue; // removed meanwhile, or a dangling symlink: nothing to link to
                }
                rows.add(new Entry(p.getFileName().toString(), a.isDirectory(), a.size(), a.lastModifiedTime().toMillis()));
            }
        } catch (IOException | UncheckedIOException e) {
            log.warn("cannot list {}: {}", dir, e.toString());
            return Response.error(500, "The directory could not be listed.");
        }
        rows.sort(LISTING_ORDER);
        StringBuilder sb = new StringBuilder(256 + rows.size() * 128);
        sb.append("<table>\n<tr><th>Name</th><th>Modified (UTC)</th><th class=\"size\">Size</th></tr>\n");
        if (!path.equals("/")) sb.append("<tr><td><a href=\"../\">../</a></td><td></td><td></td></tr>\n");
        for (Entry e : rows) {
            String shown = e.name + (e.dir ? "/" : "");
            sb.append("<tr><td><a href=\"").append(PathCodec.escapeHtml(PathCodec.encodePath(shown))).append("\">")
                    .append(PathCodec.escapeHtml(shown)).append("</a></td><td>")
                    .append(LISTING_TIME.format(java.time.Instant.ofEpochMilli(e.modified))).append("</td><td class=\"size\"")
                    .append(e.dir ? ">-" : " title=\"" + e.size + " bytes\">" + humanSize(e.size)).append("</td></tr>\n");
        }
        sb.append("</table>");
        if (more > 0) sb.append("\n<p>").append(more).append(" more entries not shown.</p>");
        return Response.html(Pages.page("Index of " + PathCodec.escapeHtml(path), sb.toString()));
    }

    /** 1023 B, 1.0 KiB, 12.3 MiB: binary units, one decimal below 100 (as ls -h, in IEC units). */
    static String humanSize(long bytes) {
        if (bytes < 1024) return bytes + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return (v < 100 ? String.format(java.util.Locale.ROOT, "%.1f", v) : String.format(java.util.Locale.ROOT, "%.0f", v))
                + " " + units[u];
    }

    // ---- bytes ----------------------------------------------------------------------------------------------------

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 3 + 64);
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String readResource(String name) {
        return new String(readBytes(name), UTF_8);
    }

    private static byte[] readBytes(String name) {
        try (InputStream in = StaticFiles.class.getResourceAsStream(BUNDLE + name)) {
            if (in == null) throw new IllegalStateException("bundled site file missing from the jar: " + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Bytes by file and validator (small files' contents, on-the-fly gzip results), least recently used dropped past a byte budget. */
    private static final class ByteCache {
        private final long budget;
        private long used;
        private final LinkedHashMap<String, byte[]> entries = new LinkedHashMap<>(64, 0.75f, true);

        ByteCache(long budget) {
            this.budget = budget;
        }

        interface Producer {
            byte[] make() throws IOException;
        }

        byte[] get(String key, Producer producer) throws IOException {
            synchronized (this) {
                byte[] hit = entries.get(key);
                if (hit != null) return hit;
            }
            byte[] made = producer.make();
            synchronized (this) {
                if (entries.put(key, made) == null) used += made.length;
                var it = entries.entrySet().iterator();
                while (used > budget && it.hasNext()) {
                    used -= it.next().getValue().length;
                    it.remove();
                }
            }
            return made;
        }
    }
}

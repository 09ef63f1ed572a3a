package dev.polyserve.services.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * A sans-I/O HTTP/1.1 request parser in the style of h11: {@link #feed} bytes in, call {@link #next} for events
 * ({@link RequestHead}, {@link HttpEvent.BodyData}, {@link HttpEvent.EndOfMessage}) until it says
 * {@link HttpEvent.NeedData}. It never touches a socket, a thread or a clock. Pipelined requests come out one after
 * another. Any framing or syntax problem is an {@link HttpProtocolException} carrying the status to answer; after
 * one, the parser stays failed (the connection must answer and close).
 *
 * <p>Strict where leniency enables request smuggling (RFC 9112 sections 6.1, 6.3 and 11.2), lenient where RFC 9112
 * allows it harmlessly (a bare LF as line end, empty lines before a request line, section 2.2).
 */
final class HttpRequestParser {
    private static final int INITIAL_BUFFER = 4096;

    private enum State { HEAD, FIXED_BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, TRAILERS }

    private final long maxBody;
    private byte[] buf = new byte[INITIAL_BUFFER];
    private int start;
    private int end;
    private State state = State.HEAD;
    /** Body bytes left in a Content-Length body or in the current chunk. */
    private long remaining;
    /** Sum of chunk sizes so far, checked against {@link #maxBody}. */
    private long chunkedTotal;
    private int trailerBytes;
    /** While a head is incomplete: bytes from {@link #start} already known to hold no unseen line end. */
    private int headScanned;
    /** While a head is incomplete: where the request line's LF is, from {@link #start}, or -1 if not yet seen. */
    private int requestLineLf = -1;
    private HttpProtocolException failure;
    /** The request line, parsed as soon as its line end arrived (valid while {@link #requestLineLf} is set). */
    private String lineMethod;
    private String lineTarget;
    private int lineMinor;

    HttpRequestParser(long maxBody) {
        this.maxBody = maxBody;
    }

    /** Appends {@code in}'s remaining bytes (copied; the caller keeps its buffer). Invalidates earlier BodyData. */
    void feed(ByteBuffer in) {
        int n = in.remaining();
        if (n == 0) return;
        if (start == end) {
            start = 0;
            end = 0;
        }
        if (buf.length - end < n) {
            int live = end - start;
            byte[] target = live + n <= buf.length ? buf : new byte[Math.max(buf.length * 2, live + n)];
            System.arraycopy(buf, start, target, 0, live);
            buf = target;
            start = 0;
            end = live;
        }
        in.get(buf, end, n);
        end += n;
    }

    /** Bytes fed but not yet turned into events. */
    int buffered() {
        return end - start;
    }

    /**
     * Hands over the bytes fed but not parsed, and leaves the parser empty: after an upgrade (a 101) they belong to
     * the new protocol.
     */
    ByteBuffer takeBuffered() {
        ByteBuffer rest = ByteBuffer.wrap(java.util.Arrays.copyOfRange(buf, start, end));
        start = end;
        return rest;
    }

    /** True between requests with nothing buffered: the connection is idle. */
    boolean idle() {
        return state == State.HEAD && start == end;
    }

    /** The next event; {@link HttpEvent.NeedData} when the buffered bytes are not enough. */
    HttpEvent next() throws HttpProtocolException {
        if (failure != null) throw failure;
        try {
            return switch (state) {
                case HEAD -> parseHead();
                case FIXED_BODY, CHUNK_DATA -> bodyData();
                case CHUNK_SIZE -> chunkSize();
                case CHUNK_DATA_END -> chunkDataEnd();
                case TRAILERS -> trailers();
            };
        } catch (HttpProtocolException e) {
            failure = e;
            throw e;
        }
    }

    // ---- request head -------------------------------------------------------------------------------------

    private HttpEvent parseHead() throws HttpProtocolException {
        if (headScanned == 0) {
            skipLeadingEmptyLines();
            // A lone CR may be the first half of an empty line whose LF is in the next read: wait for it before
            // scanning, or the CRLF split across two reads becomes an empty request line and a 400 (found by
            // HttpRequestParserFuzzTest).
            if (end - start == 1 && buf[start] == '\r') return HttpEvent.NeedData.INSTANCE;
        }
        if (start == end) return HttpEvent.NeedData.INSTANCE;
        // The request line.
        int lineLimit = (int) Math.min(end, (long) start + HttpLimits.MAX_REQUEST_LINE + 2);
        int lf = requestLineLf >= 0 ? start + requestLineLf
                : indexOf((byte) '\n', start + Math.min(headScanned, lineLimit - start), lineLimit);
        if (lf < 0) {
            if (end - start > HttpLimits.MAX_REQUEST_LINE + 1) {
                throw new HttpProtocolException(414, "request line longer than " + HttpLimits.MAX_REQUEST_LINE + " bytes");
            }
            headScanned = end - start;
            return HttpEvent.NeedData.INSTANCE;
        }
        int lineEnd = contentEnd(start, lf);
        if (requestLineLf < 0) {
            if (lineEnd - start > HttpLimits.MAX_REQUEST_LINE) {
                throw new HttpProtocolException(414, "request line longer than " + HttpLimits.MAX_REQUEST_LINE + " bytes");
            }
            // Judged as soon as it is complete, not when the head is: a bad line (an HTTP/0.9 request, which has no
            // header section to wait for) is answered at once instead of at the header timeout.
            parseRequestLine(lineEnd);
            requestLineLf = lf - start;
        }
        // The header section ends at the first empty line.
        int fieldsStart = lf + 1;
        int pos = Math.max(fieldsStart, start + headScanned);
        int headEnd = -1;
        while (true) {
            int next = indexOf((byte) '\n', pos, end);
            if (next < 0) {
                if (end - fieldsStart > HttpLimits.MAX_HEADER_BYTES) throw tooLargeHeaders();
                headScanned = pos - start;
                return HttpEvent.NeedData.INSTANCE;
            }
            if (contentEnd(pos, next) == pos) {
                headEnd = next + 1;
                break;
            }
            pos = next + 1;
            if (pos - fieldsStart > HttpLimits.MAX_HEADER_BYTES) throw tooLargeHeaders();
        }
        RequestHead head = buildHead(fieldsStart, headEnd);
        start = headEnd;
        headScanned = 0;
        requestLineLf = -1;
        if (head.chunked()) {
            state = State.CHUNK_SIZE;
            chunkedTotal = 0;
            trailerBytes = 0;
        } else {
            state = State.FIXED_BODY;
            remaining = head.contentLength();
        }
        return head;
    }

    /** RFC 9112 section 2.2: a server SHOULD ignore at least one empty line received before the request line. */
    private void skipLeadingEmptyLines() {
        while (start < end) {
            if (buf[start] == '\n') {
                start++;
            } else if (buf[start] == '\r' && start + 1 < end && buf[start + 1] == '\n') {
                start += 2;
            } else {
                return;
            }
        }
    }

    private static HttpProtocolException tooLargeHeaders() {
        return new HttpProtocolException(431, "header section larger than " + HttpLimits.MAX_HEADER_BYTES + " bytes");
    }

    /** request-line = method SP request-target SP HTTP-version (RFC 9112 section 3), single spaces only. */
    private void parseRequestLine(int lineEnd) throws HttpProtocolException {
        int sp1 = indexOf((byte) ' ', start, lineEnd);
        int sp2 = sp1 < 0 ? -1 : indexOf((byte) ' ', sp1 + 1, lineEnd);
        if (sp1 > start && sp2 < 0 && sp1 + 1 < lineEnd && buf[sp1 + 1] == '/') {
            // "GET /path" alone is HTTP/0.9 (RFC 1945 section 4.1's Simple-Request). Apache refuses it with 400 by
            // default (HttpProtocolOptions Require1.0); a 0.9 client cannot read a status line anyway.
            throw new HttpProtocolException(400, "HTTP/0.9 request (no HTTP version); this server speaks HTTP/1.0 and 1.1");
        }
        if (sp1 <= start || sp2 < 0 || sp2 == sp1 + 1 || indexOf((byte) ' ', sp2 + 1, lineEnd) >= 0) {
            throw new HttpProtocolException(400, "malformed request line");
        }
        for (int i = start; i < sp1; i++) {
            if (!isTchar(buf[i])) throw new HttpProtocolException(400, "invalid character in method");
        }
        for (int i = sp1 + 1; i < sp2; i++) {
            int b = buf[i] & 0xff;
            if (b < 0x21 || b > 0x7e) throw new HttpProtocolException(400, "invalid character in request target");
        }
        lineMinor = parseVersion(sp2 + 1, lineEnd);
        lineMethod = COMMON_METHODS.string(buf, start, sp1 - start);
        lineTarget = new String(buf, sp1 + 1, sp2 - sp1 - 1, ISO_8859_1);
    }

    private RequestHead buildHead(int fieldsStart, int headEnd) throws HttpProtocolException {
        int lines = 0;
        for (int i = fieldsStart; i < headEnd; i++) if (buf[i] == '\n') lines++;
        HttpHeaders headers = new HttpHeaders(lines - 1); // the last line is the empty one
        int pos = fieldsStart;
        while (true) {
            int lf = indexOf((byte) '\n', pos, headEnd);
            int le = contentEnd(pos, lf);
            if (le == pos) break;
            if (headers.size() == HttpLimits.MAX_HEADER_COUNT) {
                throw new HttpProtocolException(431, "more than " + HttpLimits.MAX_HEADER_COUNT + " header fields");
            }
            parseField(pos, le, headers);
            pos = lf + 1;
        }
        return decideFraming(lineMethod, lineTarget, lineMinor, headers);
    }

    /** HTTP-version = "HTTP/" DIGIT "." DIGIT. Major 1 only (else 505); 1.2+ is answered as 1.1 (RFC 9110 2.5). */
    private int parseVersion(int from, int to) throws HttpProtocolException {
        if (to - from != 8 || buf[from] != 'H' || buf[from + 1] != 'T' || buf[from + 2] != 'T' || buf[from + 3] != 'P'
                || buf[from + 4] != '/' || !isDigit(buf[from + 5]) || buf[from + 6] != '.' || !isDigit(buf[from + 7])) {
            throw new HttpProtocolException(400, "malformed HTTP version");
        }
        if (buf[from + 5] != '1') {
            throw new HttpProtocolException(505, "HTTP version " + (char) buf[from + 5] + "." + (char) buf[from + 7] + " not supported");
        }
        return buf[from + 7] == '0' ? 0 : 1;
    }

    /** field-line = field-name ":" OWS field-value OWS (RFC 9112 section 5). */
    private void parseField(int from, int to, HttpHeaders into) throws HttpProtocolException {
        if (buf[from] == ' ' || buf[from] == '\t') {
            // RFC 9112 section 5.2: obs-fold is deprecated; a server may reject it with 400.
            throw new HttpProtocolException(400, "obsolete line folding in header section");
        }
        int colon = indexOf((byte) ':', from, to);
        if (colon <= from) throw new HttpProtocolException(400, "header line without a field name");
        for (int i = from; i < colon; i++) {
            // Also rejects whitespace between name and colon, which RFC 9112 section 5.1 says MUST get a 400.
            if (!isTchar(buf[i])) throw new HttpProtocolException(400, "invalid character in header name");
        }
        int vs = colon + 1;
        int ve = to;
        while (vs < ve && (buf[vs] == ' ' || buf[vs] == '\t')) vs++;
        while (ve > vs && (buf[ve - 1] == ' ' || buf[ve - 1] == '\t')) ve--;
        for (int i = vs; i < ve; i++) {
            int b = buf[i] & 0xff;
            if (b < 0x20 && b != '\t' || b == 0x7f) throw new HttpProtocolException(400, "invalid character in header value");
        }
        into.add(COMMON_FIELD_NAMES.string(buf, from, colon - from), new String(buf, vs, ve - vs, ISO_8859_1));
    }

    /** RFC 9112 section 6.3 (message body length) with the smuggling defences of section 11.2. */
    private RequestHead decideFraming(String method, String target, int minor, HttpHeaders headers)
            throws HttpProtocolException {
        boolean http11 = minor >= 1;
        List<String> contentLengths = headers.all("Content-Length");
        long length = 0;
        if (headers.contains("Transfer-Encoding")) {
            if (!http11) {
                // Section 6.1: Transfer-Encoding in an HTTP/1.0 message means the framing is faulty.
                throw new HttpProtocolException(400, "Transfer-Encoding in an HTTP/1.0 request");
            }
            if (!contentLengths.isEmpty()) {
                throw new HttpProtocolException(400, "both Content-Length and Transfer-Encoding (possible request smuggling)");
            }
            List<String> codings = headers.tokens("Transfer-Encoding");
            for (String coding : codings) {
                if (!coding.equalsIgnoreCase("chunked")) {
                    throw new HttpProtocolException(501, "transfer coding '" + coding + "' not implemented");
                }
            }
            if (codings.size() != 1) throw new HttpProtocolException(400, "chunked must be applied exactly once");
            length = -1;
        } else if (!contentLengths.isEmpty()) {
            length = -2;
            for (String field : contentLengths) {
                for (String part : field.split(",", -1)) {
                    long value = parseContentLength(part.strip());
                    if (length != -2 && value != length) {
                        throw new HttpProtocolException(400, "conflicting Content-Length values");
                    }
                    length = value;
                }
            }
        }
        int hosts = headers.count("Host");
        if (http11 ? hosts != 1 : hosts > 1) {
            // RFC 9112 section 3.2: no Host, or more than one, in a 1.1 request MUST get a 400.
            throw new HttpProtocolException(400, hosts == 0 ? "missing Host header" : "more than one Host header");
        }
        boolean keepAlive = http11 ? !headers.hasToken("Connection", "close") : headers.hasToken("Connection", "keep-alive");
        boolean expectContinue = false;
        String expect = headers.first("Expect");
        RequestHead head = new RequestHead(method, target, minor, headers, length, keepAlive, false);
        if (expect != null) {
            if (!expect.equalsIgnoreCase("100-continue")) {
                throw new HttpProtocolException(417, "unsupported expectation '" + expect + "'", head);
            }
            // RFC 9110 section 10.1.1: a 100-continue expectation in an HTTP/1.0 request MUST be ignored.
            expectContinue = http11 && length != 0;
            head = new RequestHead(method, target, minor, headers, length, keepAlive, expectContinue);
        }
        if (length > maxBody) {
            throw new HttpProtocolException(413, "body of " + length + " bytes exceeds the limit of " + maxBody, head);
        }
        return head;
    }

    /** Content-Length = 1*DIGIT; at most 18 digits so it fits a long (far past any body limit). */
    private static long parseContentLength(String s) throws HttpProtocolException {
        if (s.isEmpty() || s.length() > 18) throw new HttpProtocolException(400, "invalid Content-Length");
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') throw new HttpProtocolException(400, "invalid Content-Length");
            v = v * 10 + (c - '0');
        }
        return v;
    }

    // ---- bodies --------------------------------------------------------------------------------------------

    private HttpEvent bodyData() throws HttpProtocolException {
        if (remaining == 0) {
            if (state == State.CHUNK_DATA) {
                state = State.CHUNK_DATA_END;
                return chunkDataEnd();
            }
            state = State.HEAD;
            return HttpEvent.EndOfMessage.INSTANCE;
        }
        int avail = end - start;
        if (avail == 0) return HttpEvent.NeedData.INSTANCE;
        int n = (int) Math.min(avail, remaining);
        ByteBuffer view = ByteBuffer.wrap(buf, start, n).slice().asReadOnlyBuffer();
        start += n;
        remaining -= n;
        return new HttpEvent.BodyData(view);
    }

    /** chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF (RFC 9112 section 7.1). */
    private HttpEvent chunkSize() throws HttpProtocolException {
        int limit = (int) Math.min(end, (long) start + HttpLimits.MAX_CHUNK_LINE + 2);
        int lf = indexOf((byte) '\n', start, limit);
        if (lf < 0) {
            if (end - start > HttpLimits.MAX_CHUNK_LINE + 1) {
                throw new HttpProtocolException(400, "chunk size line longer than " + HttpLimits.MAX_CHUNK_LINE + " bytes");
            }
            return HttpEvent.NeedData.INSTANCE;
        }
        int le = contentEnd(start, lf);
        int i = start;
        long size = 0;
        while (i < le && hexValue(buf[i]) >= 0) {
            if (i - start == 15) throw new HttpProtocolException(400, "chunk size too large");
            size = size * 16 + hexValue(buf[i]);
            i++;
        }
        if (i == start) throw new HttpProtocolException(400, "invalid chunk size");
        while (i < le && (buf[i] == ' ' || buf[i] == '\t')) i++;
        if (i < le) {
            if (buf[i] != ';') throw new HttpProtocolException(400, "invalid chunk size line");
            for (int j = i; j < le; j++) {
                int b = buf[j] & 0xff;
                if (b < 0x20 && b != '\t' || b == 0x7f) throw new HttpProtocolException(400, "invalid chunk extension");
            }
        }
        start = lf + 1;
        if (size == 0) {
            state = State.TRAILERS;
            return trailers();
        }
        chunkedTotal += size;
        if (chunkedTotal > maxBody) {
            throw new HttpProtocolException(413, "chunked body exceeds the limit of " + maxBody + " bytes");
        }
        remaining = size;
        state = State.CHUNK_DATA;
        return bodyData();
    }

    private HttpEvent chunkDataEnd() throws HttpProtocolException {
        if (start == end) return HttpEvent.NeedData.INSTANCE;
        if (buf[start] == '\n') {
            start++;
        } else if (buf[start] == '\r') {
            if (start + 1 == end) return HttpEvent.NeedData.INSTANCE;
            if (buf[start + 1] != '\n') throw new HttpProtocolException(400, "chunk data not followed by CRLF");
            start += 2;
        } else {
            throw new HttpProtocolException(400, "chunk data longer than its size");
        }
        state = State.CHUNK_SIZE;
        return chunkSize();
    }

    /** trailer-section: field lines, validated and dropped (we act on none of them), then an empty line. */
    private HttpEvent trailers() throws HttpProtocolException {
        while (true) {
            int lf = indexOf((byte) '\n', start, end);
            if (lf < 0) {
                if (trailerBytes + (end - start) > HttpLimits.MAX_HEADER_BYTES) throw tooLargeHeaders();
                return HttpEvent.NeedData.INSTANCE;
            }
            int le = contentEnd(start, lf);
            if (le == start) {
                start = lf + 1;
                state = State.HEAD;
                return HttpEvent.EndOfMessage.INSTANCE;
            }
            trailerBytes += lf + 1 - start;
            if (trailerBytes > HttpLimits.MAX_HEADER_BYTES) throw tooLargeHeaders();
            parseField(start, le, new HttpHeaders());
            start = lf + 1;
        }
    }

    // ---- bytes ---------------------------------------------------------------------------------------------

    /** The end of a line's content: the LF at {@code lf}, or the CR before it. */
    private int contentEnd(int lineStart, int lf) {
        return lf > lineStart && buf[lf - 1] == '\r' ? lf - 1 : lf;
    }

    private int indexOf(byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] == b) return i;
        }
        return -1;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static int hexValue(byte b) {
        if (b >= '0' && b <= '9') return b - '0';
        if (b >= 'a' && b <= 'f') return b - 'a' + 10;
        if (b >= 'A' && b <= 'F') return b - 'A' + 10;
        return -1;
    }

    /** Methods and field names nearly every request carries, spelled as clients send them. */
    private static final KnownStrings COMMON_METHODS = new KnownStrings("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
    private static final KnownStrings COMMON_FIELD_NAMES = new KnownStrings("Host", "User-Agent", "Accept",
            "Accept-Encoding", "Accept-Language", "Connection", "Content-Length", "Content-Type", "Cookie", "Referer",
            "Origin", "Cache-Control", "Pragma", "If-None-Match", "If-Modified-Since", "Range", "Upgrade",
            "Transfer-Encoding", "Expect", "Authorization", "Sec-WebSocket-Key", "Sec-WebSocket-Version",
            "Sec-WebSocket-Extensions", "Sec-Fetch-Mode", "Sec-Fetch-Site", "Sec-Fetch-Dest", "Upgrade-Insecure-Requests");

    /**
     * A few strings that the parser hands out as shared constants when the bytes spell them exactly (same case),
     * instead of a new String per request: a GET with a Host field then allocates no string for either, and the
     * method's hash (route and method lookups) is computed once. Other bytes become a new string as before.
     */
    private static final class KnownStrings {
        /** By length, then by first byte: the candidates to compare. */
        private final String[][] byLength;

        KnownStrings(String... known) {
            int longest = 0;
            for (String k : known) longest = Math.max(longest, k.length());
            byLength = new String[longest + 1][];
            for (String k : known) {
                String[] old = byLength[k.length()];
                String[] grown = old == null ? new String[1] : java.util.Arrays.copyOf(old, old.length + 1);
                grown[grown.length - 1] = k;
                byLength[k.length()] = grown;
            }
        }

        String string(byte[] b, int from, int length) {
            String[] candidates = length < byLength.length ? byLength[length] : null;
            if (candidates != null) {
                for (String k : candidates) {
                    if (spells(k, b, from)) return k;
                }
            }
            return new String(b, from, length, ISO_8859_1);
        }

        private static boolean spells(String k, byte[] b, int from) {
            for (int i = 0, n = k.length(); i < n; i++) {
                if (b[from + i] != (byte) k.charAt(i)) return false;
            }
            return true;
        }
    }

    private static final boolean[] TCHAR = new boolean[128];

    static {
        // tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) TCHAR[c] = true;
        for (char c = '0'; c <= '9'; c++) TCHAR[c] = true;
        for (char c = 'a'; c <= 'z'; c++) TCHAR[c] = true;
        for (char c = 'A'; c <= 'Z'; c++) TCHAR[c] = true;
    }

    static boolean isTchar(byte b) {
        return b >= 0 && TCHAR[b];
    }
}

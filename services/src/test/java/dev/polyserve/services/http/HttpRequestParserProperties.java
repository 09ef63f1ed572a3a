package dev.polyserve.services.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Properties of the request parser: byte boundaries do not matter, and garbage only ever yields a protocol error. */
class HttpRequestParserProperties {

    @Property(tries = 300)
    void randomSplitsParseIdentically(@ForAll("requestStreams") String stream, @ForAll("cuts") List<Integer> cuts) {
        byte[] all = stream.getBytes(StandardCharsets.ISO_8859_1);
        ParserDriver.Outcome whole = ParserDriver.run(HttpLimits.DEFAULT_MAX_BODY, List.of(all));
        ParserDriver.Outcome split = ParserDriver.run(HttpLimits.DEFAULT_MAX_BODY, split(all, cuts));
        assertThat(split).isEqualTo(whole);
        assertThat(whole.errorStatus()).isZero();
    }

    @Property(tries = 300)
    void byteAtATimeParsesIdentically(@ForAll("requestStreams") String stream) {
        byte[] all = stream.getBytes(StandardCharsets.ISO_8859_1);
        List<byte[]> singles = new ArrayList<>();
        for (byte b : all) singles.add(new byte[] {b});
        assertThat(ParserDriver.run(HttpLimits.DEFAULT_MAX_BODY, singles))
                .isEqualTo(ParserDriver.run(HttpLimits.DEFAULT_MAX_BODY, List.of(all)));
    }

    @Property(tries = 1000)
    void randomBytesOnlyEverGiveAProtocolError(@ForAll @Size(max = 600) byte[] junk, @ForAll("cuts") List<Integer> cuts) {
        // ParserDriver turns HttpProtocolException into a status; anything else thrown fails the property.
        ParserDriver.Outcome o = ParserDriver.run(64, split(junk, cuts));
        assertThat(o.errorStatus()).isIn(0, 400, 413, 414, 417, 431, 501, 505);
    }

    @Property(tries = 500)
    void mutatedRequestsOnlyEverGiveAProtocolError(@ForAll("requestStreams") String stream,
                                                   @ForAll @Size(min = 1, max = 8) List<Integer> positions,
                                                   @ForAll @Size(min = 8, max = 8) byte[] replacements) {
        byte[] all = stream.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < positions.size(); i++) {
            all[Math.floorMod(positions.get(i), all.length)] = replacements[i];
        }
        ParserDriver.Outcome o = ParserDriver.run(HttpLimits.DEFAULT_MAX_BODY, List.of(all));
        assertThat(o.errorStatus()).isIn(0, 400, 413, 414, 417, 431, 501, 505);
    }

    @Provide
    Arbitrary<List<Integer>> cuts() {
        return Arbitraries.integers().between(0, 10_000).list().ofMaxSize(12);
    }

    @Provide
    Arbitrary<String> requestStreams() {
        return request().list().ofMinSize(1).ofMaxSize(4).map(l -> String.join("", l));
    }

    private Arbitrary<String> request() {
        Arbitrary<String> method = Arbitraries.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH");
        Arbitrary<String> path = Arbitraries.strings().withChars("abcxyz019-._~%/").ofMaxLength(40).map(s -> "/" + s);
        Arbitrary<String> eol = Arbitraries.of("\r\n", "\n");
        Arbitrary<List<String>> headers = Combinators.combine(
                        Arbitraries.strings().withChars("abcdefXYZ-").ofMinLength(1).ofMaxLength(12),
                        Arbitraries.strings().withChars("abc 123\t;=/,").ofMaxLength(30))
                .as((n, v) -> "X-" + n + ": " + v).list().ofMaxSize(5);
        Arbitrary<String> body = Arbitraries.strings().ascii().ofMaxLength(200);
        Arbitrary<Boolean> chunked = Arbitraries.of(true, false);
        Arbitrary<Integer> chunkSize = Arbitraries.integers().between(1, 50);
        return Combinators.combine(method, path, eol, headers, body, chunked, chunkSize)
                .as((m, p, e, hs, b, c, cs) -> {
                    StringBuilder sb = new StringBuilder();
                    sb.append(m).append(' ').append(p).append(" HTTP/1.1").append(e).append("Host: h").append(e);
                    for (String h : hs) sb.append(h).append(e);
                    if (c) {
                        sb.append("Transfer-Encoding: chunked").append(e).append(e);
                        for (int i = 0; i < b.length(); i += cs) {
                            String part = b.substring(i, Math.min(b.length(), i + cs));
                            sb.append(Integer.toHexString(part.length())).append(e).append(part).append(e);
                        }
                        sb.append('0').append(e).append(e);
                    } else {
                        sb.append("Content-Length: ").append(b.length()).append(e).append(e).append(b);
                    }
                    return sb.toString();
                });
    }

    private static List<byte[]> split(byte[] all, List<Integer> cuts) {
        List<Integer> points = cuts.stream().map(c -> all.length == 0 ? 0 : c % (all.length + 1)).sorted().toList();
        List<byte[]> out = new ArrayList<>();
        int from = 0;
        for (int p : points) {
            out.add(java.util.Arrays.copyOfRange(all, from, Math.max(from, p)));
            from = Math.max(from, p);
        }
        out.add(java.util.Arrays.copyOfRange(all, from, all.length));
        return out;
    }
}

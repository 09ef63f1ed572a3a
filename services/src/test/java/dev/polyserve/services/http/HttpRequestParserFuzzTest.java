package dev.polyserve.services.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the HTTP/1.1 request parser and its chunked decoder (issue #16). A plain test run
 * replays src/test/resources/.../HttpRequestParserFuzzTestInputs; bench/fuzz.sh fuzzes it for real.
 */
class HttpRequestParserFuzzTest {

    /** A small body limit so that short inputs reach the 413 paths, fixed and chunked. */
    private static final long MAX_BODY = 64;

    /** Every status the parser may refuse with; anything else (or any other exception) is a bug. */
    private static final Set<Integer> REFUSALS = Set.of(400, 413, 414, 417, 431, 501, 505);

    /** Most cut points drawn from one input. */
    private static final int MAX_CUTS = 8;

    @FuzzTest
    void anySplitParsesAlikeWithinTheLimitsAndRoundTrips(FuzzedDataProvider data) {
        int cutCount = data.consumeInt(0, MAX_CUTS);
        List<Integer> cuts = new ArrayList<>();
        for (int i = 0; i < cutCount; i++) cuts.add(data.consumeInt(0, 1 << 16));
        byte[] stream = data.consumeRemainingAsBytes();

        ParserDriver.Outcome whole = ParserDriver.run(MAX_BODY, List.of(stream));
        ParserDriver.Outcome split = ParserDriver.run(MAX_BODY, pieces(stream, cuts));
        assertThat(split).as("the same requests whatever the reads' boundaries").isEqualTo(whole);
        if (whole.errorStatus() != 0) assertThat(REFUSALS).contains(whole.errorStatus());

        for (ParserDriver.Parsed r : whole.requests()) {
            assertThat(r.method()).isNotEmpty();
            assertThat(r.method().chars()).allMatch(c -> c < 128 && HttpRequestParser.isTchar((byte) c.intValue()));
            assertThat(r.target()).isNotEmpty();
            assertThat(r.target().chars()).allMatch(c -> c >= 0x21 && c <= 0x7e);
            assertThat(r.method().length() + r.target().length() + 10).isLessThanOrEqualTo(HttpLimits.MAX_REQUEST_LINE + 2);
            assertThat(r.headers().lines().count()).isLessThanOrEqualTo(HttpLimits.MAX_HEADER_COUNT);
            assertThat((long) r.body().length()).isLessThanOrEqualTo(MAX_BODY);
            if (r.contentLength() >= 0) assertThat((long) r.body().length()).isEqualTo(r.contentLength());
        }

        // What was parsed, written out again (a chunked body as one chunk), parses to the same requests.
        StringBuilder again = new StringBuilder();
        for (ParserDriver.Parsed r : whole.requests()) again.append(serialize(r));
        ParserDriver.Outcome reparsed = ParserDriver.run(MAX_BODY, List.of(again.toString().getBytes(ISO_8859_1)));
        assertThat(reparsed).isEqualTo(new ParserDriver.Outcome(whole.requests(), 0, false));
    }

    private static String serialize(ParserDriver.Parsed r) {
        StringBuilder s = new StringBuilder(r.method()).append(' ').append(r.target()).append(" HTTP/1.").append(r.minor())
                .append("\r\n");
        r.headers().lines().forEach(line -> s.append(line).append("\r\n"));
        s.append("\r\n");
        if (r.contentLength() >= 0) return s.append(r.body()).toString();
        if (!r.body().isEmpty()) s.append(Integer.toHexString(r.body().length())).append("\r\n").append(r.body()).append("\r\n");
        return s.append("0\r\n\r\n").toString();
    }

    private static List<byte[]> pieces(byte[] all, List<Integer> cuts) {
        java.util.TreeSet<Integer> points = new java.util.TreeSet<>();
        for (int c : cuts) points.add(Math.floorMod(c, all.length + 1));
        points.add(all.length);
        List<byte[]> out = new ArrayList<>();
        int from = 0;
        for (int to : points) {
            out.add(java.util.Arrays.copyOfRange(all, from, to));
            from = to;
        }
        return out;
    }
}

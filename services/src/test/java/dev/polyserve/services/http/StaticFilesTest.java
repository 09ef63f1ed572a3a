package dev.polyserve.services.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StaticFilesTest {

    private static String ranges(String header, long length) {
        var spans = StaticFiles.parseRanges(header, length);
        if (spans == null) return "ignored";
        StringBuilder sb = new StringBuilder();
        for (long[] s : spans) sb.append(s[0]).append('-').append(s[1]).append(' ');
        return sb.toString().strip();
    }

    @Test
    void byteRanges() {
        assertThat(ranges("bytes=0-4", 10)).isEqualTo("0-4");
        assertThat(ranges("bytes=5-", 10)).isEqualTo("5-9");
        assertThat(ranges("bytes=-3", 10)).isEqualTo("7-9");
        assertThat(ranges("bytes=-30", 10)).isEqualTo("0-9");
        assertThat(ranges("bytes=8-100", 10)).isEqualTo("8-9");
        assertThat(ranges("bytes=0-1, 4-5", 10)).isEqualTo("0-1 4-5");
        assertThat(ranges("bytes=4-5,0-1,1-2", 10)).isEqualTo("0-2 4-5");
        assertThat(ranges("bytes=0-1,2-3", 10)).as("adjacent ranges merge").isEqualTo("0-3");
        assertThat(ranges("bytes=10-20", 10)).as("unsatisfiable").isEmpty();
        assertThat(ranges("bytes=-0", 10)).isEmpty();
        assertThat(ranges("bytes=10-20,0-0", 10)).as("the satisfiable part is served").isEqualTo("0-0");
        assertThat(ranges("bytes=5-4", 10)).isEqualTo("ignored");
        assertThat(ranges("items=0-4", 10)).isEqualTo("ignored");
        assertThat(ranges("bytes=a-b", 10)).isEqualTo("ignored");
        assertThat(ranges("bytes=" + "0-0,".repeat(StaticFiles.MAX_RANGES) + "1-1", 10)).isEqualTo("ignored");
    }

    @Test
    void acceptEncodingAndEtags() {
        assertThat(StaticFiles.acceptsGzip("gzip, deflate, br")).isTrue();
        assertThat(StaticFiles.acceptsGzip("br;q=1.0, gzip;q=0.5")).isTrue();
        assertThat(StaticFiles.acceptsGzip("gzip;q=0")).isFalse();
        assertThat(StaticFiles.acceptsGzip("*")).isTrue();
        assertThat(StaticFiles.acceptsGzip("identity")).isFalse();
        assertThat(StaticFiles.etagListMatches("\"a\", W/\"b\"", "\"b\"")).isTrue();
        assertThat(StaticFiles.etagListMatches("*", "\"x\"")).isTrue();
        assertThat(StaticFiles.etagListMatches("\"a\"", "\"b\"")).isFalse();
    }
}

package dev.polyserve.services.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HttpRequestParserTest {

    private static final String GET = "GET /index.html?x=1 HTTP/1.1\r\nHost: a\r\nUser-Agent: t\r\n\r\n";

    @Test
    void anEmptyLineBeforeTheRequestSplitBetweenItsCrAndLfIsIgnored() {
        // Found by HttpRequestParserFuzzTest: "\r" in one read and "\n" in the next became an empty request line (400).
        var o = ParserDriver.run(HttpLimits.DEFAULT_MAX_BODY, List.of("\r".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
                "\nGET /a HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
        assertThat(o.errorStatus()).isZero();
        assertThat(o.requests()).hasSize(1);
        assertThat(o.requests().getFirst().target()).isEqualTo("/a");
    }

    @Test
    void simpleGet() {
        var o = ParserDriver.run(GET);
        assertThat(o.errorStatus()).isZero();
        assertThat(o.requests()).hasSize(1);
        var r = o.requests().get(0);
        assertThat(r.method()).isEqualTo("GET");
        assertThat(r.target()).isEqualTo("/index.html?x=1");
        assertThat(r.minor()).isEqualTo(1);
        assertThat(r.keepAlive()).isTrue();
        assertThat(r.contentLength()).isZero();
        assertThat(r.headers()).contains("User-Agent: t");
    }

    @Test
    void headersAreCaseInsensitiveAndRepeatable() {
        HttpRequestParser p = new HttpRequestParser(100);
        p.feed(java.nio.ByteBuffer.wrap("GET / HTTP/1.1\r\nhost: a\r\nX-A: 1\r\nx-a: 2 \r\nACCEPT:\t*/*\r\n\r\n".getBytes()));
        RequestHead h = (RequestHead) next(p);
        assertThat(h.headers().first("HOST")).isEqualTo("a");
        assertThat(h.headers().all("X-a")).containsExactly("1", "2");
        assertThat(h.headers().first("accept")).isEqualTo("*/*");
    }

    @Test
    void pipelinedRequestsComeOutInOrder() {
        var o = ParserDriver.run("GET /a HTTP/1.1\r\nHost: a\r\n\r\nPOST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nxyz"
                + "GET /c HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        assertThat(o.requests()).extracting(ParserDriver.Parsed::target).containsExactly("/a", "/b", "/c");
        assertThat(o.requests().get(1).body()).isEqualTo("xyz");
        assertThat(o.requests().get(2).keepAlive()).isFalse();
    }

    @Test
    void chunkedBodyWithExtensionsAndTrailers() {
        var o = ParserDriver.run("POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=v\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n");
        assertThat(o.errorStatus()).isZero();
        assertThat(o.requests()).singleElement().satisfies(r -> {
            assertThat(r.body()).isEqualTo("hello world");
            assertThat(r.contentLength()).isEqualTo(-1);
        });
    }

    @Test
    void http10KeepsAliveOnlyWhenAsked() {
        assertThat(ParserDriver.run("GET / HTTP/1.0\r\n\r\n").requests().get(0).keepAlive()).isFalse();
        assertThat(ParserDriver.run("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").requests().get(0).keepAlive()).isTrue();
    }

    @Test
    void expectContinueIsReportedForHttp11Bodies() {
        var o = ParserDriver.run("PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok");
        assertThat(o.requests().get(0).expectContinue()).isTrue();
        var o10 = ParserDriver.run("PUT /f HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok");
        assertThat(o10.requests().get(0).expectContinue()).isFalse();
    }

    @Test
    void leadingEmptyLinesAndBareLineFeedsAreAccepted() {
        var o = ParserDriver.run("\r\n\nGET / HTTP/1.1\nHost: a\n\n");
        assertThat(o.requests()).hasSize(1);
    }

    @Test
    void identicalRepeatedContentLengthsAreOneLength() {
        var o = ParserDriver.run("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2, 2\r\n\r\nhi");
        assertThat(o.requests().get(0).body()).isEqualTo("hi");
    }

    static Stream<Arguments> refusalCases() {
        return Stream.of(
            Arguments.of("both lengths (smuggling)", 400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"),
            Arguments.of("conflicting lengths", 400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n"),
            Arguments.of("conflicting lengths in one field", 400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 4\r\n\r\n"),
            Arguments.of("signed length", 400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\n"),
            Arguments.of("huge length", 400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1234567890123456789012\r\n\r\n"),
            Arguments.of("unknown coding", 501, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
            Arguments.of("chunked twice", 400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n"),
            Arguments.of("TE in 1.0", 400, "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"),
            Arguments.of("obs-fold", 400, "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n  continued\r\n\r\n"),
            Arguments.of("space before colon", 400, "GET / HTTP/1.1\r\nHost : a\r\n\r\n"),
            Arguments.of("no colon", 400, "GET / HTTP/1.1\r\nHost a\r\n\r\n"),
            Arguments.of("control char in value", 400, "GET / HTTP/1.1\r\nHost: a\u0001b\r\n\r\n"),
            Arguments.of("missing host", 400, "GET / HTTP/1.1\r\n\r\n"),
            Arguments.of("two hosts", 400, "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
            Arguments.of("double space", 400, "GET  / HTTP/1.1\r\nHost: a\r\n\r\n"),
            Arguments.of("lowercase version", 400, "GET / http/1.1\r\nHost: a\r\n\r\n"),
            Arguments.of("HTTP/2.0", 505, "GET / HTTP/2.0\r\nHost: a\r\n\r\n"),
            Arguments.of("HTTP/0.9 style", 400, "GET /\r\n\r\n"),
            Arguments.of("HTTP/3.0", 505, "GET / HTTP/3.0\r\n\r\n"),
            Arguments.of("bad method char", 400, "GE(T / HTTP/1.1\r\nHost: a\r\n\r\n"),
            Arguments.of("expectation", 417, "GET / HTTP/1.1\r\nHost: a\r\nExpect: tea\r\n\r\n"),
            Arguments.of("body too big", 413, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n"),
            Arguments.of("bad chunk size", 400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
            Arguments.of("chunk longer than size", 400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n"),
            Arguments.of("chunk size overflow", 400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n"));
    }

    @ParameterizedTest(name = "{1} for {0}")
    @MethodSource("refusalCases")
    void refusals(String what, int status, String request) {
        assertThat(ParserDriver.run(request).errorStatus()).as(what).isEqualTo(status);
    }

    @Test
    void chunkedBodyOverTheLimitIs413() {
        var o = ParserDriver.run(10, List.of(("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n").getBytes()));
        assertThat(o.errorStatus()).isEqualTo(413);
    }

    @Test
    void requestLineLimitIs414() {
        String longTarget = "/" + "a".repeat(HttpLimits.MAX_REQUEST_LINE);
        assertThat(ParserDriver.run("GET " + longTarget + " HTTP/1.1\r\nHost: a\r\n\r\n").errorStatus()).isEqualTo(414);
        // Without a line end yet: refused as soon as the limit is passed, not when the line finally ends.
        assertThat(ParserDriver.run("GET " + longTarget).errorStatus()).isEqualTo(414);
        String fits = "/" + "a".repeat(HttpLimits.MAX_REQUEST_LINE - 20);
        assertThat(ParserDriver.run("GET " + fits + " HTTP/1.1\r\nHost: a\r\n\r\n").errorStatus()).isZero();
    }

    @Test
    void headerSectionLimitIs431() {
        String big = "X-Big: " + "b".repeat(HttpLimits.MAX_HEADER_BYTES) + "\r\n";
        assertThat(ParserDriver.run("GET / HTTP/1.1\r\nHost: a\r\n" + big + "\r\n").errorStatus()).isEqualTo(431);
        assertThat(ParserDriver.run("GET / HTTP/1.1\r\nHost: a\r\n" + big).errorStatus()).isEqualTo(431);
        StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
        for (int i = 0; i < HttpLimits.MAX_HEADER_COUNT; i++) many.append("X-").append(i).append(": v\r\n");
        assertThat(ParserDriver.run(many + "\r\n").errorStatus()).isEqualTo(431);
    }

    @Test
    void afterAnErrorTheParserStaysFailed() {
        HttpRequestParser p = new HttpRequestParser(100);
        p.feed(java.nio.ByteBuffer.wrap("BAD\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes()));
        for (int i = 0; i < 2; i++) {
            try {
                p.next();
                org.junit.jupiter.api.Assertions.fail("expected a protocol error");
            } catch (HttpProtocolException e) {
                assertThat(e.status()).isEqualTo(400);
            }
        }
    }

    private static HttpEvent next(HttpRequestParser p) {
        try {
            return p.next();
        } catch (HttpProtocolException e) {
            throw new AssertionError(e);
        }
    }
}

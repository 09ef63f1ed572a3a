package dev.polyserve.services.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Feeds byte pieces to a parser and records what came out, as plain comparable values. */
final class ParserDriver {
    /** A request as the parser reported it. */
    record Parsed(String method, String target, int minor, String headers, long contentLength, boolean keepAlive,
                  boolean expectContinue, String body) {}

    /** The requests parsed, and the status of a protocol error if one ended the stream. */
    record Outcome(List<Parsed> requests, int errorStatus, boolean midRequest) {}

    private ParserDriver() {}

    static Outcome run(long maxBody, List<byte[]> pieces) {
        HttpRequestParser p = new HttpRequestParser(maxBody);
        List<Parsed> out = new ArrayList<>();
        RequestHead head = null;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] piece : pieces) {
            p.feed(ByteBuffer.wrap(piece));
            while (true) {
                HttpEvent e;
                try {
                    e = p.next();
                } catch (HttpProtocolException ex) {
                    return new Outcome(out, ex.status(), head != null);
                }
                if (e instanceof HttpEvent.NeedData) break;
                switch (e) {
                    case RequestHead h -> {
                        head = h;
                        body.reset();
                    }
                    case HttpEvent.BodyData d -> {
                        byte[] b = new byte[d.data().remaining()];
                        d.data().get(b);
                        body.writeBytes(b);
                    }
                    case HttpEvent.EndOfMessage m -> {
                        out.add(new Parsed(head.method(), head.target(), head.minorVersion(), head.headers().toString(),
                                head.contentLength(), head.keepAlive(), head.expectContinue(), body.toString(java.nio.charset.StandardCharsets.ISO_8859_1)));
                        head = null;
                    }
                    case HttpEvent.NeedData n -> { }
                }
            }
        }
        return new Outcome(out, 0, head != null || !p.idle());
    }

    static Outcome run(String all) {
        return run(HttpLimits.DEFAULT_MAX_BODY, List.of(all.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
    }
}

package dev.polyserve.services.http.websocket;

/**
 * Checks UTF-8 incrementally, so a text message split over frames is judged as it arrives (RFC 6455 section 8.1:
 * invalid UTF-8 fails the connection, and a sequence may be split between fragments). Follows the well-formed byte
 * sequence table of Unicode 15 section 3.9 (table 3-7): no overlong forms, no surrogates, nothing above U+10FFFF.
 */
final class Utf8Validator {
    /** Continuation bytes still expected for the current sequence. */
    private int needed;
    /** The allowed range of the next byte (the second byte of a sequence has a narrower range for some leads). */
    private int low = 0x80;
    private int high = 0xBF;

    /** Feeds bytes; false as soon as they cannot be the start or middle of valid UTF-8 (the state is then spent). */
    boolean feed(byte[] b, int off, int len) {
        for (int i = off, end = off + len; i < end; i++) {
            int c = b[i] & 0xff;
            if (needed == 0) {
                if (c < 0x80) continue;
                if (c >= 0xC2 && c <= 0xDF) {
                    needed = 1;
                } else if (c >= 0xE0 && c <= 0xEF) {
                    needed = 2;
                    if (c == 0xE0) low = 0xA0;        // no overlong 3-byte forms
                    else if (c == 0xED) high = 0x9F;  // no surrogates U+D800..DFFF
                } else if (c >= 0xF0 && c <= 0xF4) {
                    needed = 3;
                    if (c == 0xF0) low = 0x90;        // no overlong 4-byte forms
                    else if (c == 0xF4) high = 0x8F;  // nothing above U+10FFFF
                } else {
                    return false;                      // 80..C1 (continuation or overlong lead), F5..FF
                }
            } else {
                if (c < low || c > high) return false;
                low = 0x80;
                high = 0xBF;
                needed--;
            }
        }
        return true;
    }

    /** True when the bytes so far end on a sequence boundary (the message may end here). */
    boolean complete() {
        return needed == 0;
    }

    void reset() {
        needed = 0;
        low = 0x80;
        high = 0xBF;
    }
}

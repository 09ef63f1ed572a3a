package dev.polyserve.core.tls;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;

/**
 * The little of ASN.1 DER (X.690) that a self-signed certificate and the old key formats need: encoding a handful
 * of types, and walking a SEQUENCE's elements. The JDK parses certificates and PKCS#8 keys itself but writes
 * neither a certificate nor a PKCS#8 wrapper around a PKCS#1/SEC1 key, and its own encoder
 * ({@code sun.security.util.DerOutputStream}) is not exported. Everything here is definite-length DER.
 */
final class Der {
    static final int BOOLEAN = 0x01, INTEGER = 0x02, BIT_STRING = 0x03, OCTET_STRING = 0x04, NULL = 0x05, OID = 0x06,
            UTF8_STRING = 0x0c, UTC_TIME = 0x17, GENERALIZED_TIME = 0x18, SEQUENCE = 0x30, SET = 0x31;

    private Der() {}

    /** One element: tag, length, contents. */
    static byte[] tlv(int tag, byte[] contents) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(contents.length + 6);
        out.write(tag);
        int n = contents.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            byte[] len = BigInteger.valueOf(n).toByteArray();
            int skip = len[0] == 0 ? 1 : 0;
            out.write(0x80 | (len.length - skip));
            out.write(len, skip, len.length - skip);
        }
        out.writeBytes(contents);
        return out.toByteArray();
    }

    static byte[] sequence(byte[]... elements) {
        return tlv(SEQUENCE, concat(elements));
    }

    static byte[] set(byte[]... elements) {
        return tlv(SET, concat(elements));
    }

    /** A context-specific constructed tag, {@code [n] EXPLICIT}. */
    static byte[] explicit(int n, byte[] element) {
        return tlv(0xa0 | n, element);
    }

    /** A context-specific primitive tag, {@code [n] IMPLICIT} over a primitive value (SAN's dNSName, iPAddress). */
    static byte[] implicitPrimitive(int n, byte[] contents) {
        return tlv(0x80 | n, contents);
    }

    static byte[] integer(BigInteger v) {
        return tlv(INTEGER, v.toByteArray());
    }

    static byte[] integer(long v) {
        return integer(BigInteger.valueOf(v));
    }

    static byte[] bool(boolean v) {
        return tlv(BOOLEAN, new byte[] {(byte) (v ? 0xff : 0)});
    }

    static byte[] nul() {
        return tlv(NULL, new byte[0]);
    }

    static byte[] octets(byte[] v) {
        return tlv(OCTET_STRING, v);
    }

    /** A BIT STRING of whole bytes, or with {@code unusedBits} trailing bits unused (KeyUsage). */
    static byte[] bits(byte[] v, int unusedBits) {
        byte[] c = new byte[v.length + 1];
        c[0] = (byte) unusedBits;
        System.arraycopy(v, 0, c, 1, v.length);
        return tlv(BIT_STRING, c);
    }

    static byte[] utf8(String s) {
        return tlv(UTF8_STRING, s.getBytes(StandardCharsets.UTF_8));
    }

    /** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, both in UTC to the second. */
    static byte[] time(ZonedDateTime t) {
        ZonedDateTime utc = t.withZoneSameInstant(ZoneOffset.UTC);
        if (utc.getYear() < 2050) {
            return tlv(UTC_TIME, DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").format(utc).getBytes(StandardCharsets.US_ASCII));
        }
        return tlv(GENERALIZED_TIME, DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").format(utc).getBytes(StandardCharsets.US_ASCII));
    }

    /** An OBJECT IDENTIFIER from its dotted form. */
    static byte[] oid(String dotted) {
        String[] parts = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Integer.parseInt(parts[0]) * 40 + Integer.parseInt(parts[1]));
        for (int i = 2; i < parts.length; i++) {
            long v = Long.parseLong(parts[i]);
            int groups = 1;
            for (long t = v >>> 7; t != 0; t >>>= 7) groups++;
            for (int g = groups - 1; g >= 0; g--) {
                int b = (int) ((v >>> (7 * g)) & 0x7f);
                out.write(g == 0 ? b : b | 0x80);
            }
        }
        return tlv(OID, out.toByteArray());
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    // ---- reading

    /** One decoded element: its tag, and where its contents lie in {@code source}. */
    record Element(int tag, byte[] source, int start, int contentStart, int end) {
        byte[] contents() {
            return Arrays.copyOfRange(source, contentStart, end);
        }

        /** The whole element, tag and length included. */
        byte[] encoded() {
            return Arrays.copyOfRange(source, start, end);
        }

        /** The elements inside a constructed element (a SEQUENCE, an explicit tag). */
        Element[] children() {
            java.util.List<Element> list = new java.util.ArrayList<>();
            for (int at = contentStart; at < end; ) {
                Element e = read(source, at);
                if (e.end > end) throw new IllegalArgumentException("DER element runs past its parent");
                list.add(e);
                at = e.end;
            }
            return list.toArray(Element[]::new);
        }
    }

    /** Reads the element starting at {@code at}. */
    static Element read(byte[] der, int at) {
        try {
            int tag = der[at] & 0xff;
            int len = der[at + 1] & 0xff;
            int start = at + 2;
            if (len >= 0x80) {
                int count = len & 0x7f;
                if (count == 0 || count > 4) throw new IllegalArgumentException("unsupported DER length");
                len = 0;
                for (int i = 0; i < count; i++) len = (len << 8) | (der[start + i] & 0xff);
                start += count;
            }
            int end = start + len;
            if (len < 0 || end > der.length) throw new IllegalArgumentException("DER element runs past the end");
            return new Element(tag, der, at, start, end);
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("truncated DER");
        }
    }
}

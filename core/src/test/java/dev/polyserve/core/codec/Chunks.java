package dev.polyserve.core.codec;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Cuts a byte stream at arbitrary points, the way reads split it on a real socket. */
final class Chunks {
    private Chunks() {}

    static List<ByteBuffer> split(byte[] all, List<Integer> cuts) {
        TreeSet<Integer> points = new TreeSet<>();
        for (int c : cuts) {
            if (all.length > 0) points.add(Math.floorMod(c, all.length + 1));
        }
        points.add(all.length);
        List<ByteBuffer> out = new ArrayList<>();
        int from = 0;
        for (int to : points) {
            // Hand over a window of a larger array so decoders cannot rely on position 0 or array offsets.
            byte[] padded = new byte[to - from + 6];
            System.arraycopy(all, from, padded, 3, to - from);
            out.add(ByteBuffer.wrap(padded, 3, to - from).slice());
            from = to;
        }
        return out;
    }

    static byte[] concat(List<ByteBuffer> parts) {
        int n = parts.stream().mapToInt(ByteBuffer::remaining).sum();
        ByteBuffer all = ByteBuffer.allocate(n);
        parts.forEach(p -> all.put(p.duplicate()));
        return all.array();
    }
}

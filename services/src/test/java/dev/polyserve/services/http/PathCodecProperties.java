package dev.polyserve.services.http;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever a client sends, a decoded path is absolute and has no dot segments (or is refused). */
class PathCodecProperties {

    @Property(tries = 2000)
    void decodedPathsNeverClimb(@ForAll("targets") String raw) {
        String p = PathCodec.decodeAndNormalise(raw);
        if (p == null) return;
        assertThat(p).startsWith("/").doesNotContain("\0").doesNotContain("//");
        for (String seg : p.split("/")) assertThat(seg).isNotIn(".", "..");
    }

    @Property(tries = 500)
    void encodingThenDecodingIsIdentityForNormalPaths(@ForAll("names") String name) {
        String path = "/" + name;
        String normal = PathCodec.decodeAndNormalise(path);
        if (normal == null) return;
        assertThat(PathCodec.decodeAndNormalise(PathCodec.encodePath(normal))).isEqualTo(normal);
    }

    @Provide
    Arbitrary<String> targets() {
        return Arbitraries.of("/", "..", ".", "%2e", "%2E%2e", "%2f", "%5c", "%00", "%25", "%c0%ae", "a", "b%20c", "//", "\\", "ü")
                .list().ofMaxSize(12).map(l -> "/" + String.join("", l));
    }

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.strings().withChars("abc /.-_~%éü&<>\"'+").ofMaxLength(30);
    }
}

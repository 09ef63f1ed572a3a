package dev.polyserve.services.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The command parsers of both protocols: total functions, and the forms people type mean what they say. */
class ChatLineParserTest {

    @Provide
    Arbitrary<String> words() {
        return Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(12);
    }

    @Property(tries = 300)
    void anyLineParsesToSomeCommand(@ForAll String line, @ForAll boolean named) {
        assertThat(ChatLineParser.parse(line, named)).isNotNull();
    }

    @Property(tries = 300)
    void aPlainLineIsSaidVerbatimOnceNamed(@ForAll String line) {
        Assume.that(!line.isBlank() && !line.startsWith("/"));
        assertThat(ChatLineParser.parse(line, true)).isEqualTo(new ChatCommand.Say(line));
        assertThat(ChatLineParser.parse(line, false)).isEqualTo(new ChatCommand.Name(line.strip()));
    }

    @Property(tries = 300)
    void aDoubleSlashSaysTheRestVerbatim(@ForAll String rest) {
        assertThat(ChatLineParser.parse("//" + rest, true)).isEqualTo(new ChatCommand.Say("/" + rest));
    }

    @Property(tries = 300)
    void msgSplitsTheNameFromTheText(@ForAll("words") String name, @ForAll("words") String first, @ForAll("words") String second) {
        String text = first + " " + second;
        assertThat(ChatLineParser.parse("/msg " + name + " " + text, true)).isEqualTo(new ChatCommand.Private(name, text));
        assertThat(ChatLineParser.parse("/MSG " + name + " " + text, true)).isEqualTo(new ChatCommand.Private(name, text));
    }

    @Property(tries = 300)
    void framesParseAnyHeaderToSomeCommand(@ForAll Map<String, String> fields, @ForAll boolean named) {
        ObjectNode header = JsonNodeFactory.instance.objectNode();
        fields.forEach(header::put);
        assertThat(ChatFrames.parse(header, named)).isNotNull();
    }

    @Property(tries = 300)
    void anAcceptedNameIsShowableAndHasNoSpaces(@ForAll String name) {
        if (Names.problem(name).isEmpty()) {
            assertThat(Names.showable(name)).isTrue();
            assertThat(name).doesNotContain(" ").isNotEmpty();
            assertThat(name.codePointCount(0, name.length())).isLessThanOrEqualTo(Names.MAX_NAME_CHARS);
        }
    }
}

package dev.polyserve.services.chat.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.polyserve.services.chat.ChatEvent;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class RoomWireTest {

    @Provide
    Arbitrary<RoomWire> messages() {
        Arbitrary<String> text = Arbitraries.strings().ofMaxLength(40);
        Arbitrary<Long> seq = Arbitraries.longs().between(0, Long.MAX_VALUE);
        Arbitrary<ChatEvent> events = Arbitraries.oneOf(
                text.map(ChatEvent.Joined::new),
                net.jqwik.api.Combinators.combine(text, text).as(ChatEvent.Said::new),
                net.jqwik.api.Combinators.combine(text, Arbitraries.of(ChatEvent.Reason.class)).as(ChatEvent.Left::new),
                net.jqwik.api.Combinators.combine(text, text).as(ChatEvent.Renamed::new),
                text.map(ChatEvent.Announcement::new));
        return Arbitraries.oneOf(
                net.jqwik.api.Combinators.combine(text, seq, text, events).as(RoomWire.Event::new),
                net.jqwik.api.Combinators.combine(text, seq).as(RoomWire.Heartbeat::new),
                net.jqwik.api.Combinators.combine(text, text, seq, seq).as(RoomWire.Resend::new),
                net.jqwik.api.Combinators.combine(text, seq, seq).as(RoomWire.Missing::new),
                net.jqwik.api.Combinators.combine(Arbitraries.of(RoomWire.PRESENT, RoomWire.ABSENT, RoomWire.GONE), seq, text, text)
                        .as(RoomWire.Presence::new));
    }

    @Property
    void everyMessageSurvivesItsBytes(@ForAll("messages") RoomWire m) {
        assertThat(RoomWire.decode(RoomWire.encode(m))).isEqualTo(m);
    }

    /** Whatever arrives on the channel, decoding either gives a message or says why not: no other exception. */
    @Property
    void arbitraryBytesAreAMessageOrAClearRefusal(@ForAll byte[] bytes) {
        try {
            RoomWire.decode(bytes);
        } catch (IllegalArgumentException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Property
    void aTruncatedMessageIsRefused(@ForAll("messages") RoomWire m) {
        byte[] whole = RoomWire.encode(m);
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 1);
        assertThatThrownBy(() -> RoomWire.decode(cut)).isInstanceOf(IllegalArgumentException.class);
    }
}

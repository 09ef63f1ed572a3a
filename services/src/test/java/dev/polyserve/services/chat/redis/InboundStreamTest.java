package dev.polyserve.services.chat.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.services.chat.ChatEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class InboundStreamTest {

    private static RoomWire.Event event(long seq) {
        return new RoomWire.Event("n1", seq, "", new ChatEvent.Said("ann", "line " + seq));
    }

    /** Whatever order and however often the events come (a reconnect replays, resends overlap), each is delivered once, in order. */
    @Property(tries = 200)
    void everyEventOnceInOrderWhateverTheArrival(@ForAll @IntRange(min = 1, max = 200) int count, @ForAll long seed) {
        Random random = new Random(seed);
        List<Long> arrivals = new ArrayList<>();
        for (long s = 1; s <= count; s++) {
            arrivals.add(s);
            if (random.nextInt(4) == 0) arrivals.add(s);   // a duplicate
        }
        // Shuffle within windows, as a replay after a reconnect does: late, but not arbitrarily far.
        for (int i = 0; i < arrivals.size(); i += 10) Collections.shuffle(arrivals.subList(i, Math.min(arrivals.size(), i + 10)), random);
        InboundStream stream = new InboundStream(10_000);
        List<Long> delivered = new ArrayList<>();
        for (long s : arrivals) stream.offer(event(s), true, 0).forEach(e -> delivered.add(e.seq()));
        List<Long> expected = new ArrayList<>();
        for (long s = 1; s <= count; s++) expected.add(s);
        assertThat(delivered).isEqualTo(expected);
        assertThat(stream.gapOpen()).isFalse();
        assertThat(stream.duplicates()).isEqualTo(arrivals.size() - count);
    }

    @Test
    void aGapIsAskedForThenFilled() {
        InboundStream stream = new InboundStream(100);
        assertThat(stream.offer(event(5), false, 0)).extracting(RoomWire.Event::seq).containsExactly(5L);   // starts where first heard
        assertThat(stream.offer(event(8), false, 0)).isEmpty();
        assertThat(stream.toAsk(0, 1000)).containsExactly(6, 7);
        assertThat(stream.toAsk(10, 1000)).as("not again before the retry time").isNull();
        assertThat(stream.offer(event(7), false, 20)).isEmpty();
        assertThat(stream.offer(event(6), false, 30)).extracting(RoomWire.Event::seq).containsExactly(6L, 7L, 8L);
        assertThat(stream.gapOpen()).isFalse();
    }

    @Test
    void aHeartbeatAheadOfWhatArrivedOpensAGap() {
        InboundStream stream = new InboundStream(100);
        stream.offer(event(1), false, 0);
        stream.heard(3, false, 0);
        assertThat(stream.toAsk(0, 1000)).containsExactly(2, 3);
        assertThat(stream.missing(2, 2)).isEmpty();
        assertThat(stream.offer(event(3), false, 0)).extracting(RoomWire.Event::seq).containsExactly(3L);
        assertThat(stream.lost()).isEqualTo(1);
    }

    @Test
    void aGapGivenUpOnDeliversWhatWaitedBehindIt() {
        InboundStream stream = new InboundStream(100);
        stream.offer(event(1), false, 0);
        stream.offer(event(4), false, 0);
        assertThat(stream.expire(5, 10)).isEmpty();
        assertThat(stream.expire(20, 10)).extracting(RoomWire.Event::seq).containsExactly(4L);
        assertThat(stream.lost()).isEqualTo(2);
        assertThat(stream.offer(event(2), false, 30)).as("too late: never delivered after what followed it").isEmpty();
    }
}

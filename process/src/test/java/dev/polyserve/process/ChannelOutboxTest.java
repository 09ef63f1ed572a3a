package dev.polyserve.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.polyserve.process.ipc.MessageChannel;
import dev.polyserve.process.ipc.MessageListener;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The queue in front of a shared-state link: never blocks the sender, keeps order, and gives up on a stuck peer. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class ChannelOutboxTest {
    @TempDir Path dir;

    @Test
    void messagesQueuedBeforeStartAndAfterArriveInOrder() throws Exception {
        try (MessageListener listener = MessageListener.bind(dir.resolve("s.sock"));
             MessageChannel sending = MessageChannel.connect(listener.path());
             MessageChannel receiving = listener.accept()) {
            ChannelOutbox out = new ChannelOutbox("the test");
            int n = 20_000;
            for (int i = 0; i < n / 2; i++) out.send(number(i));
            out.start(sending);
            for (int i = n / 2; i < n; i++) out.send(number(i));
            List<Integer> got = new ArrayList<>();
            for (int i = 0; i < n; i++) got.add(ByteBuffer.wrap(receiving.receive().orElseThrow()).getInt());
            assertThat(got).isSortedAccordingTo(Integer::compare).hasSize(n).startsWith(0).endsWith(n - 1);
            assertThat(out.awaitSent(Duration.ofSeconds(30))).as("nothing left queued").isTrue();
            out.close();
            assertThat(receiving.receive()).as("closing the outbox ends the link").isEmpty();
        }
    }

    @Test
    void aPeerThatStopsReadingHasItsLinkClosedInsteadOfGrowingTheQueue() throws Exception {
        try (MessageListener listener = MessageListener.bind(dir.resolve("s.sock"));
             MessageChannel sending = MessageChannel.connect(listener.path());
             MessageChannel receiving = listener.accept()) {
            long limit = 1 << 20;
            ChannelOutbox out = new ChannelOutbox("a stuck peer", limit);
            out.start(sending);
            byte[] kib = new byte[1024];
            // Nobody reads: the socket buffers fill, then the queue, then the link is cut. send() never blocks.
            for (int i = 0; i < 64 * 1024 && sending.isOpen(); i++) out.send(kib);
            assertThat(sending.isOpen()).as("link closed past the limit").isFalse();
            long drained = 0;
            try {
                for (Optional<byte[]> m = receiving.receive(); m.isPresent(); m = receiving.receive()) drained += m.get().length;
            } catch (EOFException cutMidMessage) {
                // The cut may fall inside a frame the pump was writing: the reader sees the end either way.
            }
            assertThat(drained).as("what had reached the socket before the cut, no more than the limit plus buffers")
                    .isLessThan(limit + (16L << 20));
        }
    }

    private static byte[] number(int i) {
        return ByteBuffer.allocate(4).putInt(i).array();
    }
}

package dev.polyserve.services.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the prefork chat hub's messages and the room events inside them ({@link HubMessage},
 * {@link ChatEventCodec}; issue #16): a worker's bytes are decoded by the master, so a malformed or hostile message
 * must be refused with the documented {@link IllegalArgumentException}, never anything else. A plain test run
 * replays src/test/resources/.../HubMessageFuzzTestInputs; bench/fuzz.sh fuzzes it for real.
 */
class HubMessageFuzzTest {

    @FuzzTest
    void decodeRefusesOrRoundTrips(byte[] bytes) {
        HubMessage m;
        try {
            m = HubMessage.decode(bytes);
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        assertThat(HubMessage.kind(bytes)).isEqualTo(HubMessage.kind(HubMessage.encode(m)));
        // Strings decode leniently (bad UTF-8 becomes U+FFFD), so the bytes may differ; the message may not.
        byte[] again = HubMessage.encode(m);
        assertThat(HubMessage.decode(again)).isEqualTo(m);
        assertThat(HubMessage.encode(HubMessage.decode(again))).isEqualTo(again);
    }
}

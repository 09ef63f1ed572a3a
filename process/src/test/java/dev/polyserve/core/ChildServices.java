package dev.polyserve.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The conformance suite's services as public classes with no-argument constructors. A child JVM (a prefork worker,
 * a process-per-connection child) rebuilds its service by class name, and a lambda made in the test JVM cannot
 * cross a process boundary; these classes behave exactly like the suite's lambdas.
 */
public final class ChildServices {
    private ChildServices() {}

    /** {@link TestHandlers#echo()} (same watermark and pause/resume), refusing with {@code busy\n} when full. */
    public static final class Echo implements Service {
        private final Service echo = TestHandlers.echo();

        public Echo() {}

        @Override
        public Handler newHandler() {
            return echo.newHandler();
        }

        @Override
        public byte[] refusal() {
            return "busy\n".getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** Echo without flow control: a peer that never reads makes the write queue grow until the limit. */
    public static final class NonPausingEcho implements Service {
        public NonPausingEcho() {}

        @Override
        public Handler newHandler() {
            return (c, in) -> c.write(ByteBuffer.allocate(in.remaining()).put(in).flip());
        }
    }

    /** Writes {@code tick} from a timer and a line from another thread as soon as a connection opens. */
    public static final class Ticking implements Service {
        public Ticking() {}

        @Override
        public Handler newHandler() {
            return new Handler() {
                @Override
                public void onOpen(Conn c) {
                    c.schedule(Duration.ofMillis(20), () -> c.write(EngineConformanceSuite.ascii("tick\n")));
                    Thread.ofVirtual().start(() -> c.write(EngineConformanceSuite.ascii("from another thread\n")));
                }

                @Override
                public void onRead(Conn c, ByteBuffer in) {}
            };
        }
    }
}

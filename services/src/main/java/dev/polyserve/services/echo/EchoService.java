package dev.polyserve.services.echo;

import dev.polyserve.core.Conn;
import dev.polyserve.core.Handler;
import dev.polyserve.core.Service;
import dev.polyserve.core.udp.DatagramService;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/** Echo over TCP (a handler per connection) and over UDP (a reply per datagram). */
public final class EchoService implements Service, DatagramService {
    /**
     * Unsent bytes past which a connection stops reading until they drain, so a client that sends faster than
     * it reads is slowed by TCP flow control instead of filling the server's memory. Far below the default
     * write queue limit, so flow control acts long before the limit would.
     */
    public static final long HIGH_WATERMARK = 64 * 1024;

    private final Echo echo;

    public EchoService(boolean upper) {
        this.echo = new Echo(upper);
    }

    @Override
    public Handler newHandler() {
        return new Handler() {
            @Override
            public void onRead(Conn conn, ByteBuffer in) {
                conn.write(echo.reply(in));
                if (conn.queuedBytes() > HIGH_WATERMARK) {
                    conn.pauseReading();
                    if (conn.queuedBytes() == 0) { // drained while we paused: no onDrained will come
                        conn.resumeReading();
                    }
                }
            }

            @Override
            public void onDrained(Conn conn) {
                conn.resumeReading();
            }
        };
    }

    @Override
    public ByteBuffer reply(ByteBuffer datagram, SocketAddress from) {
        return echo.reply(datagram);
    }
}

package dev.polyserve.process;

import dev.polyserve.core.Conn;
import dev.polyserve.core.Handler;
import dev.polyserve.core.Service;

import java.nio.ByteBuffer;

/**
 * A minimal echo service for tests that run before services/ is on the class path; public with a no-argument
 * constructor so a child JVM ({@link ChildMain}) can rebuild it. It also answers the line {@code whoami} with the
 * process id serving the connection, so tests can tell workers apart.
 */
public final class LineEchoService implements Service {
    public LineEchoService() {}

    @Override
    public Handler newHandler() {
        return new Handler() {
            @Override
            public void onRead(Conn conn, ByteBuffer in) {
                String text = java.nio.charset.StandardCharsets.ISO_8859_1.decode(in.duplicate()).toString();
                if (text.equals("whoami\n")) {
                    conn.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes()));
                    return;
                }
                ByteBuffer copy = ByteBuffer.allocate(in.remaining());
                copy.put(in).flip();
                conn.write(copy);
            }
        };
    }

    @Override
    public byte[] refusal() {
        return "busy\n".getBytes();
    }
}

package dev.polyserve.process.ipc;

import java.nio.file.Path;
import java.util.Optional;

/** Child: connects to the message listener at {@code args[0]} and sends every message back until EOF. */
public final class EchoChild {
    public static void main(String[] args) throws Exception {
        try (MessageChannel ch = MessageChannel.connect(Path.of(args[0]))) {
            Optional<byte[]> m;
            while ((m = ch.receive()).isPresent()) ch.send(m.get());
        }
    }
}

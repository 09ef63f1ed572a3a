package dev.polyserve.cli.bench;

import dev.polyserve.cli.ServePipeline;
import dev.polyserve.cli.ServerOptions;
import dev.polyserve.core.Conn;
import dev.polyserve.core.Handler;
import dev.polyserve.core.Service;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The lab's CPU-heavy server: echo, but every --message-size bytes received first cost --rounds SHA-256 digests
 * of a 64-byte block, so a message's CPU cost is fixed and far above its I/O cost. Which models then use both
 * cores is what the cpu scenario shows. A main of its own (not a {@code serve} command): it exists for the lab.
 * Under prefork its workers re-run this same command line.
 */
@Command(name = "hashing-echo", mixinStandardHelpOptions = true,
        description = "Echo with a fixed CPU cost per message (the model lab's cpu scenario).")
final class HashingEchoServer implements Callable<Integer> {
    /** About 200 us of CPU per message on a current core (SHA-256 of 64 B is ~0.2 us): the handler, not the I/O, is the cost. */
    static final int DEFAULT_ROUNDS = 1_000;

    @Mixin
    ServerOptions server;

    @Option(names = "--rounds", defaultValue = "" + DEFAULT_ROUNDS, description = "SHA-256 digests per message (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--message-size", defaultValue = "64", description = "Bytes per message (default: ${DEFAULT-VALUE}).")
    int messageSize;

    public static void main(String[] args) {
        System.exit(new CommandLine(new HashingEchoServer()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (rounds < 0 || messageSize < 1) throw new IllegalArgumentException("--rounds >= 0 and --message-size >= 1");
        return ServePipeline.tcp(server, "hashing-echo", 0).serve(new HashingEcho(rounds, messageSize));
    }

    /** The service: per connection, counts bytes and pays the digests for each whole message before echoing. */
    static final class HashingEcho implements Service {
        private final int rounds, messageSize;

        HashingEcho(int rounds, int messageSize) {
            this.rounds = rounds;
            this.messageSize = messageSize;
        }

        @Override
        public Handler newHandler() {
            MessageDigest sha;
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has SHA-256", e);
            }
            return new Handler() {
                private final byte[] block = new byte[64];
                private long pending;

                @Override
                public void onRead(Conn conn, ByteBuffer in) {
                    pending += in.remaining();
                    for (; pending >= messageSize; pending -= messageSize) work(sha, block, rounds);
                    conn.write(ByteBuffer.allocate(in.remaining()).put(in).flip());
                }
            };
        }

        /** {@code rounds} chained digests: each feeds the next, so the JIT cannot skip any. */
        static void work(MessageDigest sha, byte[] block, int rounds) {
            for (int i = 0; i < rounds; i++) {
                sha.update(block);
                try {
                    sha.digest(block, 0, 32);
                } catch (java.security.DigestException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }
}

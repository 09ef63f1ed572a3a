package dev.polyserve.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Echo under {@code process}: a child JVM per connection. */
class ProcessConformanceTest extends MultiProcessConformance {
    /**
     * Concurrent clients for this model: each is a JVM (about 40 MiB and a few hundred ms of CPU to start), so
     * the suite's 200 would mean 8 GiB and minutes of CPU on the shared two-core test machine. Twenty still
     * proves that children serve at once and keep their streams apart.
     */
    static final int PROCESS_CLIENTS = 20;

    @Override
    protected String model() {
        return "process";
    }

    @Test
    @Override
    void manyClientsEchoExactBytesConcurrently() throws Exception {
        Server server = startOwn(b -> b, new ChildServices.Echo());
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < PROCESS_CLIENTS; c++) {
                int id = c;
                results.add(clients.submit(() -> {
                    try (Socket s = connectTo(server)) {
                        OutputStream out = s.getOutputStream();
                        DataInputStream in = new DataInputStream(s.getInputStream());
                        int ok = 0;
                        for (int m = 0; m < MESSAGES; m++) {
                            byte[] msg = ("client " + id + " message " + m + "\n").getBytes(StandardCharsets.US_ASCII);
                            out.write(msg);
                            byte[] back = new byte[msg.length];
                            in.readFully(back);
                            if (Arrays.equals(msg, back)) ok++;
                        }
                        return ok;
                    }
                }));
            }
            for (Future<Integer> r : results) assertThat(r.get(2, TimeUnit.MINUTES)).isEqualTo(MESSAGES);
        }
    }
}

package dev.polyserve.cli.chat;

import dev.polyserve.core.auth.HmacClient;
import dev.polyserve.core.auth.HmacKey;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code polyserve chat HOST PORT}: a terminal client for the chat room. Incoming lines print above the line
 * being typed (JLine), typed lines go to the room, the up arrow recalls earlier lines.
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Join a polyserve chat room (polyserve serve chat). Type to talk; /help lists the room's commands,",
                "/quit leaves (so do Ctrl-D and Ctrl-C). Messages from others appear above the line you are typing."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:left the room", "1:could not connect, or the server closed the connection", "2:bad options"})
public final class ChatClientCommand implements Callable<Integer> {

    /** Connect timeout: a loopback or LAN server answers in milliseconds; ten seconds covers a slow WAN. */
    static final int CONNECT_TIMEOUT_MS = 10_000;

    /** Lines the up arrow can recall in one session. */
    static final int HISTORY_SIZE = 500;

    @Parameters(index = "0", description = "Server host.")
    String host;

    @Parameters(index = "1", description = "Server port.")
    int port;

    @Option(names = "--name", description = "Join under this name instead of being asked.")
    String name;

    @Option(names = "--auth-key-file", description = "Answer the server's HMAC gate with this key (the server's --auth-key-file, or --admin-key-file for /admin).")
    Path authKeyFile;

    @Spec
    CommandSpec command;

    /** For tests: a terminal over given streams instead of the system's. */
    Terminal terminal;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = command.commandLine().getErr();
        HmacKey key = null;
        if (authKeyFile != null) {
            try {
                key = HmacKey.read("client", authKeyFile);
            } catch (IOException | IllegalArgumentException e) {
                err.println("polyserve chat: cannot use the key: " + e.getMessage());
                return 2;
            }
        }
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
            socket.setTcpNoDelay(true);
            if (key != null) HmacClient.answer(socket, key);
        } catch (IOException e) {
            err.println("polyserve chat: cannot connect to " + host + ":" + port + ": " + e.getMessage());
            socket.close();
            return 1;
        }
        try (socket; Terminal term = terminal != null ? terminal : TerminalBuilder.builder().system(true).build()) {
            return converse(socket, term);
        }
    }

    private int converse(Socket socket, Terminal term) throws IOException, InterruptedException {
        LineReader reader = LineReaderBuilder.builder().terminal(term).appName("polyserve-chat")
                .variable(LineReader.HISTORY_SIZE, HISTORY_SIZE).build();
        OutputStream out = socket.getOutputStream();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        Object outLock = new Object();
        var serverGone = new java.util.concurrent.atomic.AtomicBoolean();
        var leaving = new java.util.concurrent.atomic.AtomicBoolean();

        Thread incoming = Thread.ofPlatform().daemon().name("chat-incoming").start(() -> {
            try {
                boolean askedName = false;
                for (String line; (line = in.readLine()) != null; ) {
                    reader.printAbove(line);
                    if (name != null && !askedName && line.equals("* Your name?")) {
                        askedName = true;
                        send(out, outLock, name);
                    }
                }
            } catch (IOException e) {
                if (!leaving.get()) reader.printAbove("* connection lost: " + e.getMessage());
            }
            serverGone.set(true);
            if (!leaving.get()) {
                reader.printAbove("* the server closed the connection");
                term.raise(Terminal.Signal.INT);   // wakes readLine below
            }
        });

        while (true) {
            String line;
            try {
                line = reader.readLine("> ");
            } catch (UserInterruptException | EndOfFileException e) {
                if (serverGone.get()) break;
                line = "/quit";
            }
            if (serverGone.get()) break;
            boolean quit = line.strip().equalsIgnoreCase("/quit") || line.strip().equalsIgnoreCase("/exit");
            if (quit) leaving.set(true);   // before sending: the server closes as soon as it reads it
            try {
                send(out, outLock, line);
            } catch (IOException e) {
                break;
            }
            if (quit) {
                socket.shutdownOutput();
                incoming.join(2_000);   // print the room's goodbye
                return 0;
            }
        }
        incoming.join(2_000);
        return 1;
    }

    private static void send(OutputStream out, Object lock, String line) throws IOException {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (lock) {
            out.write(bytes);
            out.flush();
        }
    }
}

package dev.polyserve.cli.chat;

import dev.polyserve.cli.LineEditor;
import dev.polyserve.cli.Main;
import dev.polyserve.core.auth.HmacClient;
import dev.polyserve.core.auth.HmacGate;
import dev.polyserve.core.auth.HmacKey;
import dev.polyserve.core.tls.TlsClient;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
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
        exitCodeList = {"0:left the room", "1:could not connect, the server refused the key (or wants one), or it closed the connection",
                "2:bad options"})
public final class ChatClientCommand implements Callable<Integer> {

    /** Connect timeout: a loopback or LAN server answers in milliseconds; ten seconds covers a slow WAN. */
    static final int CONNECT_TIMEOUT_MS = 10_000;

    /**
     * How long the room's greeting (or the HMAC gate's challenge) may take: both are sent the moment a connection
     * is accepted, so this only has to outlast a slow network.
     */
    static final int GREETING_TIMEOUT_MS = 10_000;

    /**
     * Bytes looked at before the conversation starts: the HMAC gate's challenge is this long, and every first line
     * a polyserve room sends is longer, so one look tells a greeting from a challenge.
     */
    static final int FIRST_BYTES = HmacGate.CHALLENGE_BYTES;

    /** The room's question to a newcomer (ChatSession's ASK_NAME notice on the line protocol). */
    static final String ASK_NAME = "* Your name?";

    @Parameters(index = "0", description = "Server host.")
    String host;

    @Parameters(index = "1", description = "Server port.")
    int port;

    @Option(names = "--name", description = "Join under this name instead of being asked.")
    String name;

    @Option(names = "--auth-key-file", description = "Answer the server's HMAC gate with this key (the server's --auth-key-file, or --admin-key-file for /admin).")
    Path authKeyFile;

    @Option(names = "--tls", description = "Talk TLS (a server run with --tls-cert), checking its certificate against "
            + "the system's CAs and its name against HOST.")
    boolean tls;

    @Option(names = "--ca", paramLabel = "FILE", description = "With TLS: trust the certificates in this PEM file instead "
            + "(a `polyserve cert` certificate, a private CA); implies --tls.")
    Path caFile;

    @Option(names = "--insecure", description = "With TLS: accept any certificate (encrypted, but anyone could be the "
            + "server; for testing); implies --tls.")
    boolean insecure;

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
                throw new ParameterException(command.commandLine(), "--auth-key-file: " + Main.describe(e));
            }
        }
        TlsClient tlsClient = null;
        if (tls || caFile != null || insecure) {
            try {
                tlsClient = TlsClient.of(caFile, insecure);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(command.commandLine(), e.getMessage());
            }
        }
        Socket socket = new Socket();
        BufferedInputStream fromServer;
        try {
            socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(GREETING_TIMEOUT_MS);
            if (tlsClient != null) {
                try {
                    socket = tlsClient.handshake(socket, host);
                } catch (javax.net.ssl.SSLException e) {
                    err.println("polyserve chat: " + host + ":" + port + ": TLS handshake failed: " + e.getMessage()
                            + (String.valueOf(e.getMessage()).contains("nrecognized") ? " (does the server speak TLS?)" : ""));
                    socket.close();
                    return 1;
                }
            }
            fromServer = new BufferedInputStream(socket.getInputStream());
            String refused = handshake(fromServer, socket.getOutputStream(), key);
            if (refused != null) {
                err.println("polyserve chat: " + host + ":" + port + ": " + refused);
                socket.close();
                return 1;
            }
            socket.setSoTimeout(0);
        } catch (SocketTimeoutException e) {
            err.println("polyserve chat: " + host + ":" + port + " sent nothing within " + GREETING_TIMEOUT_MS / 1000
                    + " s: is it a polyserve chat server?");
            socket.close();
            return 1;
        } catch (IOException e) {
            err.println("polyserve chat: cannot connect to " + host + ":" + port + ": " + e.getMessage());
            socket.close();
            return 1;
        }
        try (Socket conn = socket; Terminal term = terminal != null ? terminal : TerminalBuilder.builder().system(true).build()) {
            return converse(conn, fromServer, term);
        }
    }

    /**
     * Gets past the HMAC gate, if there is one, up to the room's greeting (left unread in {@code in}). Returns null
     * when the greeting came, else why the conversation cannot start, in words for the user: never the challenge's
     * raw bytes on the screen.
     */
    static String handshake(BufferedInputStream in, OutputStream out, HmacKey key) throws IOException {
        byte[] first = peek(in);
        if (key == null) {
            if (first.length == 0) return "the server closed the connection before greeting";
            return greeting(first) ? null
                    : "this server needs --auth-key-file (it sent an HMAC challenge, not a chat greeting)";
        }
        if (greeting(first)) return "this server has no HMAC gate: leave out --auth-key-file";
        if (first.length < HmacGate.CHALLENGE_BYTES) return "the server closed the connection during the HMAC challenge";
        in.skipNBytes(first.length);
        out.write(HmacClient.answer(key, first));
        out.flush();
        byte[] after = peek(in);
        if (after.length == 0) return "wrong key: the server's HMAC gate refused --auth-key-file and closed the connection";
        return greeting(after) ? null : "the server's answer is not a polyserve chat greeting";
    }

    /** Up to {@link #FIRST_BYTES} bytes, left in the stream; fewer only when the server closed. */
    private static byte[] peek(BufferedInputStream in) throws IOException {
        in.mark(FIRST_BYTES);
        byte[] b = in.readNBytes(FIRST_BYTES);
        in.reset();
        return b;
    }

    /** A room's first line starts with {@code "* "} and is text: 32 random challenge bytes never pass. */
    private static boolean greeting(byte[] first) {
        if (first.length < 2 || first[0] != '*' || first[1] != ' ') return false;
        for (byte b : first) {
            if ((b >= 0 && b < 0x20 && b != '\r' && b != '\n') || b == 0x7f) return false;
        }
        return true;
    }

    private int converse(Socket socket, InputStream fromServer, Terminal term) throws IOException, InterruptedException {
        LineReader reader = LineEditor.reader(term, "polyserve-chat");   // a tab is part of the message
        OutputStream out = socket.getOutputStream();
        BufferedReader in = new BufferedReader(new InputStreamReader(fromServer, StandardCharsets.UTF_8));
        Object outLock = new Object();
        var serverGone = new java.util.concurrent.atomic.AtomicBoolean();
        var leaving = new java.util.concurrent.atomic.AtomicBoolean();

        // With --name the name goes at once, and the room's first "Your name?" is already answered: not shown.
        // Should the name be taken, the room asks again, and that is shown.
        if (name != null) send(out, outLock, name);
        Thread incoming = Thread.ofPlatform().daemon().name("chat-incoming").start(() -> {
            try {
                boolean answered = name == null;
                for (String line; (line = in.readLine()) != null; ) {
                    if (!answered && line.equals(ASK_NAME)) {
                        answered = true;
                        continue;
                    }
                    reader.printAbove(line);
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

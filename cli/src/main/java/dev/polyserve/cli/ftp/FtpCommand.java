package dev.polyserve.cli.ftp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import dev.polyserve.cli.LineEditor;
import dev.polyserve.cli.ProgressLine;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Supplier;
import dev.polyserve.core.tls.TlsClient;
import org.jline.reader.LineReader;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code polyserve ftp}: the interactive client ({@code ftp HOST [PORT]}) and one-shot commands
 * ({@code ftp get URL}, {@code ftp put FILE URL}, {@code ftp ls URL}). Exit status: 0 done, 1 the server
 * refused, 2 bad usage, 3 no connection, 4 a local file problem.
 */
@Command(name = "ftp", mixinStandardHelpOptions = true,
        description = {"FTP client: interactive with HOST [PORT], or one-shot with get, put, ls.",
                "Works against polyserve (port 2121 by default) and any standard FTP server."},
        subcommands = {FtpCommand.Get.class, FtpCommand.Put.class, FtpCommand.Ls.class},
        exitCodeListHeading = "Exit status:%n",
        exitCodeList = {"0:done", "1:the server refused (its reply is printed)", "2:bad usage",
                "3:cannot connect or the connection broke", "4:a local file problem"})
public final class FtpCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "HOST",
            description = "server to connect to, or an ftp[s]://[user[:pass]@]host[:port][/dir] URL (ftps: implicit FTPS)")
    String host;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PORT", description = "server port (default: ${DEFAULT-VALUE})")
    int port = FtpUrl.DEFAULT_PORT;

    @Option(names = {"-u", "--user"}, description = "user name (asked for when not given; empty = anonymous)")
    String user;

    @Option(names = "--tls", scope = ScopeType.INHERIT,
            description = "FTPS: AUTH TLS before the login (refused when the server does not offer it), then PROT P, "
                    + "so listings and files are encrypted too; data connections resume the control session.")
    boolean tls;

    @Option(names = "--implicit-tls", scope = ScopeType.INHERIT,
            description = "Implicit FTPS: TLS from the first byte, for a port-990-style listener (serve ftp "
                    + "--implicit-tls-port); implies --tls. An ftps:// URL asks for the same (default port 990).")
    boolean implicitTls;

    @Option(names = "--ca", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "With --tls: trust this PEM certificate or CA (e.g. polyserve cert's) instead of the system's.")
    Path ca;

    @Option(names = "--insecure", scope = ScopeType.INHERIT,
            description = "With --tls: accept any certificate for any name (encryption without authentication; for tests).")
    boolean insecure;

    private static final String NO_CLIENT_TICKETS = "jdk.tls.client.enableSessionTicketExtension";

    /**
     * The TLS client --tls, --implicit-tls, --ca and --insecure ask for, or null for plain FTP; {@code implicitByUrl}:
     * an ftps:// URL, which asks for TLS without --tls.
     */
    TlsClient tlsClient(boolean implicitByUrl) {
        if (!tls && !implicitTls && !implicitByUrl) {
            if (ca != null || insecure) throw new ParameterException(spec.commandLine(), "--ca and --insecure need --tls");
            return null;
        }
        // TLS 1.2 session IDs rather than tickets: vsftpd issues tickets with a lifetime the JDK discards (over its
        // 7-day cap), after which it offers a session ID the server never knew, and every data connection got 522.
        // The JDK reads the switch as a client context is made, so it is set first; this process is only the client.
        if (System.getProperty(NO_CLIENT_TICKETS) == null) System.setProperty(NO_CLIENT_TICKETS, "false");
        try {
            return TlsClient.of(ca, insecure);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    @Option(names = "--keep-partial", negatable = true, defaultValue = "true", fallbackValue = "true", scope = ScopeType.INHERIT,
            description = "A cancelled (Ctrl-C) or broken download keeps what arrived as NAME.part, for reget to resume "
                    + "(default: ${DEFAULT-VALUE}); --no-keep-partial removes it. In the shell: set keep-partial on|off.")
    boolean keepPartial = true;

    /** Password prompts before giving up: a typo or two is forgiven, a guessing script is not helped. */
    static final int MAX_LOGIN_ATTEMPTS = 3;

    @Override
    public Integer call() throws IOException {
        if (host == null) {
            throw new ParameterException(spec.commandLine(), "give the server: polyserve ftp HOST [PORT], or ftp get/put/ls URL");
        }
        PrintStream out = System.out;
        if (System.console() == null || !System.console().isTerminal()) {
            // A script on stdin: plain lines; Ctrl-C (from the terminal the output may be on) still only cancels.
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            return interactive(ShellInput.of(in, out), out, ProgressLine::onStderr, FtpCommand::onSigint);
        }
        try (Terminal term = TerminalBuilder.builder().system(true).build()) {
            LineReader reader = LineEditor.reader(term, "polyserve-ftp");
            // Outside readLine the terminal is in its normal mode, so Ctrl-C during a transfer is a SIGINT; JLine's
            // readLine puts its own handler in place while it reads and restores this one after.
            return interactive(ShellInput.of(reader), out, () -> ProgressLine.onStderr(term::getWidth),
                    cancel -> term.handle(Terminal.Signal.INT, sig -> cancel.run()));
        }
    }

    /** Makes SIGINT run {@code cancel} instead of ending the JVM. */
    static void onSigint(Runnable cancel) {
        sun.misc.Signal.handle(SIGINT, sig -> cancel.run());
    }

    /** The shell on a script's lines, without a signal handler: tests. */
    int interactive(BufferedReader in, PrintStream out, ProgressLine progress) throws IOException {
        return interactive(ShellInput.of(in, out), out, () -> progress, cancel -> {});
    }

    /**
     * Connects, then asks who to log in as (the greeting is seen first, as with every FTP client), asking the password
     * again when it was wrong, up to {@link #MAX_LOGIN_ATTEMPTS}; then runs the shell. HOST may be an ftp:// or ftps://
     * URL instead (as lftp takes): its port, user, password and directory are used, ftps:// meaning implicit FTPS.
     * {@code onInterrupt} receives what Ctrl-C should run: cancelling the transfer or listing under way.
     */
    int interactive(ShellInput in, PrintStream out, Supplier<ProgressLine> progress, Consumer<Runnable> onInterrupt)
            throws IOException {
        String host = this.host;
        int port = this.port;
        String name = user;
        String urlPassword = null;
        String dir = "";
        boolean implicit = implicitTls;
        if (host.contains("://")) {
            FtpUrl u = parse(host);
            host = u.host();
            port = u.port();
            implicit |= u.implicitTls();
            dir = u.path();
            String userInfo = URI.create(this.host).getRawUserInfo();
            if (name == null && userInfo != null) {   // else asked for, as with HOST
                name = u.user();
                if (userInfo.contains(":")) urlPassword = u.password();   // else asked for
            }
        }
        TlsClient tls = tlsClient(implicit);
        FtpClientSession s = null;
        try {
            s = FtpClientSession.connect(host, port, out, tls, implicit);
            if (name == null) {
                name = in.line("Name (empty for anonymous): ");
                if (name == null) return 2;
                name = name.strip();
            }
            boolean anonymous = name.isEmpty() || name.equalsIgnoreCase("anonymous") || name.equalsIgnoreCase("ftp");
            if (anonymous) name = "anonymous";
            for (int attempt = 1; ; attempt++) {
                String password = anonymous ? "polyserve@" : attempt == 1 && urlPassword != null ? urlPassword : in.secret("Password: ");
                if (password == null) return 2;
                if (s.login(name, password, out)) break;
                out.println("Login incorrect: " + s.lastReply());
                if (anonymous || attempt == MAX_LOGIN_ATTEMPTS) {
                    out.println("giving up after " + attempt + (attempt == 1 ? " attempt" : " attempts"));
                    return FtpFailure.REFUSED;
                }
                if (!s.connected()) s = FtpClientSession.connect(host, port, out, tls, implicit);   // it hung up: 421
            }
            if (!dir.isEmpty()) s.cd(dir);
            onInterrupt.accept(s::cancel);
            return new FtpShell(s, in, out, progress, keepPartial).run();
        } catch (FtpFailure e) {
            out.println(e.getMessage());
            return e.exitCode();
        } finally {
            if (s != null) s.close();
        }
    }

    /** Runs {@code body} with a session for {@code url}; prints failures and maps them to exit codes. */
    private static int withSession(FtpCommand parent, FtpUrl url, SessionBody body) {
        boolean implicit = parent.implicitTls || url.implicitTls();
        TlsClient tls = parent.tlsClient(implicit);
        try (FtpClientSession s = FtpClientSession.open(url.host(), url.port(), url.user(), url.password(), null, tls, implicit)) {
            sun.misc.SignalHandler before = sun.misc.Signal.handle(SIGINT, sig -> s.cancel());
            try {
                return body.run(s);
            } finally {
                sun.misc.Signal.handle(SIGINT, before);
            }
        } catch (FtpFailure e) {
            System.err.println("polyserve ftp: " + e.getMessage());
            return e.exitCode();
        }
    }

    private static final sun.misc.Signal SIGINT = new sun.misc.Signal("INT");

    /** Exit status of a one-shot transfer cancelled with Ctrl-C: a shell's for a command ended by SIGINT. */
    static final int CANCELLED = 130;

    private interface SessionBody {
        int run(FtpClientSession s) throws FtpFailure;
    }

    private static FtpUrl parse(String url) {
        try {
            return FtpUrl.parse(url);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(new FtpCommand()), e.getMessage());
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Download a file: ftp get ftp://[user[:pass]@]host[:port]/path")
    static final class Get implements Callable<Integer> {
        @ParentCommand FtpCommand parent;
        @Parameters(index = "0", paramLabel = "URL") String url;
        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "where to save (default: the file's name; - for stdout)") String output;
        @Option(names = {"-q", "--quiet"}, description = "no progress bar and no summary line") boolean quiet;
        @Option(names = {"-c", "--continue"}, description = "resume from FILE.part (or FILE) left by an earlier, cut-short download")
        boolean resume;

        @Override
        public Integer call() {
            FtpUrl u = parse(url);
            if (u.pointsAtDirectory()) {
                System.err.println("polyserve ftp: the URL names a directory; use ftp ls");
                return 2;
            }
            return withSession(parent, u, s -> {
                if ("-".equals(output)) {
                    s.get(u.path(), System.out, quiet ? null : ProgressLine.onStderr());
                    return 0;
                }
                Path out = Path.of(output != null ? output : u.fileName());
                TransferOutcome t = s.get(u.path(), out, resume, parent.keepPartial, quiet ? null : ProgressLine.onStderr());
                if (t.cancelled()) {
                    System.err.println("polyserve ftp: cancelled at " + t.have() + " bytes; " + (parent.keepPartial
                            ? "kept " + FtpClientSession.partFile(out) + " (get -c resumes)" : "removed " + FtpClientSession.partFile(out)));
                    return CANCELLED;
                }
                if (!quiet) System.err.println("saved " + out + " (" + t.have() + " bytes): " + t.summary());
                return 0;
            });
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true, description = "Upload a file: ftp put FILE ftp://user:pass@host[:port]/[dir/][name]")
    static final class Put implements Callable<Integer> {
        @ParentCommand FtpCommand parent;
        @Parameters(index = "0", paramLabel = "FILE") Path file;
        @Parameters(index = "1", paramLabel = "URL", description = "ending in / keeps the local name") String url;
        @Option(names = {"-q", "--quiet"}, description = "no progress bar") boolean quiet;

        @Override
        public Integer call() {
            FtpUrl u = parse(url);
            String remote = u.pointsAtDirectory() ? u.path() + file.getFileName() : u.path();
            return withSession(parent, u, s -> {
                TransferOutcome t = s.put(file, remote, false, quiet ? null : ProgressLine.onStderr());
                if (t.cancelled()) {
                    System.err.println("polyserve ftp: cancelled at " + t.have() + " bytes");
                    return CANCELLED;
                }
                if (!quiet) System.err.println("uploaded " + remote + " (" + t.have() + " bytes): " + t.summary());
                return 0;
            });
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List a directory: ftp ls ftp://host[:port]/[dir]")
    static final class Ls implements Callable<Integer> {
        @ParentCommand FtpCommand parent;
        @Parameters(index = "0", paramLabel = "URL") String url;
        @Option(names = {"-l", "--long"}, description = "type, size and name") boolean longFormat;

        @Override
        public Integer call() {
            FtpUrl u = parse(url);
            return withSession(parent, u, s -> {
                FtpClientSession.Listing l = s.list(u.path(), f -> {
                    if (longFormat) System.out.printf("%-4s %12d %s%n", f.isDirectory() ? "dir" : "file", f.getSize(), f.getName());
                    else System.out.println(f.getName() + (f.isDirectory() ? "/" : ""));
                });
                if (!l.cancelled()) return 0;
                System.err.println("polyserve ftp: listing cancelled after " + l.entries() + (l.entries() == 1 ? " entry" : " entries"));
                return CANCELLED;
            });
        }
    }
}

package dev.polyserve.cli.ftp;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import dev.polyserve.cli.ProgressLine;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import dev.polyserve.core.tls.TlsClient;
import org.apache.commons.net.ftp.FTPFile;
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

    @Parameters(index = "0", arity = "0..1", paramLabel = "HOST", description = "server to connect to")
    String host;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PORT", description = "server port (default: ${DEFAULT-VALUE})")
    int port = FtpUrl.DEFAULT_PORT;

    @Option(names = {"-u", "--user"}, description = "user name (asked for when not given; empty = anonymous)")
    String user;

    @Option(names = "--tls", scope = ScopeType.INHERIT,
            description = "FTPS: AUTH TLS before the login (refused when the server does not offer it), then PROT P, "
                    + "so listings and files are encrypted too; data connections resume the control session.")
    boolean tls;

    @Option(names = "--ca", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "With --tls: trust this PEM certificate or CA (e.g. polyserve cert's) instead of the system's.")
    Path ca;

    @Option(names = "--insecure", scope = ScopeType.INHERIT,
            description = "With --tls: accept any certificate for any name (encryption without authentication; for tests).")
    boolean insecure;

    private static final String NO_CLIENT_TICKETS = "jdk.tls.client.enableSessionTicketExtension";

    /** The TLS client --tls, --ca and --insecure ask for, or null for plain FTP. */
    TlsClient tlsClient() {
        if (!tls) {
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

    @Override
    public Integer call() throws IOException {
        if (host == null) {
            throw new ParameterException(spec.commandLine(), "give the server: polyserve ftp HOST [PORT], or ftp get/put/ls URL");
        }
        PrintStream out = System.out;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        return interactive(in, out, ProgressLine.onStderr());
    }

    int interactive(BufferedReader in, PrintStream out, ProgressLine progress) throws IOException {
        String name = user;
        if (name == null) {
            out.print("Name (empty for anonymous): ");
            out.flush();
            name = in.readLine();
            if (name == null) return 2;
            name = name.strip();
        }
        String password;
        if (name.isEmpty() || name.equalsIgnoreCase("anonymous") || name.equalsIgnoreCase("ftp")) {
            name = "anonymous";
            password = "polyserve@";
        } else {
            password = readPassword(in, out);
            if (password == null) return 2;
        }
        try (FtpClientSession s = FtpClientSession.open(host, port, name, password, out, tlsClient())) {
            return new FtpShell(s, in, out, progress).run();
        } catch (FtpFailure e) {
            out.println(e.getMessage());
            return e.exitCode();
        }
    }

    private static String readPassword(BufferedReader in, PrintStream out) throws IOException {
        Console console = System.console();
        if (console != null && System.in.available() == 0 && out == System.out) {
            char[] pw = console.readPassword("Password: ");
            return pw == null ? null : new String(pw);
        }
        out.print("Password: ");
        out.flush();
        return in.readLine();
    }

    /** Runs {@code body} with a session for {@code url}; prints failures and maps them to exit codes. */
    private static int withSession(FtpCommand parent, FtpUrl url, SessionBody body) {
        TlsClient tls = parent.tlsClient();
        try (FtpClientSession s = FtpClientSession.open(url.host(), url.port(), url.user(), url.password(), null, tls)) {
            body.run(s);
            return 0;
        } catch (FtpFailure e) {
            System.err.println("polyserve ftp: " + e.getMessage());
            return e.exitCode();
        }
    }

    private interface SessionBody {
        void run(FtpClientSession s) throws FtpFailure;
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
        @Option(names = {"-q", "--quiet"}, description = "no progress bar") boolean quiet;

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
                    return;
                }
                Path out = Path.of(output != null ? output : u.fileName());
                long n = s.get(u.path(), out, quiet ? null : ProgressLine.onStderr());
                if (!quiet) System.err.println("saved " + out + " (" + n + " bytes)");
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
                long n = s.put(file, remote, quiet ? null : ProgressLine.onStderr());
                if (!quiet) System.err.println("uploaded " + remote + " (" + n + " bytes)");
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
                for (FTPFile f : s.list(u.path())) {
                    if (longFormat) System.out.printf("%-4s %12d %s%n", f.isDirectory() ? "dir" : "file", f.getSize(), f.getName());
                    else System.out.println(f.getName() + (f.isDirectory() ? "/" : ""));
                }
            });
        }
    }
}

package dev.polyserve.cli.ftp;

import java.io.BufferedReader;
import java.io.IOException;
import dev.polyserve.cli.ProgressLine;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.apache.commons.net.ftp.FTPFile;

/**
 * The course's interactive file client, on real FTP: a short menu, a prompt showing where you are, and the
 * commands list, get, put, cd, pwd, help and quit. Every refusal is printed with the server's own reply and
 * the session goes on; only a lost connection ends it.
 */
final class FtpShell {
    static final String MENU = """
            Commands:
              list [DIR]         show files (also: ls, dir)
              get FILE [LOCAL]   download FILE
              put FILE [REMOTE]  upload a local FILE
              cd DIR             change remote directory (cd .. goes up)
              pwd                show remote directory
              help               this menu
              quit               leave (also: exit, bye)""";
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);

    private final FtpClientSession session;
    private final BufferedReader in;
    private final PrintStream out;
    private final ProgressLine progress;

    FtpShell(FtpClientSession session, BufferedReader in, PrintStream out, ProgressLine progress) {
        this.session = session;
        this.in = in;
        this.out = out;
        this.progress = progress;
    }

    /** Runs until quit or end of input; returns the exit status (0, or the connection failure's). */
    int run() throws IOException {
        out.println(MENU);
        while (true) {
            String where;
            try {
                where = session.pwd();
            } catch (FtpFailure e) {
                out.println(e.getMessage());
                return e.exitCode();
            }
            out.print("ftp:" + where + "> ");
            out.flush();
            String line = in.readLine();
            if (line == null) {
                out.println();
                return 0;
            }
            line = line.strip();
            if (line.isEmpty()) continue;
            String[] w = line.split("\\s+", 2);
            String cmd = w[0].toLowerCase(Locale.ROOT);
            String arg = w.length > 1 ? w[1] : "";
            try {
                switch (cmd) {
                    case "list", "ls", "dir" -> list(arg);
                    case "get" -> get(arg);
                    case "put" -> put(arg);
                    case "cd" -> {
                        if (arg.isEmpty()) out.println("usage: cd DIR");
                        else session.cd(arg);
                    }
                    case "pwd" -> out.println(session.pwd());
                    case "help", "?" -> out.println(MENU);
                    case "quit", "exit", "bye" -> {
                        out.println("Goodbye.");
                        return 0;
                    }
                    default -> out.println("unknown command '" + cmd + "'; type help for the menu");
                }
            } catch (FtpFailure e) {
                out.println(e.getMessage());
                if (e.exitCode() == FtpFailure.CONNECTION) return e.exitCode();
            }
        }
    }

    private void list(String dir) throws FtpFailure {
        List<FTPFile> files = session.list(dir);
        if (files.isEmpty()) {
            out.println("(empty)");
            return;
        }
        out.printf("%-4s  %10s  %-16s  %s%n", "type", "size", "modified", "name");
        for (FTPFile f : files) {
            String when = f.getTimestamp() == null ? "" : WHEN.format(f.getTimestamp().toInstant().atZone(ZoneId.systemDefault()));
            out.printf("%-4s  %10s  %-16s  %s%n", f.isDirectory() ? "dir" : "file",
                    f.isDirectory() ? "-" : ProgressBar.size(f.getSize()), when, f.getName());
        }
    }

    private void get(String arg) throws FtpFailure {
        String[] a = arg.split("\\s+", 2);
        if (arg.isEmpty()) {
            out.println("usage: get FILE [LOCAL]");
            return;
        }
        String remote = a[0];
        Path local = Path.of(a.length > 1 ? a[1] : remote.substring(remote.lastIndexOf('/') + 1));
        long n = session.get(remote, local, progress);
        out.println("saved " + local + " (" + n + " bytes)");
    }

    private void put(String arg) throws FtpFailure {
        String[] a = arg.split("\\s+", 2);
        if (arg.isEmpty()) {
            out.println("usage: put FILE [REMOTE]");
            return;
        }
        Path local = Path.of(a[0]);
        String remote = a.length > 1 ? a[1] : local.getFileName().toString();
        long n = session.put(local, remote, progress);
        out.println("uploaded " + remote + " (" + n + " bytes)");
    }
}

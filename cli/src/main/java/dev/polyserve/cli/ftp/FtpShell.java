package dev.polyserve.cli.ftp;

import dev.polyserve.cli.ProgressLine;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The course's interactive file client, on real FTP: a short menu, a prompt showing where you are, and commands to
 * list, move and manage files. Words are split like a shell's ({@link ShellWords}: quotes and backslashes for names
 * with spaces). Every refusal is printed with the server's own reply and the session goes on; only a lost connection
 * ends it. Ctrl-C during a transfer or a listing cancels that ({@link FtpClientSession#cancel}), not the shell.
 */
final class FtpShell {
    static final String MENU = """
            Commands (quote names with spaces: get "my file.txt", or get my\\ file.txt):
              list [DIR]            show files (also: ls, dir); Ctrl-C stops a long one
              get FILE [LOCAL]      download FILE; Ctrl-C cancels, keeping LOCAL.part
              reget FILE [LOCAL]    resume a download from LOCAL.part (or LOCAL)
              put FILE [REMOTE]     upload a local FILE
              reput FILE [REMOTE]   resume an upload from the server's copy
              cd DIR / pwd          change / show the remote directory (cd .. goes up)
              mkdir DIR / rmdir DIR make / remove a remote directory
              rm FILE               delete a remote file (also: delete)
              rename FROM TO        rename or move a remote file (also: mv)
              lcd [DIR] / lpwd      change / show the local directory
              set [keep-partial on|off]   show or change settings
              help                  this menu
              quit                  leave (also: exit, bye, Ctrl-D)""";
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);

    private final FtpClientSession session;
    private final ShellInput in;
    private final PrintStream out;
    private final Supplier<ProgressLine> progress;
    /** Where local names are resolved: {@code lcd} moves it (a JVM cannot change its own working directory). */
    private Path localDir;
    private boolean keepPartial;
    /** The running listing has printed its column heads. */
    private boolean headed;

    /**
     * @param progress a progress line for each transfer, made when it starts (so a resized terminal is measured anew)
     * @param keepPartial whether a cancelled or broken download keeps its {@code .part} file for {@code reget}
     */
    FtpShell(FtpClientSession session, ShellInput in, PrintStream out, Supplier<ProgressLine> progress, boolean keepPartial) {
        this.session = session;
        this.in = in;
        this.out = out;
        this.progress = progress;
        this.keepPartial = keepPartial;
        this.localDir = Path.of("").toAbsolutePath();
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
            String line = in.line("ftp:" + where + "> ");
            if (line == null) {
                out.println();
                return 0;
            }
            List<String> w;
            try {
                w = ShellWords.split(line);
            } catch (IllegalArgumentException e) {
                out.println(e.getMessage());
                continue;
            }
            if (w.isEmpty()) continue;
            String cmd = w.getFirst().toLowerCase(Locale.ROOT);
            List<String> args = w.subList(1, w.size());
            try {
                if (!run(cmd, args)) {
                    out.println("Goodbye.");
                    return 0;
                }
            } catch (FtpFailure e) {
                out.println(e.getMessage());
                if (e.exitCode() == FtpFailure.CONNECTION) return e.exitCode();
            }
        }
    }

    /** Runs one command; false for quit. */
    private boolean run(String cmd, List<String> a) throws FtpFailure {
        switch (cmd) {
            case "list", "ls", "dir" -> {
                if (usage(a, 0, 1, "list [DIR]")) list(a.isEmpty() ? "" : a.getFirst());
            }
            case "get", "reget" -> {
                if (usage(a, 1, 2, cmd + " FILE [LOCAL]")) get(a.get(0), a.size() > 1 ? a.get(1) : null, cmd.equals("reget"));
            }
            case "put", "reput" -> {
                if (usage(a, 1, 2, cmd + " FILE [REMOTE]")) put(a.get(0), a.size() > 1 ? a.get(1) : null, cmd.equals("reput"));
            }
            case "cd" -> {
                if (usage(a, 1, 1, "cd DIR")) session.cd(a.getFirst());
            }
            case "pwd" -> out.println(session.pwd());
            case "mkdir" -> {
                if (usage(a, 1, 1, "mkdir DIR")) session.mkdir(a.getFirst());
            }
            case "rmdir" -> {
                if (usage(a, 1, 1, "rmdir DIR")) session.rmdir(a.getFirst());
            }
            case "rm", "delete" -> {
                if (usage(a, 1, 1, "rm FILE")) session.rm(a.getFirst());
            }
            case "rename", "mv" -> {
                if (usage(a, 2, 2, "rename FROM TO")) session.rename(a.get(0), a.get(1));
            }
            case "lcd" -> {
                if (usage(a, 0, 1, "lcd [DIR]")) lcd(a.isEmpty() ? System.getProperty("user.home") : a.getFirst());
            }
            case "lpwd" -> out.println(localDir);
            case "set" -> set(a);
            case "help", "?" -> out.println(MENU);
            case "quit", "exit", "bye" -> {
                return false;
            }
            default -> out.println("unknown command '" + cmd + "'; type help for the menu");
        }
        return true;
    }

    /** True when {@code a} has min..max words; else prints the usage. */
    private boolean usage(List<String> a, int min, int max, String usage) {
        if (a.size() >= min && a.size() <= max) return true;
        out.println("usage: " + usage);
        return false;
    }

    /** Prints each entry as it arrives (a long listing scrolls by at once); Ctrl-C stops it and the prompt is back. */
    private void list(String dir) throws FtpFailure {
        FtpClientSession.Listing l = session.list(dir, f -> {
            if (!headed) {
                out.printf("%-4s  %10s  %-16s  %s%n", "type", "size", "modified", "name");
                headed = true;
            }
            String when = f.getTimestamp() == null ? "" : WHEN.format(f.getTimestamp().toInstant().atZone(ZoneId.systemDefault()));
            out.printf("%-4s  %10s  %-16s  %s%n", f.isDirectory() ? "dir" : "file",
                    f.isDirectory() ? "-" : ProgressBar.size(f.getSize()), when, f.getName());
        });
        headed = false;
        if (l.cancelled()) out.println("list cancelled after " + l.entries() + (l.entries() == 1 ? " entry" : " entries"));
        else if (l.entries() == 0) out.println("(empty)");
    }

    private void get(String remote, String localName, boolean resume) throws FtpFailure {
        Path local = localDir.resolve(localName != null ? localName : remote.substring(remote.lastIndexOf('/') + 1));
        TransferOutcome t = session.get(remote, local, resume, keepPartial, progress.get());
        if (t.cancelled()) {
            Path part = FtpClientSession.partFile(local);
            out.println("get " + remote + " cancelled at " + ProgressBar.size(t.have()) + (t.total() >= 0 ? " of " + ProgressBar.size(t.total()) : "")
                    + (keepPartial ? ": kept " + shown(part) + "; reget " + ShellWords.quote(remote) + " resumes" : ": removed " + shown(part)));
        } else {
            out.println("saved " + shown(local) + " (" + t.have() + " bytes): " + t.summary());
        }
    }

    /** A local path as the user would type it here: relative to the local directory when inside it. */
    private String shown(Path local) {
        return local.startsWith(localDir) && !local.equals(localDir) ? localDir.relativize(local).toString() : local.toString();
    }

    private void put(String localName, String remoteName, boolean resume) throws FtpFailure {
        Path local = localDir.resolve(localName);
        String remote = remoteName != null ? remoteName : local.getFileName().toString();
        TransferOutcome t = session.put(local, remote, resume, progress.get());
        if (t.cancelled()) {
            out.println("put " + remote + " cancelled at " + ProgressBar.size(t.have()) + " of " + ProgressBar.size(t.total())
                    + "; reput " + ShellWords.quote(localName) + (remoteName != null ? " " + ShellWords.quote(remoteName) : "") + " resumes");
        } else {
            out.println("uploaded " + remote + " (" + t.have() + " bytes): " + t.summary());
        }
    }

    private void lcd(String dir) {
        Path to = localDir.resolve(dir).normalize();
        if (!Files.isDirectory(to)) {
            out.println("lcd: no such local directory: " + to);
            return;
        }
        localDir = to;
        out.println("local directory now " + localDir);
    }

    private void set(List<String> a) {
        if (a.isEmpty()) {
            out.println("keep-partial " + (keepPartial ? "on" : "off")
                    + "   (a cancelled download " + (keepPartial ? "keeps NAME.part for reget" : "removes NAME.part") + ")");
            return;
        }
        if (a.size() == 2 && a.get(0).equals("keep-partial") && (a.get(1).equals("on") || a.get(1).equals("off"))) {
            keepPartial = a.get(1).equals("on");
            out.println("keep-partial " + a.get(1));
            return;
        }
        out.println("usage: set [keep-partial on|off]");
    }
}

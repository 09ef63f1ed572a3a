package dev.polyserve.cli.ftp;

import dev.polyserve.services.ftp.PasswordHash;
import dev.polyserve.services.ftp.UsersFile;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code polyserve ftp-user add NAME --home DIR [--write] --users FILE [--password-stdin]}. */
@Command(name = "ftp-user", mixinStandardHelpOptions = true,
        description = "Manage the FTP users file (salted PBKDF2-HMAC-SHA256 password hashes).",
        subcommands = {FtpUserCommand.Add.class, FtpUserCommand.ListUsers.class})
public final class FtpUserCommand {

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a user, or replace one of the same name.")
    static final class Add implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME", description = "letters, digits, '.', '_' and '-' (1-32)") String name;
        @Option(names = "--home", required = true, paramLabel = "DIR", description = "the user's root; relative to the server's --root unless absolute") Path home;
        @Option(names = "--write", description = "may upload, delete, rename and make directories (default: read-only)") boolean write;
        @Option(names = "--users", required = true, paramLabel = "FILE", description = "the users file to update (created if missing)") Path users;
        @Option(names = "--password-stdin", description = "read the password from the first line of standard input") boolean passwordStdin;
        @Option(names = "--iterations", paramLabel = "N", description = "PBKDF2 work factor (default: ${DEFAULT-VALUE})") int iterations = PasswordHash.DEFAULT_ITERATIONS;

        @Override
        public Integer call() throws IOException {
            char[] pw = passwordStdin ? fromStdin() : prompt();
            if (pw == null) return 2;
            if (pw.length == 0) {
                System.err.println("polyserve ftp-user: empty password refused");
                return 2;
            }
            try {
                UsersFile file = UsersFile.load(users);
                file.put(new UsersFile.Entry(name, write, PasswordHash.create(pw, iterations), home.toString()));
                file.save(users);
                System.err.println((write ? "read-write" : "read-only") + " user " + name + " saved to " + users);
                return 0;
            } catch (IllegalArgumentException e) {
                System.err.println("polyserve ftp-user: " + e.getMessage());
                return 2;
            } finally {
                Arrays.fill(pw, '\0');
            }
        }

        private static char[] fromStdin() throws IOException {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (line == null) {
                System.err.println("polyserve ftp-user: no password on standard input");
                return null;
            }
            return line.toCharArray();
        }

        private static char[] prompt() {
            Console c = System.console();
            if (c == null) {
                System.err.println("polyserve ftp-user: no terminal to ask for the password; use --password-stdin");
                return null;
            }
            char[] a = c.readPassword("Password: ");
            char[] b = c.readPassword("Again: ");
            if (a == null || b == null || !Arrays.equals(a, b)) {
                System.err.println("polyserve ftp-user: the passwords differ");
                return null;
            }
            Arrays.fill(b, '\0');
            return a;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Show the users in a users file (no hashes).")
    static final class ListUsers implements Callable<Integer> {
        @Option(names = "--users", required = true, paramLabel = "FILE") Path users;

        @Override
        public Integer call() throws IOException {
            for (UsersFile.Entry e : UsersFile.load(users).entries()) {
                System.out.printf("%-16s %-10s %s%n", e.name(), e.canWrite() ? "read-write" : "read-only", e.home());
            }
            return 0;
        }
    }
}

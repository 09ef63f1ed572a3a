package dev.polyserve.cli.ftp;

import dev.polyserve.services.ftp.PasswordHash;
import dev.polyserve.services.ftp.UsersFile;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code polyserve ftp-user add|passwd|remove|list ... --users FILE}: the users file a server re-reads when it changes,
 * so none of these needs a restart.
 */
@Command(name = "ftp-user", mixinStandardHelpOptions = true,
        description = {"Manage the FTP users file (salted PBKDF2-HMAC-SHA256 password hashes).",
                "A running server re-reads the file when it changes."},
        subcommands = {FtpUserCommand.Add.class, FtpUserCommand.Passwd.class, FtpUserCommand.Remove.class,
                FtpUserCommand.ListUsers.class})
public final class FtpUserCommand {
    private static final String PREFIX = "polyserve ftp-user: ";

    /** Password options shared by add and passwd. */
    static final class PasswordSource {
        @Option(names = "--password-stdin", description = "read the password from the first line of standard input")
        boolean passwordStdin;

        @Option(names = "--iterations", paramLabel = "N", description = "PBKDF2 work factor (default: ${DEFAULT-VALUE})")
        int iterations = PasswordHash.DEFAULT_ITERATIONS;

        /** The new password's hash, or empty after telling the user why not. */
        Optional<String> hash() throws IOException {
            char[] pw = passwordStdin ? fromStdin() : prompt();
            if (pw == null) return Optional.empty();
            try {
                if (pw.length == 0) {
                    System.err.println(PREFIX + "empty password refused");
                    return Optional.empty();
                }
                return Optional.of(PasswordHash.create(pw, iterations));
            } catch (IllegalArgumentException e) {
                System.err.println(PREFIX + e.getMessage());
                return Optional.empty();
            } finally {
                Arrays.fill(pw, '\0');
            }
        }

        private static char[] fromStdin() throws IOException {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (line == null) {
                System.err.println(PREFIX + "no password on standard input");
                return null;
            }
            return line.toCharArray();
        }

        private static char[] prompt() {
            Console c = System.console();
            if (c == null) {
                System.err.println(PREFIX + "no terminal to ask for the password; use --password-stdin");
                return null;
            }
            char[] a = c.readPassword("Password: ");
            char[] b = c.readPassword("Again: ");
            if (a == null || b == null || !Arrays.equals(a, b)) {
                System.err.println(PREFIX + "the passwords differ");
                return null;
            }
            Arrays.fill(b, '\0');
            return a;
        }
    }

    /** The users file, which must exist (for all but add, which creates it). */
    private static UsersFile existing(Path users) throws IOException {
        if (!Files.isRegularFile(users)) return null;
        return UsersFile.load(users);
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a user, or replace one of the same name.")
    static final class Add implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME", description = "letters, digits, '.', '_' and '-' (1-32)") String name;
        @Option(names = "--home", required = true, paramLabel = "DIR", description = "the user's root; relative to the server's --root unless absolute") Path home;
        @Option(names = "--write", description = "may upload, delete, rename and make directories (default: read-only)") boolean write;
        @Option(names = "--users", required = true, paramLabel = "FILE", description = "the users file to update (created if missing)") Path users;
        @Option(names = "--allow-root-home", description = "allow --home / (the whole file system)") boolean allowRootHome;
        @picocli.CommandLine.Mixin PasswordSource password;

        @Override
        public Integer call() throws IOException {
            if (home.isAbsolute() && home.normalize().getParent() == null && !allowRootHome) {
                // A typo for "." that would hand the whole machine to an FTP login: make it a deliberate choice
                System.err.println(PREFIX + "--home / gives the user the whole file system; add --allow-root-home if you mean it");
                return 2;
            }
            Optional<String> hash = password.hash();
            if (hash.isEmpty()) return 2;
            try {
                UsersFile file = UsersFile.load(users);
                file.put(new UsersFile.Entry(name, write, hash.get(), home.toString()));
                file.save(users);
                System.err.println((write ? "read-write" : "read-only") + " user " + name + " saved to " + users);
                return 0;
            } catch (IllegalArgumentException e) {
                System.err.println(PREFIX + e.getMessage());
                return 2;
            }
        }
    }

    @Command(name = "passwd", mixinStandardHelpOptions = true, description = "Change a user's password (home and access stay).")
    static final class Passwd implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Option(names = "--users", required = true, paramLabel = "FILE") Path users;
        @picocli.CommandLine.Mixin PasswordSource password;

        @Override
        public Integer call() throws IOException {
            UsersFile file = existing(users);
            if (file == null) {
                System.err.println(PREFIX + "no users file " + users);
                return 1;
            }
            Optional<UsersFile.Entry> e = file.get(name);
            if (e.isEmpty()) {
                System.err.println(PREFIX + "no user " + name + " in " + users);
                return 1;
            }
            Optional<String> hash = password.hash();
            if (hash.isEmpty()) return 2;
            file.put(new UsersFile.Entry(name, e.get().canWrite(), hash.get(), e.get().home()));
            file.save(users);
            System.err.println("password of " + name + " changed in " + users);
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a user (a running server lets them in no more).")
    static final class Remove implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Option(names = "--users", required = true, paramLabel = "FILE") Path users;

        @Override
        public Integer call() throws IOException {
            UsersFile file = existing(users);
            if (file == null) {
                System.err.println(PREFIX + "no users file " + users);
                return 1;
            }
            if (!file.remove(name)) {
                System.err.println(PREFIX + "no user " + name + " in " + users);
                return 1;
            }
            file.save(users);
            System.err.println("user " + name + " removed from " + users);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Show the users in a users file (no hashes).")
    static final class ListUsers implements Callable<Integer> {
        @Option(names = "--users", required = true, paramLabel = "FILE") Path users;

        @Override
        public Integer call() throws IOException {
            UsersFile file = existing(users);
            if (file == null) {
                System.err.println(PREFIX + "no users file " + users + "; create it with polyserve ftp-user add");
                return 1;
            }
            for (UsersFile.Entry e : file.entries()) {
                System.out.printf("%-16s %-10s %s%n", e.name(), e.canWrite() ? "read-write" : "read-only", e.home());
            }
            return 0;
        }
    }
}

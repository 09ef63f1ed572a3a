package dev.polyserve.services.ftp;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Checks a user name and password. May be slow (a PBKDF2 hash takes a good fraction of a second by design),
 * so the server calls it off the connection's loop.
 */
@FunctionalInterface
public interface Authenticator {

    /**
     * The account for these credentials, or empty when they are wrong. Thread-safe.
     *
     * @throws Overloaded when the credentials cannot be checked now (the client gets 421, not 530)
     */
    Optional<Account> authenticate(String user, char[] password);

    /** Too many logins are waiting to be checked: this one is refused unchecked, without counting as a failure. */
    final class Overloaded extends RuntimeException {
        public Overloaded() {
            super("too many logins waiting to be checked", null, false, false);
        }
    }

    /** True when USER names the anonymous account (RFC 1635: "anonymous", by custom also "ftp"). */
    static boolean isAnonymousName(String user) {
        return user.equalsIgnoreCase("anonymous") || user.equalsIgnoreCase("ftp");
    }

    /** Anonymous read-only access to {@code root} with any password (RFC 1635 asks for an e-mail; none is checked). */
    static Authenticator anonymous(Path root) {
        return (user, password) -> isAnonymousName(user)
                ? Optional.of(new Account("anonymous", root, false))
                : Optional.empty();
    }

    /** Users from a users file; relative homes are taken against {@code root}. */
    static Authenticator users(UsersFile users, Path root) {
        return (user, password) -> users.get(user)
                .filter(e -> PasswordHash.verify(password, e.hash()))
                .map(e -> new Account(e.name(), root.resolve(e.home()), e.canWrite()));
    }

    /** This authenticator, or if it refuses, {@code other}. */
    default Authenticator orElse(Authenticator other) {
        return (user, password) -> {
            Optional<Account> a = authenticate(user, password);
            return a.isPresent() ? a : other.authenticate(user, password);
        };
    }
}

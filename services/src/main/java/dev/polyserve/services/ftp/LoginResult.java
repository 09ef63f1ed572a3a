package dev.polyserve.services.ftp;

/** The answer to {@link SessionIo#authenticate}. */
sealed interface LoginResult {
    record Granted(Account account) implements LoginResult {}
    record Denied() implements LoginResult {}
    /** Too many failures from this address: the guard refused without checking the password. */
    record LockedOut() implements LoginResult {}
    /** Too many logins were waiting to be checked: refused unchecked, not a failure of this user's. */
    record Busy() implements LoginResult {}
}

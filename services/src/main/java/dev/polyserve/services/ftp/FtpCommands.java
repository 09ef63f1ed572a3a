package dev.polyserve.services.ftp;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * The command table, as in pyftpdlib's {@code proto_cmds}: for each verb, whether it takes an argument,
 * whether the user must be logged in, which permission it needs, its HELP line and the session method that
 * runs it. {@link FtpSession#dispatch} checks the first three before the method runs, so a method never
 * re-checks them.
 */
final class FtpCommands {

    enum Arg { NONE, OPTIONAL, REQUIRED }

    /**
     * What a command needs beyond the login rule: nothing, or an account that may change files. Every account
     * may read inside its home, so reading is not a permission of its own.
     */
    enum Perm { NONE, WRITE }

    record Spec(Arg arg, boolean login, Perm perm, String help, BiConsumer<FtpSession, String> run) {}

    static final Map<String, Spec> TABLE;

    static {
        Map<String, Spec> t = new TreeMap<>();
        t.put("USER", new Spec(Arg.REQUIRED, false, Perm.NONE, "USER <name>: who you are", FtpSession::user));
        t.put("PASS", new Spec(Arg.OPTIONAL, false, Perm.NONE, "PASS <password>: log in", FtpSession::pass));
        t.put("ACCT", new Spec(Arg.REQUIRED, false, Perm.NONE, "ACCT <account>: not needed here", FtpSession::acct));
        t.put("REIN", new Spec(Arg.NONE, false, Perm.NONE, "REIN: log out, keep the connection", FtpSession::rein));
        t.put("QUIT", new Spec(Arg.NONE, false, Perm.NONE, "QUIT: end the session", FtpSession::quit));
        t.put("NOOP", new Spec(Arg.NONE, false, Perm.NONE, "NOOP: do nothing", FtpSession::noop));
        t.put("SYST", new Spec(Arg.NONE, false, Perm.NONE, "SYST: system type", FtpSession::syst));
        t.put("FEAT", new Spec(Arg.NONE, false, Perm.NONE, "FEAT: list extensions", FtpSession::feat));
        t.put("OPTS", new Spec(Arg.REQUIRED, false, Perm.NONE, "OPTS <option>: UTF8 ON, MLST facts", FtpSession::opts));
        t.put("HELP", new Spec(Arg.OPTIONAL, false, Perm.NONE, "HELP [command]: this help", FtpSession::help));
        t.put("STAT", new Spec(Arg.OPTIONAL, false, Perm.NONE, "STAT [path]: status, or a listing on the control connection", FtpSession::stat));
        t.put("TYPE", new Spec(Arg.REQUIRED, true, Perm.NONE, "TYPE A|I: ASCII or binary (image)", FtpSession::type));
        t.put("MODE", new Spec(Arg.REQUIRED, true, Perm.NONE, "MODE S: stream mode only", FtpSession::mode));
        t.put("STRU", new Spec(Arg.REQUIRED, true, Perm.NONE, "STRU F: file structure only", FtpSession::stru));
        t.put("ALLO", new Spec(Arg.REQUIRED, true, Perm.NONE, "ALLO <bytes>: not needed here", FtpSession::allo));
        t.put("PWD", new Spec(Arg.NONE, true, Perm.NONE, "PWD: current directory", FtpSession::pwd));
        t.put("XPWD", new Spec(Arg.NONE, true, Perm.NONE, "XPWD: same as PWD (RFC 775)", FtpSession::pwd));
        t.put("CWD", new Spec(Arg.REQUIRED, true, Perm.NONE, "CWD <dir>: change directory", FtpSession::cwd));
        t.put("XCWD", new Spec(Arg.REQUIRED, true, Perm.NONE, "XCWD <dir>: same as CWD (RFC 775)", FtpSession::cwd));
        t.put("CDUP", new Spec(Arg.NONE, true, Perm.NONE, "CDUP: go to the parent directory", FtpSession::cdup));
        t.put("XCUP", new Spec(Arg.NONE, true, Perm.NONE, "XCUP: same as CDUP (RFC 775)", FtpSession::cdup));
        t.put("MKD", new Spec(Arg.REQUIRED, true, Perm.WRITE, "MKD <dir>: make a directory", FtpSession::mkd));
        t.put("XMKD", new Spec(Arg.REQUIRED, true, Perm.WRITE, "XMKD <dir>: same as MKD (RFC 775)", FtpSession::mkd));
        t.put("RMD", new Spec(Arg.REQUIRED, true, Perm.WRITE, "RMD <dir>: remove an empty directory", FtpSession::rmd));
        t.put("XRMD", new Spec(Arg.REQUIRED, true, Perm.WRITE, "XRMD <dir>: same as RMD (RFC 775)", FtpSession::rmd));
        t.put("DELE", new Spec(Arg.REQUIRED, true, Perm.WRITE, "DELE <file>: delete a file", FtpSession::dele));
        t.put("RNFR", new Spec(Arg.REQUIRED, true, Perm.WRITE, "RNFR <path>: rename from", FtpSession::rnfr));
        t.put("RNTO", new Spec(Arg.REQUIRED, true, Perm.WRITE, "RNTO <path>: rename to", FtpSession::rnto));
        t.put("PORT", new Spec(Arg.REQUIRED, true, Perm.NONE, "PORT h1,h2,h3,h4,p1,p2: active mode", FtpSession::port));
        t.put("EPRT", new Spec(Arg.REQUIRED, true, Perm.NONE, "EPRT |proto|addr|port|: active mode (RFC 2428)", FtpSession::eprt));
        t.put("PASV", new Spec(Arg.NONE, true, Perm.NONE, "PASV: passive mode", FtpSession::pasv));
        t.put("EPSV", new Spec(Arg.OPTIONAL, true, Perm.NONE, "EPSV [proto|ALL]: passive mode (RFC 2428)", FtpSession::epsv));
        t.put("REST", new Spec(Arg.REQUIRED, true, Perm.NONE, "REST <offset>: resume the next RETR or STOR there", FtpSession::rest));
        t.put("RETR", new Spec(Arg.REQUIRED, true, Perm.NONE, "RETR <file>: download", FtpSession::retr));
        t.put("STOR", new Spec(Arg.REQUIRED, true, Perm.WRITE, "STOR <file>: upload", FtpSession::stor));
        t.put("APPE", new Spec(Arg.REQUIRED, true, Perm.WRITE, "APPE <file>: upload, appending", FtpSession::appe));
        t.put("STOU", new Spec(Arg.OPTIONAL, true, Perm.WRITE, "STOU: upload under a new unique name", FtpSession::stou));
        t.put("LIST", new Spec(Arg.OPTIONAL, true, Perm.NONE, "LIST [path]: long listing", FtpSession::list));
        t.put("NLST", new Spec(Arg.OPTIONAL, true, Perm.NONE, "NLST [path]: names only", FtpSession::nlst));
        t.put("MLSD", new Spec(Arg.OPTIONAL, true, Perm.NONE, "MLSD [dir]: machine listing (RFC 3659)", FtpSession::mlsd));
        t.put("MLST", new Spec(Arg.OPTIONAL, true, Perm.NONE, "MLST [path]: facts about one path (RFC 3659)", FtpSession::mlst));
        t.put("SIZE", new Spec(Arg.REQUIRED, true, Perm.NONE, "SIZE <file>: size in bytes (RFC 3659)", FtpSession::size));
        t.put("MFMT", new Spec(Arg.REQUIRED, true, Perm.WRITE, "MFMT <YYYYMMDDHHMMSS> <path>: set the modification time", FtpSession::mfmt));
        t.put("SITE", new Spec(Arg.REQUIRED, true, Perm.NONE, "SITE CHMOD <mode> <path>: set permissions; SITE HELP", FtpSession::site));
        t.put("MDTM", new Spec(Arg.REQUIRED, true, Perm.NONE, "MDTM <file>: modification time (RFC 3659)", FtpSession::mdtm));
        t.put("AUTH", new Spec(Arg.REQUIRED, false, Perm.NONE, "AUTH TLS: encrypt the control connection (RFC 4217)", FtpSession::auth));
        t.put("PBSZ", new Spec(Arg.REQUIRED, false, Perm.NONE, "PBSZ 0: protection buffer size, after AUTH TLS (RFC 4217)", FtpSession::pbsz));
        t.put("PROT", new Spec(Arg.REQUIRED, false, Perm.NONE, "PROT P|C: encrypted (private) or clear data connections", FtpSession::prot));
        t.put("CCC", new Spec(Arg.NONE, false, Perm.NONE, "CCC: clear the control connection (refused)", FtpSession::ccc));
        t.put("ABOR", new Spec(Arg.NONE, true, Perm.NONE, "ABOR: abort the running transfer", FtpSession::abor));
        TABLE = java.util.Collections.unmodifiableMap(t);
    }

    /**
     * Commands of the FTP RFCs this server knows and does not implement: they get 502 ("not implemented"), where
     * a word that is no FTP command gets 500. SMNT (RFC 959: mounting another file system); ADAT, MIC, CONF, ENC
     * (RFC 2228 security mechanisms other than TLS); LANG (RFC 2640: replies are in English); HOST (RFC 7151:
     * virtual hosts); the mail commands of RFC 765 that RFC 959 dropped.
     */
    static final Set<String> NOT_IMPLEMENTED = Set.of("SMNT", "ADAT", "MIC", "CONF", "ENC", "LANG", "HOST",
            "MAIL", "MLFL", "MSND", "MSOM", "MSAM", "MRSQ", "MRCP");

    private FtpCommands() {}
}

package dev.polyserve.linux;

/**
 * Linux errno numbers (the asm-generic table, shared by x86-64 and arm64) and their symbolic names, so an
 * exception says {@code EADDRINUSE} rather than {@code 98}.
 */
final class Errno {
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EFAULT = 14;
    static final int EBUSY = 16;
    static final int EEXIST = 17;
    static final int EINVAL = 22;
    static final int ETIME = 62;
    static final int ENFILE = 23;
    static final int EMFILE = 24;
    static final int ENOSPC = 28;
    static final int EPIPE = 32;
    static final int ENOSYS = 38;
    static final int ENOTSOCK = 88;
    static final int EOPNOTSUPP = 95;
    static final int EADDRINUSE = 98;
    static final int ECONNABORTED = 103;
    static final int ECONNRESET = 104;
    static final int ENOBUFS = 105;
    static final int ENOTCONN = 107;
    static final int ETIMEDOUT = 110;
    static final int ECONNREFUSED = 111;
    static final int EALREADY = 114;
    static final int EINPROGRESS = 115;
    static final int ECANCELED = 125;

    private static final String[] NAMES = new String[134];

    static {
        String table = """
                1 EPERM 2 ENOENT 3 ESRCH 4 EINTR 5 EIO 6 ENXIO 7 E2BIG 8 ENOEXEC 9 EBADF 10 ECHILD 11 EAGAIN
                12 ENOMEM 13 EACCES 14 EFAULT 15 ENOTBLK 16 EBUSY 17 EEXIST 18 EXDEV 19 ENODEV 20 ENOTDIR
                21 EISDIR 22 EINVAL 23 ENFILE 24 EMFILE 25 ENOTTY 26 ETXTBSY 27 EFBIG 28 ENOSPC 29 ESPIPE
                30 EROFS 31 EMLINK 32 EPIPE 33 EDOM 34 ERANGE 35 EDEADLK 36 ENAMETOOLONG 37 ENOLCK 38 ENOSYS
                39 ENOTEMPTY 40 ELOOP 42 ENOMSG 43 EIDRM 61 ENODATA 62 ETIME 71 EPROTO 74 EBADMSG 75 EOVERFLOW
                84 EILSEQ 88 ENOTSOCK 89 EDESTADDRREQ 90 EMSGSIZE 91 EPROTOTYPE 92 ENOPROTOOPT
                93 EPROTONOSUPPORT 94 ESOCKTNOSUPPORT 95 EOPNOTSUPP 96 EPFNOSUPPORT 97 EAFNOSUPPORT
                98 EADDRINUSE 99 EADDRNOTAVAIL 100 ENETDOWN 101 ENETUNREACH 102 ENETRESET 103 ECONNABORTED
                104 ECONNRESET 105 ENOBUFS 106 EISCONN 107 ENOTCONN 108 ESHUTDOWN 109 ETOOMANYREFS
                110 ETIMEDOUT 111 ECONNREFUSED 112 EHOSTDOWN 113 EHOSTUNREACH 114 EALREADY 115 EINPROGRESS
                116 ESTALE 122 EDQUOT 125 ECANCELED 130 EOWNERDEAD 131 ENOTRECOVERABLE 132 ERFKILL 133 EHWPOISON
                """;
        String[] words = table.trim().split("\\s+");
        for (int i = 0; i < words.length; i += 2) {
            NAMES[Integer.parseInt(words[i])] = words[i + 1];
        }
    }

    private Errno() {}

    /** The symbolic name of {@code errno}, or {@code "errno N"} for a number outside the table. */
    static String name(int errno) {
        if (errno > 0 && errno < NAMES.length && NAMES[errno] != null) return NAMES[errno];
        return "errno " + errno;
    }
}

package dev.polyserve.services.ftp;

import java.net.Inet4Address;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The FTP service's own settings (the engine's limits, such as the idle timeout, live in the server config).
 *
 * @param authenticator       who may log in
 * @param passivePorts        ports PASV/EPSV hand out; each gets a data listener on the control connection's model
 * @param maxConnectionsPerIp control connections one address may hold
 * @param loginFailureDelay   how long a wrong password waits before its 530
 * @param maxLoginFailures    failures per address (within {@link LoginGuard#WINDOW}) before a lock-out
 * @param lockout             how long a lock-out lasts
 * @param dataConnectTimeout  how long a transfer waits for its data connection before 425
 * @param dataTimeout         how long a data connection may move nothing before its transfer is aborted (426)
 * @param clock               time for listings, STOU names and the lock-out
 * @param banner              the text of the 220 greeting
 * @param passiveAddress      the IPv4 address PASV replies name (behind NAT: the public one), or null for the
 *                            control connection's own local address
 * @param rates               bandwidth limits for file transfers, per session and per server
 */
public record FtpConfig(
        Authenticator authenticator,
        PortRange passivePorts,
        int maxConnectionsPerIp,
        Duration loginFailureDelay,
        int maxLoginFailures,
        Duration lockout,
        Duration dataConnectTimeout,
        Duration dataTimeout,
        Clock clock,
        String banner,
        Inet4Address passiveAddress,
        TransferRates rates) {

    /** Default passive range: 101 ports, like the common vsftpd/proftpd examples' 30000-30100 style ranges. */
    public static final PortRange DEFAULT_PASSIVE_PORTS = new PortRange(30000, 30100);
    /** Control connections per address: vsftpd's max_per_ip is often set to 10; 50 lets a NAT'ed office in. */
    public static final int DEFAULT_MAX_PER_IP = 50;
    /** vsftpd's delay_failed_login default: one second per wrong password. */
    public static final Duration DEFAULT_LOGIN_FAILURE_DELAY = Duration.ofSeconds(1);
    /** vsftpd's accept_timeout and connect_timeout default: 60 seconds for the data connection to appear. */
    public static final Duration DEFAULT_DATA_CONNECT_TIMEOUT = Duration.ofSeconds(60);
    /** vsftpd's data_connection_timeout default: a transfer that moves nothing for 300 seconds is aborted. */
    public static final Duration DEFAULT_DATA_TIMEOUT = Duration.ofMinutes(5);
    public static final String DEFAULT_BANNER = "polyserve FTP server ready";
    /** Longest --banner: the greeting is one reply line, and a command line may be 8 KiB; 512 is plenty for a notice. */
    public static final int MAX_BANNER_CHARS = 512;

    public FtpConfig {
        Objects.requireNonNull(authenticator, "authenticator");
        Objects.requireNonNull(passivePorts, "passivePorts");
        Objects.requireNonNull(loginFailureDelay, "loginFailureDelay");
        Objects.requireNonNull(lockout, "lockout");
        Objects.requireNonNull(dataConnectTimeout, "dataConnectTimeout");
        Objects.requireNonNull(dataTimeout, "dataTimeout");
        if (dataTimeout.isZero() || dataTimeout.isNegative()) throw new IllegalArgumentException("data timeout must be positive");
        Objects.requireNonNull(clock, "clock");
        if (maxConnectionsPerIp < 1) throw new IllegalArgumentException("max connections per IP must be at least 1");
        if (maxLoginFailures < 1) throw new IllegalArgumentException("max login failures must be at least 1");
        Objects.requireNonNull(banner, "banner");
        if (banner.isBlank() || banner.length() > MAX_BANNER_CHARS || banner.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
            throw new IllegalArgumentException("the banner must be 1 to " + MAX_BANNER_CHARS + " printable characters on one line");
        }
        Objects.requireNonNull(rates, "rates");
    }

    /** Defaults for everything but who may log in. */
    public static FtpConfig defaults(Authenticator authenticator) {
        return new FtpConfig(authenticator, DEFAULT_PASSIVE_PORTS, DEFAULT_MAX_PER_IP, DEFAULT_LOGIN_FAILURE_DELAY,
                LoginGuard.MAX_FAILURES, LoginGuard.DEFAULT_LOCKOUT, DEFAULT_DATA_CONNECT_TIMEOUT, DEFAULT_DATA_TIMEOUT,
                Clock.systemUTC(), DEFAULT_BANNER, null, TransferRates.NONE);
    }

    public FtpConfig withPassivePorts(PortRange r) {
        return with(c -> c.passivePorts = r);
    }

    public FtpConfig withMaxConnectionsPerIp(int n) {
        return with(c -> c.maxConnectionsPerIp = n);
    }

    public FtpConfig withLoginFailures(Duration delay, int max, Duration lockoutFor) {
        return with(c -> {
            c.loginFailureDelay = delay;
            c.maxLoginFailures = max;
            c.lockout = lockoutFor;
        });
    }

    public FtpConfig withDataTimeout(Duration d) {
        return with(c -> c.dataTimeout = d);
    }

    public FtpConfig withDataConnectTimeout(Duration d) {
        return with(c -> c.dataConnectTimeout = d);
    }

    /** The 220 greeting's text (--banner). */
    public FtpConfig withBanner(String text) {
        return with(c -> c.banner = text);
    }

    /** The address PASV replies name instead of the local one (--masquerade-address, vsftpd's pasv_address); null: none. */
    public FtpConfig withPassiveAddress(Inet4Address a) {
        return with(c -> c.passiveAddress = a);
    }

    /** Bandwidth limits (--max-download-rate and friends); {@link TransferRates#NONE}: none. */
    public FtpConfig withRates(TransferRates r) {
        return with(c -> c.rates = r);
    }

    /** A copy with some settings changed: each wither names only what it changes. */
    private FtpConfig with(Consumer<Copy> change) {
        Copy c = new Copy(this);
        change.accept(c);
        return c.build();
    }

    private static final class Copy {
        Authenticator authenticator;
        PortRange passivePorts;
        int maxConnectionsPerIp;
        Duration loginFailureDelay;
        int maxLoginFailures;
        Duration lockout;
        Duration dataConnectTimeout;
        Duration dataTimeout;
        Clock clock;
        String banner;
        Inet4Address passiveAddress;
        TransferRates rates;

        Copy(FtpConfig f) {
            authenticator = f.authenticator;
            passivePorts = f.passivePorts;
            maxConnectionsPerIp = f.maxConnectionsPerIp;
            loginFailureDelay = f.loginFailureDelay;
            maxLoginFailures = f.maxLoginFailures;
            lockout = f.lockout;
            dataConnectTimeout = f.dataConnectTimeout;
            dataTimeout = f.dataTimeout;
            clock = f.clock;
            banner = f.banner;
            passiveAddress = f.passiveAddress;
            rates = f.rates;
        }

        FtpConfig build() {
            return new FtpConfig(authenticator, passivePorts, maxConnectionsPerIp, loginFailureDelay, maxLoginFailures,
                    lockout, dataConnectTimeout, dataTimeout, clock, banner, passiveAddress, rates);
        }
    }
}

package dev.polyserve.cli;

import dev.polyserve.core.tls.SelfSignedCertificate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code polyserve cert}: a self-signed development certificate and key for the TLS options. */
@Command(name = "cert", mixinStandardHelpOptions = true,
        description = {"Write a self-signed development certificate (cert.pem) and its EC P-256 key (key.pem, owner-only) "
                + "into --out, for --tls-cert and --tls-key. Clients trust it explicitly: curl --cacert DIR/cert.pem.",
                "Try: polyserve cert --out /tmp/c && polyserve serve http --tls-cert /tmp/c/cert.pem --tls-key /tmp/c/key.pem"})
final class CertCommand implements Callable<Integer> {

    @Option(names = "--host", paramLabel = "NAME", defaultValue = "localhost",
            description = "A host name or IP address the certificate names; repeat for more (default: ${DEFAULT-VALUE}; "
                    + "127.0.0.1 and ::1 are always named).")
    List<String> hosts;

    @Option(names = "--out", paramLabel = "DIR", required = true,
            description = "Directory to write cert.pem and key.pem into (created; existing files are not overwritten).")
    Path out;

    @Option(names = "--days", paramLabel = "N", defaultValue = "397",
            description = "Days of validity (default: ${DEFAULT-VALUE}, the most browsers accept).")
    int days;

    @Override
    public Integer call() throws Exception {
        if (days < 1) throw new IllegalArgumentException("--days must be at least 1");
        SelfSignedCertificate cert = SelfSignedCertificate.generate(hosts, Duration.ofDays(days));
        cert.writeTo(out);
        System.out.println(out.resolve("cert.pem"));
        System.out.println(out.resolve("key.pem"));
        System.err.println("self-signed for " + String.join(", ", hosts) + " (and 127.0.0.1, ::1), valid until "
                + cert.certificate().getNotAfter().toInstant());
        return 0;
    }
}

package dev.polyserve.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/**
 * {@code polyserve --version}: the version the build filtered from the POM into {@code polyserve-version.properties},
 * and the JDK this runs on (the engines' behaviour depends on both).
 */
public final class Version implements CommandLine.IVersionProvider {
    private static final String RESOURCE = "/polyserve-version.properties";

    /** The POM's version, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String polyserve() {
        try (InputStream in = Version.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the build");
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {
            "polyserve " + polyserve(),
            "JDK " + Runtime.version() + " (" + System.getProperty("java.vm.vendor") + ", " + System.getProperty("java.home") + ")",
            "OS " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
        };
    }
}

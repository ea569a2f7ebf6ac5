package io.vecnn.interop.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** What the exporters record about the vecnn that wrote a file. */
public final class Version {
    private static final String VERSION = readVersion();

    private Version() {
    }

    /** vecnn's version, as the build recorded it (e.g. {@code 0.1.0-SNAPSHOT}). */
    public static String version() {
        return VERSION;
    }

    private static String readVersion() {
        try (InputStream in = Version.class.getResourceAsStream("/io/vecnn/interop/version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

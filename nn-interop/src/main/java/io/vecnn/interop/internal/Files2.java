package io.vecnn.interop.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;

/** File writing shared by the exporters. */
public final class Files2 {
    private static final String VERSION = readVersion();

    private Files2() {
    }

    /** What a writer puts into the file. */
    @FunctionalInterface
    public interface Content {
        /** Writes the whole file through {@code out}. */
        void writeTo(FileChannel out) throws IOException;
    }

    /**
     * Writes {@code target} atomically: into a temporary file beside it, forced to disk, then renamed
     * over it, so that a failure or a crash leaves any previous file intact.
     */
    public static void writeAtomically(Path target, Content content) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (Files.isDirectory(abs)) {
            throw new IOException(target + " is a directory");
        }
        if (dir != null && !Files.isDirectory(dir)) {
            throw new IOException(target + ": the directory " + dir + " does not exist");
        }
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                content.writeTo(ch);
                ch.force(true);
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** vecnn's version, as the build recorded it (e.g. {@code 0.1.0-SNAPSHOT}). */
    public static String version() {
        return VERSION;
    }

    private static String readVersion() {
        try (InputStream in = Files2.class.getResourceAsStream("/io/vecnn/interop/version.properties")) {
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

package io.vecnn.api.internal;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.LinkOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Writes a file so that readers only ever see the old content or the new, whatever happens during the
 * write (kill, power loss, disk full): the content goes to a temporary file in the target's directory
 * ({@code .NAME.DIGITS.tmp}), is forced to disk, renamed over the target atomically, and the rename is
 * made durable by forcing the directory. The new file gets the old file's permissions, or
 * {@code rw-r--r--}. A failure removes the temporary file and throws an {@link IOException} whose
 * message names the target; the target is then unchanged. After a successful write, temporary files
 * of earlier writes to the same target that were interrupted (older than this write's, and not locked
 * by a writer still running) are removed.
 *
 * <p>Every file the library and the command line write goes through here (checkpoints, charts).
 * Not exported: internal to the module.
 */
public final class AtomicWrite {
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DEFAULT = PosixFilePermissions.fromString("rw-r--r--");

    private AtomicWrite() {
    }

    /** What to write: called once with a stream to the temporary file (buffered; closing it only flushes). */
    @FunctionalInterface
    public interface Content {
        /**
         * Writes the whole content to {@code out}.
         *
         * @param out the stream to the temporary file
         * @throws IOException if writing fails (the target is then left as it was)
         */
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code bytes} (from its position to its limit) atomically to {@code target}.
     *
     * @param target the file to replace or create
     * @param bytes the bytes to write
     * @throws IOException if the write fails; the target is then unchanged
     */
    public static void write(Path target, ByteBuffer bytes) throws IOException {
        writeThroughChannel(target, ch -> {
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
        });
    }

    /**
     * Writes what {@code content} produces atomically to {@code target}.
     *
     * @param target the file to replace or create
     * @param content what writes the content
     * @throws IOException if the write fails; the target is then unchanged
     */
    public static void write(Path target, Content content) throws IOException {
        writeThroughChannel(target, ch -> {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16) {
                @Override
                public void close() throws IOException {
                    flush();   // encoders that close their stream must not close the channel before it is forced
                }
            };
            content.writeTo(out);
            out.flush();
        });
    }

    /** The name pattern of the temporary files of writes to {@code target}. */
    static Pattern temporaryNames(Path target) {
        return Pattern.compile("\\." + Pattern.quote(target.getFileName().toString()) + "\\.[0-9]{1,20}\\.tmp");
    }

    private interface ChannelWriter {
        void write(FileChannel ch) throws IOException;
    }

    private static void writeThroughChannel(Path file, ChannelWriter writer) throws IOException {
        Path target = resolve(file);
        if (Files.isDirectory(target)) {
            throw new IOException("cannot write " + target + ": it is a directory");
        }
        Path dir = target.getParent();
        Path tmp = null;
        boolean moved = false;
        try {
            FileChannel ch = null;
            for (int attempt = 0; ch == null; attempt++) {
                tmp = dir.resolve("." + target.getFileName() + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong())
                        + ".tmp");
                try {
                    ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), privateMode(dir));
                } catch (FileAlreadyExistsException taken) {
                    if (attempt == 100) {
                        throw taken;
                    }
                }
            }
            FileTime started = Files.getLastModifiedTime(tmp);
            try (FileChannel open = ch) {
                lock(open);   // tells a concurrent cleanup in another process that this file is live
                writer.write(open);
                open.force(true);
                try {
                    // A temporary file is private while written; the saved file is as readable as the one it replaces.
                    Files.setPosixFilePermissions(tmp, Files.exists(target) ? Files.getPosixFilePermissions(target) : DEFAULT);
                } catch (UnsupportedOperationException notPosix) {
                    // keep the platform's default
                }
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                moved = true;
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);     // makes the rename itself durable
            } catch (IOException | UnsupportedOperationException ignored) {
                // Some file systems cannot sync a directory; the rename is still atomic.
            }
            removeStale(target, started);
        } catch (IOException e) {
            IOException named = new IOException("cannot write " + target + ": " + reason(e, dir), e);
            if (tmp != null && !moved) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException notRemoved) {
                    named.addSuppressed(notRemoved);
                }
            }
            throw named;
        } catch (RuntimeException | Error e) {
            if (tmp != null && !moved) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException notRemoved) {
                    e.addSuppressed(notRemoved);
                }
            }
            throw e;
        }
    }

    /** The absolute target; a symbolic link is followed, so the link stays and the file it names is replaced. */
    private static Path resolve(Path file) throws IOException {
        Path target = file.toAbsolutePath();
        if (Files.isSymbolicLink(target)) {
            try {
                return target.toRealPath();
            } catch (NoSuchFileException dangling) {
                return target;
            }
        }
        return target;
    }

    private static FileAttribute<?>[] privateMode(Path dir) {
        return dir.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PRIVATE)}
                : new FileAttribute<?>[0];
    }

    private static void lock(FileChannel ch) {
        try {
            ch.tryLock();
        } catch (IOException | OverlappingFileLockException unsupported) {
            // Without a lock, the modification time alone tells a cleanup that the file is live.
        }
    }

    /**
     * Best effort: removes the temporary files of this target older than {@code started} whose writer is
     * gone (a live writer in another process holds a lock on its file). Never fails the write.
     */
    private static void removeStale(Path target, FileTime started) {
        Pattern names = temporaryNames(target);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(target.getParent(),
                p -> names.matcher(p.getFileName().toString()).matches())) {
            for (Path p : files) {
                try {
                    if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                            || Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).compareTo(started) >= 0) {
                        continue;
                    }
                    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                        boolean writerGone;
                        try {
                            writerGone = ch.tryLock() != null;   // null: a writer in another process holds it
                        } catch (OverlappingFileLockException liveInThisJvm) {
                            writerGone = false;
                        } catch (IOException locksUnsupported) {
                            writerGone = true;   // no locks on this file system: the age alone decides
                        }
                        if (writerGone) {
                            Files.deleteIfExists(p);
                        }
                    }
                } catch (IOException ignored) {
                    // gone already, or not ours to remove
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // the directory cannot be listed: nothing to clean
        }
    }

    /** The cause in words, naming the directory where it is the one at fault. */
    private static String reason(IOException e, Path dir) {
        if (e instanceof NoSuchFileException && !Files.isDirectory(dir)) {
            return "directory " + dir + " does not exist";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied (directory " + dir + ")";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}

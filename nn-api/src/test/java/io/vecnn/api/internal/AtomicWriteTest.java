package io.vecnn.api.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class AtomicWriteTest {
    private static final byte[] OLD = "the old content".getBytes(StandardCharsets.UTF_8);

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static Path old(Path dir) throws IOException {
        Path f = dir.resolve("model.vecnn");
        Files.write(f, OLD);
        return f;
    }

    /** The write failed: the message names the target, the target is unchanged, no temporary file is left. */
    private static IOException failed(Path target, List<String> before, AtomicWrite.Content content) throws IOException {
        IOException e = assertThrows(IOException.class, () -> AtomicWrite.write(target, content));
        assertTrue(e.getMessage().startsWith("cannot write " + target.toAbsolutePath() + ": "), e.getMessage());
        assertArrayEquals(OLD, Files.readAllBytes(target), "the target changed");
        assertEquals(before, names(target.getParent()), "a temporary file was left");
        return e;
    }

    @Test
    void replacesTheFileWithTheNewModeOrTheOldOne(@TempDir Path dir) throws IOException {
        Path fresh = dir.resolve("fresh.png");
        AtomicWrite.write(fresh, ByteBuffer.wrap(new byte[] {1, 2, 3}));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(fresh));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)));

        Path f = old(dir);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        AtomicWrite.write(f, out -> {
            out.write("new".getBytes(StandardCharsets.UTF_8));
            out.close();   // as some encoders do
        });
        assertEquals("new", Files.readString(f));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertEquals(List.of("fresh.png", "model.vecnn"), names(dir));
    }

    @Test
    void aFailedWriteNamesTheTargetAndLeavesItAsItWas(@TempDir Path dir) throws IOException {
        Path f = old(dir);
        List<String> before = names(dir);
        // The device fills up after part of the content was written.
        IOException full = failed(f, before, out -> {
            out.write(new byte[100_000]);
            throw new IOException("No space left on device");
        });
        assertTrue(full.getMessage().endsWith(": No space left on device"), full.getMessage());
        // A bug in the code that produces the content: the same guarantees, the exception as thrown.
        IllegalStateException bug = assertThrows(IllegalStateException.class, () -> AtomicWrite.write(f, out -> {
            out.write(1);
            throw new IllegalStateException("a bug");
        }));
        assertEquals("a bug", bug.getMessage());
        assertArrayEquals(OLD, Files.readAllBytes(f));
        assertEquals(before, names(dir));
    }

    @Test
    void unwritablePlacesAreNamed(@TempDir Path dir) throws IOException {
        IOException missing = assertThrows(IOException.class,
                () -> AtomicWrite.write(dir.resolve("absent/model.vecnn"), ByteBuffer.wrap(OLD)));
        assertEquals("cannot write " + dir.resolve("absent/model.vecnn") + ": directory " + dir.resolve("absent")
                + " does not exist", missing.getMessage());
        Path sub = Files.createDirectory(dir.resolve("model.vecnn"));
        Files.write(sub.resolve("inside"), OLD);
        IOException isDir = assertThrows(IOException.class, () -> AtomicWrite.write(sub, ByteBuffer.wrap(new byte[1])));
        assertEquals("cannot write " + sub + ": it is a directory", isDir.getMessage());
        assertArrayEquals(OLD, Files.readAllBytes(sub.resolve("inside")));
        assertEquals(List.of("model.vecnn"), names(dir));
    }

    @Test
    void aSymbolicLinkStaysAndTheFileItNamesIsReplaced(@TempDir Path dir) throws IOException {
        Path real = old(dir);
        Path link = Files.createSymbolicLink(dir.resolve("latest.vecnn"), real.getFileName());
        AtomicWrite.write(link, ByteBuffer.wrap(new byte[] {9}));
        assertTrue(Files.isSymbolicLink(link));
        assertArrayEquals(new byte[] {9}, Files.readAllBytes(real));
    }

    @Test
    void staleTemporaryFilesOfThisTargetGoAtTheNextWrite(@TempDir Path dir) throws IOException {
        Path f = old(dir);
        FileTime past = FileTime.from(Instant.now().minusSeconds(3600));
        FileTime future = FileTime.from(Instant.now().plusSeconds(3600));
        String[] stale = {".model.vecnn.123.tmp", ".model.vecnn.18446744073709551615.tmp"};
        String[] kept = {
            ".model.vecnn.456.tmp",            // newer than the write: another writer's, under way
            ".other.vecnn.789.tmp",            // another target's
            ".model.vecnn.abc.tmp",            // not this writer's pattern
            ".model.vecnn.7.tmp.bak",          // nor this
            "model.vecnn.123.tmp",             // a user's file, not hidden
            ".model.vecnn.5.vecnn.6.tmp",      // the temporary file of target "model.vecnn.5.vecnn"
        };
        for (String n : stale) {
            Files.write(dir.resolve(n), OLD);
            Files.setLastModifiedTime(dir.resolve(n), past);
        }
        for (String n : kept) {
            Files.write(dir.resolve(n), OLD);
            Files.setLastModifiedTime(dir.resolve(n), n.contains("456") ? future : past);
        }
        // An old temporary file whose writer in this JVM is still at work (it holds the lock).
        Path live = dir.resolve(".model.vecnn.42.tmp");
        Files.write(live, OLD);
        Files.setLastModifiedTime(live, past);
        try (FileChannel ch = FileChannel.open(live, StandardOpenOption.WRITE); FileLock held = ch.lock()) {
            AtomicWrite.write(f, ByteBuffer.wrap(new byte[] {5}));
            assertTrue(held.isValid());
        }
        assertArrayEquals(new byte[] {5}, Files.readAllBytes(f));
        List<String> expected = new java.util.ArrayList<>(Arrays.asList(kept));
        expected.add(live.getFileName().toString());
        expected.add("model.vecnn");
        assertEquals(expected.stream().sorted().toList(), names(dir));
        for (String n : kept) {
            assertArrayEquals(OLD, Files.readAllBytes(dir.resolve(n)), n);
        }
    }

    @Test
    void aTemporaryFileLockedByAWriterInAnotherProcessIsKept(@TempDir Path dir) throws Exception {
        Path python = Path.of("/usr/bin/python3");
        assumeTrue(Files.isExecutable(python), "needs python3 to hold a POSIX lock from another process");
        Path f = old(dir);
        Path live = dir.resolve(".model.vecnn.77.tmp");
        Files.write(live, OLD);
        Files.setLastModifiedTime(live, FileTime.from(Instant.now().minusSeconds(60)));
        Process holder = new ProcessBuilder(python.toString(), "-c",
                "import fcntl, sys, time\nf = open(sys.argv[1], 'r+')\nfcntl.lockf(f, fcntl.LOCK_EX)\nprint('locked', flush=True)\n"
                        + "sys.stdin.read()", live.toString()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine());
            AtomicWrite.write(f, ByteBuffer.wrap(new byte[] {6}));
            assertTrue(Files.exists(live), "a live writer's temporary file was removed");
        } finally {
            holder.getOutputStream().close();
            holder.waitFor(10, TimeUnit.SECONDS);
            holder.destroyForcibly();
        }
        // Its writer gone, the next write removes it.
        AtomicWrite.write(f, ByteBuffer.wrap(new byte[] {7}));
        assertEquals(List.of("model.vecnn"), names(dir));
    }

    /**
     * A real full disk and a real read-only file system: a 64 KiB tmpfs, mounted where the test runs
     * as root and may mount (skipped elsewhere).
     */
    @Test
    void aFullOrReadOnlyFileSystemIsNamedAndLosesNothing(@TempDir Path dir) throws Exception {
        Path mnt = Files.createDirectory(dir.resolve("small"));
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt.toString()) == 0, "cannot mount a tmpfs here");
        try {
            Path f = old(mnt);
            List<String> before = names(mnt);
            IOException full = failed(f, before, out -> out.write(new byte[1 << 20]));
            assertTrue(full.getMessage().contains("No space left on device"), full.getMessage());
            IOException fullBuffer = assertThrows(IOException.class, () -> AtomicWrite.write(f, ByteBuffer.allocate(1 << 20)));
            assertTrue(fullBuffer.getMessage().startsWith("cannot write " + f + ": No space left on device"), fullBuffer.getMessage());
            assertArrayEquals(OLD, Files.readAllBytes(f));
            assertEquals(before, names(mnt));
            // It still works when there is room.
            AtomicWrite.write(f, ByteBuffer.wrap(new byte[1000]));
            assertEquals(1000, Files.size(f));
            Files.write(f, OLD);

            assertEquals(0, run("mount", "-o", "remount,ro", mnt.toString()));
            IOException readOnly = failed(f, before, out -> out.write(1));
            assertTrue(readOnly.getMessage().contains("Read-only file system"), readOnly.getMessage());
        } finally {
            run("umount", "-l", mnt.toString());
        }
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }
}

package io.vecnn.train.cli;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the command line in this JVM (output captured) or in a child JVM, and what the tests around it share. */
final class Cli {
    private Cli() {
    }

    /** What a run printed and returned. */
    record Run(int code, String out, String err) {
        /** Asserts the run failed with exit code {@code code} and one error line starting with {@code start}, no stack trace. */
        Run failsWith(int expected, String start) {
            assertEquals(expected, code, "exit code; out: " + out + "\nerr: " + err);
            assertEquals(1, err.lines().count(), "one line: " + err);
            assertTrue(err.startsWith(start), "expected '" + start + "...', got: " + err);
            assertFalse(err.contains("\tat ") || err.contains("Exception"), "no stack trace nor exception name: " + err);
            return this;
        }
    }

    /** Runs {@code Main} in this JVM with standard output and error captured. */
    static synchronized Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** A test fixture file (src/test/resources/io/vecnn/train/cli). */
    static Path fixture(String name) {
        try {
            return Path.of(Cli.class.getResource(name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing fixture " + name, e);
        }
    }

    /** The java command and class path of a child JVM that runs this module's classes (and the tests'). */
    static List<String> childJava(String... jvmOptions) {
        List<String> parts = new ArrayList<>();
        for (String property : new String[] {"jdk.module.path", "java.class.path"}) {
            String v = System.getProperty(property);
            if (v != null && !v.isBlank()) {
                parts.add(v);
            }
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector"));
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-cp", String.join(File.pathSeparator, parts)));
        return cmd;
    }

    /** Runs a process to its end (at most 2 minutes) and returns its exit code. */
    static int exec(List<String> command, Path stdout, Path stderr) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return p.exitValue();
    }

    /** Runs a system command (mount, umount, script), output discarded; -1 if it cannot run. */
    static int system(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    /** The names in a directory, sorted. */
    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A copy of a CSV text without its last column (the label). */
    static String withoutLastColumn(String csv) {
        StringBuilder sb = new StringBuilder();
        csv.lines().forEach(l -> sb.append(l, 0, l.lastIndexOf(',')).append('\n'));
        return sb.toString();
    }
}

package io.vecnn.train.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * bin/vecnn in a copy of the tree with stand-in JDKs (a java that prints its arguments): which JDK
 * it picks, what it runs, and what it says without a build or a JDK 25.
 */
class LauncherTest {
    private static final Path SCRIPT = Path.of(System.getProperty("user.dir")).getParent().resolve("bin/vecnn");

    /** A stand-in JDK home of this feature release whose java prints "NAME ARGS...". */
    private static Path jdk(Path dir, String name, int release) throws Exception {
        Path home = Files.createDirectories(dir.resolve(name));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + release + ".0.1\"\n");
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\necho " + name + " \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }

    private static String launch(Path root, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/bin/bash", root.resolve("bin/vecnn").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("JAVA_HOME");
        pb.environment().remove("JAVA25_HOME");
        pb.environment().remove("VECNN_JAVA");
        pb.environment().put("PATH", "/usr/bin:/bin");   // Debian's default java there is 17
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        return p.waitFor() + " " + out;
    }

    @Test
    void picksAJdk25AndRunsTheBuiltClassesWithTheVectorModule(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs bash");
        Path root = Files.createDirectories(dir.resolve("tree"));
        Files.createDirectories(root.resolve("bin"));
        Files.copy(SCRIPT, root.resolve("bin/vecnn"));
        String target = root.resolve("nn-train/target").toString();

        String noBuild = launch(root, Map.of(), "--version");
        assertTrue(noBuild.startsWith("1 vecnn: no build in " + target + "; build once with"), noBuild);

        Files.createDirectories(root.resolve("nn-train/target/classes/io/vecnn/train/cli"));
        Files.write(root.resolve("nn-train/target/classes/io/vecnn/train/cli/Main.class"), new byte[0]);
        Files.createDirectories(root.resolve("nn-train/target/lib"));
        Path old = jdk(dir, "jdk17", 17);
        Path jdk25 = jdk(dir, "jdk25", 25);
        Path jdk26 = jdk(dir, "jdk26", 26);
        // What the stand-in java prints when the script runs it.
        java.util.function.BiFunction<String, String, String> ran = (jdkName, rest) -> "0 " + jdkName
                + " --add-modules jdk.incubator.vector -XX:+UseParallelGC" + rest.substring(0, rest.indexOf('|')) + " -cp " + target
                + "/classes:" + target + "/lib/* io.vecnn.train.cli.Main" + rest.substring(rest.indexOf('|') + 1);
        // JAVA_HOME is too old: JAVA25_HOME is next.
        assertEquals(ran.apply("jdk25", "| train --epochs 2"),
                launch(root, Map.of("JAVA_HOME", old.toString(), "JAVA25_HOME", jdk25.toString()), "train", "--epochs", "2"));
        assertEquals(ran.apply("jdk26", "| train --epochs 2"), launch(root, Map.of("JAVA_HOME", jdk26.toString()), "train", "--epochs", "2"));
        assertEquals(ran.apply("jdk17", " -Xmx1g| --version"),
                launch(root, Map.of("VECNN_JAVA", old.resolve("bin/java").toString(), "VECNN_JVM_OPTS", "-Xmx1g"), "--version"),
                "VECNN_JAVA is taken as given, with VECNN_JVM_OPTS");
        // The java on the PATH, found through its home's release file.
        assertEquals(ran.apply("jdk26", "| --version"), launch(root, Map.of("PATH", jdk26.resolve("bin") + ":/usr/bin:/bin"), "--version"));
    }
}

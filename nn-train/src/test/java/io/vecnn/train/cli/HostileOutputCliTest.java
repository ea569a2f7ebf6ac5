package io.vecnn.train.cli;

import io.vecnn.train.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every output of the command line (model, curves, predictions) meeting a full disk, a read-only
 * file system or a bad target: one line naming the path, exit code 1, no temporary file left, and
 * what was saved before unchanged. The full disk is real: a small tmpfs, mounted where the tests run
 * as root and may mount (skipped elsewhere).
 */
class HostileOutputCliTest {
    private static final String[] SMALL = {"--hidden", "4", "--epochs", "2", "--no-progress"};

    private static String[] train(Path out, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("train", "--data", Cli.fixture("iris.csv").toString(), "--out", out.toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    /** Fills the file system of {@code dir} until {@code free} bytes are left. */
    private static void fillUntil(Path filler, long free) throws IOException {
        Files.deleteIfExists(filler);
        long usable = Files.getFileStore(filler.getParent()).getUsableSpace();
        Files.write(filler, new byte[(int) (usable - free)]);
        assertEquals(free, Files.getFileStore(filler.getParent()).getUsableSpace(), "free space after filling");
    }

    @Test
    void aFullOrReadOnlyDiskFailsInOneLineAndKeepsWhatWasSaved(@TempDir Path dir) throws Exception {
        Path mnt = Files.createDirectory(dir.resolve("small"));
        assumeTrue(Cli.system("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt.toString()) == 0, "cannot mount a tmpfs here");
        try {
            Path model = mnt.resolve("m.vecnn");
            Path curves = mnt.resolve("m-curves.png");
            Path predictions = mnt.resolve("p.csv");
            Path filler = mnt.resolve("filler");
            Cli.Run first = Cli.run(train(model, SMALL));
            assertEquals(0, first.code(), first.err());
            assertEquals(0, Cli.run("predict", "--model", model.toString(), "--out", predictions.toString()).code());
            byte[] savedCurves = Files.readAllBytes(curves);
            byte[] savedPredictions = Files.readAllBytes(predictions);
            assertTrue(savedCurves.length > 3 * 4096 && Files.size(model) < 4096, "a PNG of " + savedCurves.length
                    + " bytes, a model of " + Files.size(model));

            // Room for the model (two copies while it is replaced), none for the curves.
            fillUntil(filler, 3 * 4096);
            Cli.run(train(model, SMALL)).failsWith(1, "error: cannot write " + curves + ": No space left on device");
            assertArrayEquals(savedCurves, Files.readAllBytes(curves), "the curves saved before");
            assertEquals(List.of("filler", "m-curves.png", "m.vecnn", "p.csv"), Cli.names(mnt), "no temporary file");
            byte[] savedModel = Files.readAllBytes(model);
            assertEquals(2, Checkpoint.load(model).state().epochsDone(), "the model this run saved is whole");

            // No room for a larger model: its first save fails, the one saved before stays.
            fillUntil(filler, 4096);
            Cli.run(train(model, "--hidden", "256", "--epochs", "1", "--no-progress"))
                    .failsWith(1, "error: cannot write " + model + ": No space left on device");
            assertArrayEquals(savedModel, Files.readAllBytes(model));
            assertEquals(List.of("filler", "m-curves.png", "m.vecnn", "p.csv"), Cli.names(mnt));

            // No room for the predictions of every iris row.
            Cli.run("predict", "--model", model.toString(), "--input", Cli.fixture("iris.csv").toString(), "--out", predictions.toString())
                    .failsWith(1, "error: cannot write " + predictions + ": No space left on device");
            assertArrayEquals(savedPredictions, Files.readAllBytes(predictions));
            assertEquals(List.of("filler", "m-curves.png", "m.vecnn", "p.csv"), Cli.names(mnt));

            // Read-only: refused before training; predictions name the file.
            Files.delete(filler);
            assertEquals(0, Cli.system("mount", "-o", "remount,ro", mnt.toString()));
            Cli.run(train(model, SMALL)).failsWith(1, "error: cannot save a checkpoint to " + model + ": directory " + mnt
                    + " is not writable");
            Cli.run("predict", "--model", model.toString(), "--out", predictions.toString())
                    .failsWith(1, "error: cannot write " + predictions + ": Read-only file system");
            assertArrayEquals(savedModel, Files.readAllBytes(model));
            assertArrayEquals(savedPredictions, Files.readAllBytes(predictions));
            assertArrayEquals(savedCurves, Files.readAllBytes(curves));
        } finally {
            Cli.system("umount", "-l", mnt.toString());
        }
    }

    @Test
    void badTargetsAndBadInputsForPredictFailInOneLine(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("m.vecnn");
        assertEquals(0, Cli.run(train(model, SMALL)).code());
        Path predictions = dir.resolve("p.csv");
        Files.writeString(predictions, "precious\n");
        Path asDirectory = Files.createDirectory(dir.resolve("dir.csv"));
        Cli.run("predict", "--model", model.toString(), "--out", asDirectory.toString())
                .failsWith(1, "error: cannot write " + asDirectory + ": it is a directory");
        Cli.run("predict", "--model", model.toString(), "--out", dir.resolve("absent/p.csv").toString())
                .failsWith(1, "error: cannot write " + dir.resolve("absent/p.csv") + ": directory " + dir.resolve("absent") + " does not exist");
        // The model's curves cannot go where a directory is: refused before training.
        Path blocked = dir.resolve("b.vecnn");
        Files.createDirectory(dir.resolve("b-curves.png"));
        Cli.run(train(blocked, SMALL)).failsWith(1, "error: cannot write the training curves to " + dir.resolve("b-curves.png")
                + ": it is a directory");
        assertTrue(!Files.exists(blocked));

        String iris = Files.readString(Cli.fixture("iris.csv"));
        String[][] inputs = {
            {iris.replace("4.9,3,1.4,0.2", "4.9,3,1.4e39,0.2"), ":3:3: '1.4e39' is outside float's range"},
            {iris.replace("4.9,3,1.4,0.2", "4.9,3,0x1p3,0.2"), ":3:3: '0x1p3' is not a number"},
            {iris.replace("4.9,3,1.4,0.2", "4.9,3,1.4f,0.2"), ":3:3: '1.4f' is not a number"},
            {iris.replace("4.9,3,1.4,0.2,setosa", "4.9,3,1.4,0.2"), ":3: 4 columns, the lines before have 5"},
            {"", ": the file is empty"},
        };
        Path input = dir.resolve("in.csv");
        for (String[] c : inputs) {
            Files.writeString(input, c[0]);
            Cli.run("predict", "--model", model.toString(), "--input", input.toString(), "--out", predictions.toString())
                    .failsWith(1, "error: " + input + c[1]);
            assertEquals("precious\n", Files.readString(predictions), c[1]);
        }
        Cli.run("predict", "--model", model.toString(), "--input", dir.resolve("none.csv").toString())
                .failsWith(1, "error: " + dir.resolve("none.csv") + ": no such file");
        Path broken = dir.resolve("broken.vecnn");
        byte[] bytes = Files.readAllBytes(model);
        Files.write(broken, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Cli.run("predict", "--model", broken.toString(), "--out", predictions.toString()).failsWith(1, "error: " + broken + ": ");
        Cli.run("evaluate", "--model", broken.toString()).failsWith(1, "error: " + broken + ": ");
        Cli.run("summary", "--model", dir.resolve("nothing.vecnn").toString())
                .failsWith(1, "error: " + dir.resolve("nothing.vecnn") + ": no such checkpoint");
        assertEquals("precious\n", Files.readString(predictions));
        assertEquals(List.of("b-curves.png", "dir.csv", "in.csv", "m-curves.png", "m.vecnn", "p.csv", "broken.vecnn").stream().sorted().toList(),
                Cli.names(dir), "no temporary file");
    }
}

package io.vecnn.train.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {

    private record Run(int code, String out, String err) {
    }

    private static synchronized Run run(String... args) {
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

    @Test
    void trainEvaluatePredictSummary(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("m.vecnn");
        Run train = run("train", "--epochs", "3", "--no-progress", "--out", model.toString());
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("epoch   3/3"), train.out());
        assertTrue(train.out().contains("test accuracy"), train.out());
        assertTrue(train.out().contains("model saved to " + model.toAbsolutePath()), train.out());
        Path png = dir.resolve("m-curves.png");
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(png), 8);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10}, head, "a PNG file");

        Run eval = run("evaluate", "--model", model.toString());
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().contains("accuracy"), eval.out());
        Run predict = run("predict", "--model", model.toString(), "--count", "5");
        assertEquals(0, predict.code(), predict.err());
        assertEquals(6, predict.out().strip().split("\n").length, predict.out());
        Run summary = run("summary", "--model", model.toString());
        assertEquals(0, summary.code(), summary.err());
        assertTrue(summary.out().contains("dense1 dense 64→128, relu") && summary.out().contains("3 epochs done"), summary.out());

        // Resuming a finished run with more epochs continues from its checkpoint.
        Run more = run("train", "--epochs", "4", "--no-progress", "--out", model.toString(), "--resume");
        assertEquals(0, more.code(), more.err());
        assertTrue(more.out().contains("epoch   4/4") && !more.out().contains("epoch   1/4"), more.out());
    }

    @Test
    void badOptionsFailBeforeAnythingIsWritten(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("keep.vecnn");
        Files.writeString(model, "precious");
        String[][] cases = {
                {"--lr", "NaN"}, {"--lr", "Infinity"}, {"--lr", "0"}, {"--lr", "-1"},
                {"--batch-size", "0"}, {"--epochs", "0"}, {"--validation", "1"}, {"--hidden", "0"},
        };
        for (String[] c : cases) {
            Run r = run("train", c[0], c[1], "--out", model.toString());
            assertEquals(2, r.code(), String.join(" ", c) + ": " + r.err());
            assertTrue(r.err().contains(c[0]), r.err());
        }
        Run missing = run("train", "--data", dir.resolve("nowhere").toString(), "--out", model.toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("nowhere") && missing.err().contains("no such file"), missing.err());
        Run noDir = run("train", "--epochs", "1", "--out", dir.resolve("absent/m.vecnn").toString());
        assertEquals(1, noDir.code());
        assertTrue(noDir.err().contains("does not exist"), noDir.err());
        Run badModel = run("evaluate", "--model", model.toString());
        assertEquals(1, badModel.code());
        assertTrue(badModel.err().contains("keep.vecnn") && badModel.err().contains("checkpoint"), badModel.err());
        assertEquals("precious", Files.readString(model), "nothing was written over the existing file");
    }
}

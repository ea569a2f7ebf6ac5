package io.vecnn.train.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {

    @Test
    void trainEvaluatePredictSummary(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("m.vecnn");
        Cli.Run train = Cli.run("train", "--epochs", "3", "--no-progress", "--out", model.toString());
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("epoch   3/3"), train.out());
        assertTrue(train.out().contains("test accuracy"), train.out());
        assertTrue(train.out().contains("model saved to " + model.toAbsolutePath()), train.out());
        Path png = dir.resolve("m-curves.png");
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(png), 8);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10}, head, "a PNG file");

        Cli.Run eval = Cli.run("evaluate", "--model", model.toString());
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().contains("accuracy"), eval.out());
        Cli.Run predict = Cli.run("predict", "--model", model.toString(), "--count", "5");
        assertEquals(0, predict.code(), predict.err());
        assertEquals(6, predict.out().strip().split("\n").length, predict.out());
        Cli.Run summary = Cli.run("summary", "--model", model.toString());
        assertEquals(0, summary.code(), summary.err());
        assertTrue(summary.out().contains("dense1 dense 64→128, relu") && summary.out().contains("3 epochs done"), summary.out());

        // The export command of nn-interop, registered by this command line.
        Path onnx = dir.resolve("m.onnx");
        Cli.Run export = Cli.run("export", "--model", model.toString(), "--format", "onnx", "--out", onnx.toString());
        assertEquals(0, export.code(), export.err());
        assertTrue(Files.size(onnx) > 17_000 * 4, "the weights are in the file: " + Files.size(onnx) + " bytes");

        // Resuming a finished run with more epochs continues from its checkpoint.
        Cli.Run more = Cli.run("train", "--epochs", "4", "--no-progress", "--out", model.toString(), "--resume");
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
                // Finite as a double, not as the float the optimizer computes with.
                {"--lr", "1e300"}, {"--lr", "1e-50"}, {"--weight-decay", "1e39"}, {"--clip", "-1"},
                {"--lr", "0x1p3"}, {"--lr", "1f"}, {"--dropout", "1"}, {"--warmup", "-1"},
                {"--threads", "0"}, {"--threads", "-1"}, {"--threads", "abc"}, {"--threads", "100000"},
                {"--epochs", "99999999999999999999"}, {"--replicas", "0"}, {"--seed", "x"},
        };
        for (String[] c : cases) {
            Cli.Run r = Cli.run("train", c[0], c[1], "--out", model.toString());
            assertEquals(2, r.code(), String.join(" ", c) + ": " + r.err());
            assertTrue(r.err().startsWith("error: Invalid value for option '" + c[0] + "'"), r.err());
            assertTrue(r.err().contains(c[1]), r.err());
            assertEquals(2, r.err().lines().count(), "the problem and where the help is: " + r.err());
        }
        Cli.Run shards = Cli.run("train", "--replicas", "3", "--shards", "2", "--out", model.toString());
        assertEquals(2, shards.code(), shards.err());
        assertTrue(shards.err().contains("--shards must be >= --replicas"), shards.err());
        Cli.Run none = Cli.run();
        assertEquals(2, none.code());
        assertTrue(none.err().startsWith("error: a command is needed: train, evaluate, predict, summary"), none.err());
        Cli.Run missing = Cli.run("train", "--data", dir.resolve("nowhere").toString(), "--out", model.toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("nowhere") && missing.err().contains("no such file"), missing.err());
        Cli.Run noDir = Cli.run("train", "--epochs", "1", "--out", dir.resolve("absent/m.vecnn").toString());
        assertEquals(1, noDir.code());
        assertTrue(noDir.err().contains("does not exist"), noDir.err());
        Cli.Run badModel = Cli.run("evaluate", "--model", model.toString());
        assertEquals(1, badModel.code());
        assertTrue(badModel.err().contains("keep.vecnn") && badModel.err().contains("checkpoint"), badModel.err());
        assertEquals("precious", Files.readString(model), "nothing was written over the existing file");
    }
}

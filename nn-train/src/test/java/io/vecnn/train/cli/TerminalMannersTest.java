package io.vecnn.train.cli;

import io.vecnn.train.EpochMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What a training run prints: plain lines into a file or a pipe (no carriage-return frames), a live
 * bar on a terminal, and no JVM warning about native access either way.
 */
class TerminalMannersTest {

    @Test
    void intoAFileProgressIsAPlainLineEveryIntervalAndOneLinePerEpoch() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long[] now = {0};
        long second = 1_000_000_000L;
        Progress p = new Progress(2, Progress.Mode.LINES, new PrintStream(bytes, true, StandardCharsets.UTF_8), () -> now[0], 10 * second);
        for (int epoch = 1; epoch <= 2; epoch++) {
            for (int b = 1; b <= 100; b++) {
                // One batch a second; the epoch's clock starts at its first step (batch 1), so a line after
                // batches 11, 21, ..., 91 (none at the end: the epoch line follows).
                now[0] += second;
                p.onStep(epoch, (epoch - 1) * 100L + b, b, 100, 0.5, 32);
            }
            p.onEpoch(new EpochMetrics(epoch, 0.5, 0.9, 0.6, 0.8, 1e-3, 100, 32));
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertFalse(out.contains("\r") || out.contains("\u001b"), out);
        List<String> lines = out.lines().toList();
        assertEquals(2 * (9 + 1), lines.size(), out);
        assertEquals("epoch 1/2  step 11/100  loss 0.5000  35 samples/s  run left 2:51", lines.get(0));
        assertTrue(lines.get(9).startsWith("epoch   1/2  loss 0.5000  accuracy  90.00%"), lines.get(9));
        assertEquals("epoch 2/2  step 91/100  loss 0.5000  32 samples/s  run left 0:08", lines.get(18));
    }

    @Test
    void epochsOnlyWithNoProgress() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long[] now = {0};
        Progress p = new Progress(1, Progress.Mode.EPOCHS, new PrintStream(bytes, true, StandardCharsets.UTF_8), () -> now[0], 1);
        for (int b = 1; b <= 50; b++) {
            now[0] += 1_000_000_000L;
            p.onStep(1, b, b, 50, 0.5, 32);
        }
        p.onEpoch(new EpochMetrics(1, 0.5, 0.9, 0.6, 0.8, 1e-3, 50, 32));
        assertEquals(1, bytes.toString(StandardCharsets.UTF_8).lines().count());
    }

    private static List<String> mainCommand(Path model) {
        List<String> c = new ArrayList<>(Cli.childJava());
        c.addAll(List.of(Main.class.getName(), "train", "--epochs", "3", "--out", model.toString()));
        return c;
    }

    @Test
    void intoAFileThereAreNoFramesAndNoNativeAccessWarning(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out.log");
        Path err = dir.resolve("err.log");
        assertEquals(0, Cli.exec(mainCommand(dir.resolve("m.vecnn")), out, err), Files.readString(err));
        String o = Files.readString(out);
        String e = Files.readString(err);
        assertTrue(o.contains("epoch   3/3") && o.contains("test accuracy"), o);
        assertFalse(o.contains("\r"), "no carriage returns in a log");
        assertFalse(e.contains("restricted method") || e.contains("native access") || e.contains("System::load"), e);
    }

    @Test
    void onATerminalTheBarIsLiveAndThereIsNoNativeAccessWarning(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "needs util-linux's script for a pseudo-terminal");
        String command = mainCommand(dir.resolve("m.vecnn")).stream().map(a -> "'" + a.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" "));
        Path out = dir.resolve("tty.log");
        // script runs the command on a pseudo-terminal (stdin, stdout and stderr) and copies what it shows.
        List<String> script = List.of("/usr/bin/script", "-q", "-e", "-c", "stty cols 120; " + command, "/dev/null");
        assertEquals(0, Cli.exec(script, out, dir.resolve("script.err")), Files.readString(out));
        String o = Files.readString(out);
        assertTrue(o.contains("\repoch 1/3") && o.contains("100% ["), "a bar redrawn in place: " + o);
        assertTrue(o.contains("epoch   3/3") && o.contains("test accuracy"), o);
        assertFalse(o.contains("restricted method") || o.contains("native access") || o.contains("System::load"), o);
    }
}

package io.vecnn.train;

import io.vecnn.api.Model;
import io.vecnn.api.Optimizer;
import io.vecnn.api.Parameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Kills a JVM that saves checkpoints in a loop ({@link CheckpointSaveLoop}) at random moments, 24
 * times: after each kill the checkpoint loads, holds either the last save that completed or the one
 * under way (never a mix: every weight equals its step), and the next save leaves no temporary file.
 */
class CheckpointCrashTest {
    private static final int KILLS = 24;

    @Test
    void killedSavesLeaveTheOldOrTheNewCheckpoint(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.vecnn");
        Model model = CheckpointSaveLoop.model();
        save(file, model, 0);
        Random random = new Random(15);
        long step = 1;
        int leftTemporary = 0;
        List<String> outcomes = new ArrayList<>();
        for (int kill = 0; kill < KILLS; kill++) {
            // The child's output goes to a file: whatever it printed before the kill is there afterwards.
            Path log = dir.resolve("child-" + kill + ".log");
            Process child = new ProcessBuilder(java(), "--add-modules", "jdk.incubator.vector", "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1", "-cp", TestData.childClassPath(), CheckpointSaveLoop.class.getName(),
                    file.toString(), Long.toString(step))
                    .redirectOutput(log.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!Files.readString(log).contains("begin " + step)) {   // the child is in its first save
                    if (!child.isAlive() || System.nanoTime() > deadline) {
                        fail("the child did not start saving: exit " + (child.isAlive() ? "none" : child.exitValue()));
                    }
                    Thread.sleep(2);
                }
                Thread.sleep(random.nextInt(250));
            } finally {
                child.destroyForcibly();
            }
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the killed child did not end");
            long begun = step;
            long ended = step - 1;
            for (String line : Files.readAllLines(log)) {
                long n = Long.parseLong(line.substring(line.indexOf(' ') + 1));
                if (line.startsWith("begin ")) {
                    begun = n;
                } else {
                    ended = n;
                }
            }
            Files.delete(log);
            long loaded = loadAndCheck(file);
            assertTrue(loaded == ended || loaded == begun,
                    "kill " + kill + ": the checkpoint holds step " + loaded + ", the child had finished " + ended + " and begun " + begun);
            List<Path> temporary = temporaryFiles(dir);
            leftTemporary += temporary.isEmpty() ? 0 : 1;
            outcomes.add(loaded + (temporary.isEmpty() ? "" : "+tmp"));
            // The next save (here, after the kill) removes what the killed one left.
            step = loaded + 1;
            save(file, model, step);
            assertEquals(List.of(), temporaryFiles(dir), "temporary files survived the save after kill " + kill);
            assertEquals(step, loadAndCheck(file));
            step++;
        }
        // Evidence that kills landed inside saves, not only between them.
        assertTrue(leftTemporary > 0, "no kill interrupted a save: " + outcomes);
        System.out.println("CheckpointCrashTest: " + KILLS + " kills, " + leftTemporary + " inside a save; steps loaded " + outcomes);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void save(Path file, Model model, long step) throws IOException {
        Optimizer optimizer = Optimizers.adam(0f);
        List<Parameter> ps = model.parameters();
        for (int i = 0; i < ps.size(); i++) {
            java.util.Arrays.fill(ps.get(i).value().data(), step);
            java.util.Arrays.fill(optimizer.state(ps, i, 0), step);
        }
        Checkpoint.save(file, model, optimizer, new Trainer.State(1, 0, step, Double.NaN, 0, List.of()));
    }

    /** Loads the checkpoint, checks it is one step's throughout, and returns the step. */
    private static long loadAndCheck(Path file) throws IOException {
        Checkpoint.Loaded l = Checkpoint.load(file);
        long step = l.state().step();
        for (Parameter p : l.model().parameters()) {
            for (float v : p.value().data()) {
                if (v != step) {
                    fail(p.name() + " holds " + v + " in the checkpoint of step " + step);
                }
            }
        }
        for (float[][] slots : l.optimizerState()) {
            for (float v : slots[0]) {
                if (v != step) {
                    fail("optimizer state holds " + v + " in the checkpoint of step " + step);
                }
            }
        }
        return step;
    }

    private static List<Path> temporaryFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }
}

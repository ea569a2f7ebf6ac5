package io.vecnn.interop;

import io.vecnn.api.Activation;
import io.vecnn.api.Matrix;
import io.vecnn.api.Model;
import io.vecnn.interop.cli.ExportCommand;
import io.vecnn.layers.Activations;
import io.vecnn.layers.Dense;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExportCommandTest {
    @TempDir
    Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Model model, String... args) {
        Path saved = dir.resolve("model.vecnn");
        ExportCommand.ModelReader reader = file -> {
            if (!file.equals(saved)) {
                throw new NoSuchFileException(file.toString());
            }
            return model;
        };
        CommandLine cl = new CommandLine(new ExportCommand(reader));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void exportsOnnxThatOnnxruntimeRuns() throws Exception {
        Model m = Model.builder(4).add(Dense.of(3, Activations.relu())).add(Dense.of(2, Activations.softmax())).build();
        Ort.randomizeParameters(m, 3);
        Path f = dir.resolve("m.onnx");
        assertEquals(0, run(m, "--model", dir.resolve("model.vecnn").toString(), "--format", "onnx", "--out", f.toString()), err.toString());
        assertTrue(out.toString().contains("wrote " + f + " (onnx): 2 nodes, 23 parameters"), out.toString());
        Matrix x = Ort.random(2, 4, new SplittableRandom(1));
        Ort.assertClose(m.predict(x), Ort.run(Files.readAllBytes(f), m, x), "exported by the command");
    }

    @Test
    void exportsSafetensors() throws Exception {
        Model m = Model.builder(4).add(Dense.of(3)).build();
        Path f = dir.resolve("m.safetensors");
        assertEquals(0, run(m, "--model", dir.resolve("model.vecnn").toString(), "--format", "safetensors", "--out", f.toString()));
        assertEquals(2, SafeTensors.read(f).tensors().size());
    }

    @Test
    void aModelThatCannotBeExportedIsAnErrorNamingTheLayerAndWritesNothing() {
        Activation mine = Activation.elementwise("mine", z -> z, (z, h) -> 1);
        Model m = Model.builder(4).add(Dense.of(3, mine)).build();
        Path f = dir.resolve("m.onnx");
        assertEquals(1, run(m, "--model", dir.resolve("model.vecnn").toString(), "--out", f.toString()));
        assertTrue(err.toString().startsWith("error: node 'dense1' (dense) cannot be exported"), err.toString());
        assertFalse(Files.exists(f));
    }

    @Test
    void missingModelAndBadFormatAreReported() {
        Model m = Model.builder(4).add(Dense.of(3)).build();
        assertEquals(1, run(m, "--model", dir.resolve("nope.vecnn").toString(), "--out", dir.resolve("x.onnx").toString()));
        assertTrue(err.toString().contains("nope.vecnn: no such file"), err.toString());
        assertEquals(2, run(m, "--model", "m", "--format", "tflite", "--out", "x"));
        assertTrue(err.toString().contains("--format must be onnx or safetensors, got 'tflite'"), err.toString());
    }
}

package io.vecnn.examples;

import io.vecnn.interop.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the README's programs, briefly, and checks what they print and write. */
class ExamplesTest {
    private static String output(ThrowingRunnable r) throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(saved);
        }
        String s = buf.toString(StandardCharsets.UTF_8);
        saved.print(s);
        return s;
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void trainDigitsLearnsInAFewEpochs() throws Exception {
        String out = output(() -> TrainDigits.main(new String[] {"5"}));
        Matcher m = Pattern.compile("held-out accuracy ([0-9.]+) %").matcher(out);
        assertTrue(m.find(), out);
        // Chance is 10 %; five epochs of this network reach far beyond it.
        assertTrue(Double.parseDouble(m.group(1)) > 80, out);
        assertTrue(out.matches("(?s).*first prediction: [0-9]\\R.*"), out);
    }

    @Test
    void exportModelWritesOnnxAndSafetensors(@TempDir Path dir) throws Exception {
        ExportModel.main(new String[] {dir.toString()});
        byte[] onnx = Files.readAllBytes(dir.resolve("model.onnx"));
        assertTrue(onnx.length > 16 * 16 * 4, "the ONNX file holds the weights");
        SafeTensors.Contents c = SafeTensors.read(dir.resolve("model.safetensors"));
        assertEquals(4, c.tensors().size());
        assertEquals(16 * 16, c.tensors().get("hidden.weight").values().length);
    }

    @Test
    void kernelsGemmPrintsTheProduct() throws Exception {
        assertEquals("[2.0, 2.0, 2.0, 2.0, 2.0, 2.0]", output(() -> KernelsGemm.main(new String[0])).strip());
    }
}

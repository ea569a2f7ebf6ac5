package io.vecnn.train;

import io.vecnn.api.Matrix;
import io.vecnn.api.Model;
import io.vecnn.api.Node;
import io.vecnn.api.Optimizer;
import io.vecnn.api.Parameter;
import io.vecnn.api.Registry;
import io.vecnn.api.Shape;
import io.vecnn.layers.Activations;
import io.vecnn.layers.Add;
import io.vecnn.layers.Concat;
import io.vecnn.layers.Dense;
import io.vecnn.layers.Dropout;
import io.vecnn.layers.Losses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checkpoint format 2: generic over layers and graphs, buffers and extras; format 1 still loads. */
class CheckpointFormatTest {
    private static final String V1 = "checkpoints/v1-digits-64-48-dropout-24-10";
    private static final Trainer.State FRESH = new Trainer.State(1, 0, 0, Double.NaN, 0, List.of());

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = CheckpointFormatTest.class.getResourceAsStream(name)) {
            assertTrue(in != null, "missing test resource " + name);
            return in.readAllBytes();
        }
    }

    /** A file saved by vecnn 0.1.0's format 1 (a 64-48-dropout-24-10 net after 2 epochs of Adam on the digits). */
    @Test
    void aVersion1FileStillLoadsAndTrainsOn(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("v1.vecnn");
        Files.write(file, resource(V1 + ".vecnn"));
        assertEquals(1, ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN).getInt(8), "a version-1 fixture");
        Checkpoint.Loaded l = Checkpoint.load(file);
        Model m = l.model();
        assertTrue(m.sequential());
        assertEquals(List.of("dense1", "dropout2", "dense3", "dense4"), m.nodes().stream().map(Node::name).toList());
        // The weights are those vecnn 0.1.0 held in memory when it saved (hashes of their bits).
        String[] expected = new String(resource(V1 + ".weights"), StandardCharsets.UTF_8).strip().split("\n");
        assertEquals(expected.length, m.parameters().size());
        for (int i = 0; i < expected.length; i++) {
            Parameter p = m.parameters().get(i);
            assertEquals(expected[i], p.name() + " " + Arrays.hashCode(p.value().data()));
        }
        // Its predictions then, within float rounding (the kernels may have changed their summation since).
        String[] bits = new String(resource(V1 + ".predictions"), StandardCharsets.UTF_8).strip().split("\n");
        Matrix out = m.predict(TestData.digits().second().features(0, 5));
        assertEquals(bits.length, out.size());
        for (int i = 0; i < bits.length; i++) {
            float then = Float.intBitsToFloat(Integer.parseUnsignedInt(bits[i], 16));
            assertEquals(then, out.data()[i], 1e-5 * Math.max(1, Math.abs(then)), "prediction " + i);
        }
        assertEquals(2, l.state().epochsDone());
        assertEquals(46, l.iterations());
        // It resumes: the optimizer state is restored and a third epoch runs, saved as format 2.
        Optimizer adam = Optimizers.adam(0f);
        Checkpoint.restoreOptimizer(l, adam, m.parameters());
        Trainer t = Trainer.builder(m, Losses.softmaxCrossEntropy(), adam).learningRate(1e-3).batchSize(64).epochs(3).seed(11)
                .checkpoint(file).build();
        t.resumeFrom(l.state());
        t.fit(TestData.digits().first(), TestData.digits().second());
        Checkpoint.Loaded again = Checkpoint.load(file);
        assertEquals(3, again.state().epochsDone());
        assertEquals(Checkpoint.VERSION, ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN).getInt(8));
    }

    private static Model graph(long seed) {
        return Model.graph().seed(seed)
                .input("x", Shape.of(5))
                .add("a", Dense.of(6, Activations.tanh()), "x")
                .add("b", Dense.of(6, Activations.relu()), "a")
                .add("sum", Add.of(), "a", "b")
                .add("both", Concat.of(), "sum", "x")
                .add("drop", Dropout.of(0.25f), "both")
                .add("out", Dense.of(3), "drop")
                .build();
    }

    @Test
    void aGraphRoundTripsBitExactly(@TempDir Path dir) throws IOException {
        Model m = graph(4);
        Random r = new Random(1);
        Matrix x = Matrix.zeros(7, 5);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = (float) r.nextGaussian();
        }
        Path file = dir.resolve("g.vecnn");
        Checkpoint.save(file, m, Optimizers.sgd(0f), FRESH);
        Model back = Checkpoint.load(file).model();
        assertFalse(back.sequential());
        assertEquals(m.toString(), back.toString());
        assertEquals(List.of("sum", "x"), back.inputsOf(3));
        assertTrue(m.predict(x).contentEquals(back.predict(x)));
        Path again = dir.resolve("again.vecnn");
        Checkpoint.save(again, back, Optimizers.sgd(0f), FRESH);
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(again));
    }

    @Test
    void aLayerRegisteredByTestCodeRoundTripsWithItsBuffer(@TempDir Path dir) throws IOException {
        Registry.register(new ScaleLayer.Type("test.scale"));
        Model m = Model.builder(4).add(ScaleLayer.of("test.scale", 0.5f)).add(Dense.of(2)).seed(3).build();
        ScaleLayer scale = (ScaleLayer) m.nodes().get(0);
        scale.scale().value().set(0, 2, -1.75f);
        scale.stat().value().set(0, 0, 42f);
        Path file = dir.resolve("s.vecnn");
        Checkpoint.save(file, m, Optimizers.sgd(0.9f, false, 0f), FRESH);
        Model back = Checkpoint.load(file).model();
        ScaleLayer loaded = (ScaleLayer) back.nodes().get(0);
        assertEquals("test.scale", loaded.type());
        assertEquals(-1.75f, loaded.scale().value().get(0, 2));
        assertEquals(42f, loaded.stat().value().get(0, 0), "a buffer (non-trainable state) is saved");
        Matrix x = Matrix.of(new float[][] {{1, 2, 3, 4}});
        assertTrue(m.predict(x).contentEquals(back.predict(x)));
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> Registry.register(new ScaleLayer.Type("dense")));
        assertTrue(twice.getMessage().contains("dense"), twice.getMessage());
    }

    @Test
    void anUnregisteredLayerTypeIsRefusedOnSaveAndNamedOnLoad(@TempDir Path dir) throws IOException {
        Model m = Model.builder(4).add(ScaleLayer.of("test.nobody-registered-this", 0f)).build();
        Path file = dir.resolve("u.vecnn");
        IOException e = assertThrows(IOException.class, () -> Checkpoint.save(file, m, Optimizers.sgd(0f), FRESH));
        assertTrue(e.getMessage().contains("test.nobody-registered-this") && e.getMessage().contains("scale1"), e.getMessage());
        assertFalse(Files.exists(file));
        // A file naming a type this JVM does not know.
        Model ok = Model.builder(4).add(Dense.of(2)).build();
        Checkpoint.save(file, ok, Optimizers.sgd(0f), FRESH);
        String msg = tamper(file, "node dense1 dense ", "node dense1 dunce ");
        assertTrue(msg.contains("dunce") && msg.contains("header line"), msg);
    }

    @Test
    void extrasRoundTrip(@TempDir Path dir) throws IOException {
        Model m = Model.builder(3).add(Dense.of(2)).build();
        Path file = dir.resolve("e.vecnn");
        Checkpoint.Extras extras = new Checkpoint.Extras(Map.of("classes", "setosa,versicolor virginica", "note", "ünïcode = ok"),
                Map.of("standardization.mean", new float[] {1.5f, -2f, 0f}));
        Checkpoint.save(file, m, Optimizers.sgd(0f), FRESH, extras);
        Checkpoint.Extras back = Checkpoint.load(file).extras();
        assertEquals(extras.metadata(), back.metadata());
        assertArrayEquals(new float[] {1.5f, -2f, 0f}, back.tensors().get("standardization.mean"));
    }

    @Test
    void nonFiniteWeightsAreNeverSaved(@TempDir Path dir) throws IOException {
        Model m = Model.builder(3).add(Dense.of(2)).build();
        Path file = dir.resolve("n.vecnn");
        Checkpoint.save(file, m, Optimizers.sgd(0f), FRESH);
        byte[] before = Files.readAllBytes(file);
        m.parameters().get(0).value().set(1, 2, Float.POSITIVE_INFINITY);
        IOException e = assertThrows(IOException.class, () -> Checkpoint.save(file, m, Optimizers.sgd(0f), FRESH));
        assertTrue(e.getMessage().contains("dense1.weight") && e.getMessage().contains("Infinity"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    @Test
    void aHeaderThatIsNotUtf8IsRefusedWithItsOffset(@TempDir Path dir) throws IOException {
        Model m = Model.builder(3).add(Dense.of(2)).build();
        Path file = dir.resolve("u.vecnn");
        Checkpoint.save(file, m, Optimizers.sgd(0f), FRESH);
        byte[] b = Files.readAllBytes(file);
        String header = new String(b, 16, ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(12), StandardCharsets.UTF_8);
        int at = 16 + header.indexOf("dense1");
        b[at] = (byte) 0xC3;      // a lead byte followed by 'e': malformed
        fixCrc(b);
        Files.write(file, b);
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Checkpoint.load(file));
        assertTrue(e.getMessage().contains("UTF-8") && e.getMessage().contains("byte " + at), e.getMessage());
    }

    @Test
    void duplicateAndDanglingNamesAreMalformedData(@TempDir Path dir) throws IOException {
        Model m = Model.builder(3).add(Dense.of(2)).add(Dense.of(2)).build();
        Path file = dir.resolve("d.vecnn");
        Checkpoint.save(file, m, Optimizers.sgd(0f), FRESH);
        String dup = tamper(file, "node dense2 dense dense1", "node dense1 dense dense1");
        assertTrue(dup.contains("used twice") && dup.contains("dense1"), dup);
        String dangling = tamper(file, "node dense2 dense dense1", "node dense2 dense dence1");
        assertTrue(dangling.contains("dence1"), dangling);
    }

    /** Replaces text in the header (same length), fixes the checksum and returns the load error. */
    private static String tamper(Path file, String from, String to) throws IOException {
        assertEquals(from.length(), to.length());
        byte[] b = Files.readAllBytes(file);
        int hl = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(12);
        String header = new String(b, 16, hl, StandardCharsets.UTF_8);
        assertTrue(header.contains(from), header);
        byte[] nh = header.replace(from, to).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(nh, 0, b, 16, nh.length);
        fixCrc(b);
        Path bad = file.resolveSibling("tampered-" + file.getFileName());
        Files.write(bad, b);
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Checkpoint.load(bad));
        assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
        return e.getMessage();
    }

    private static void fixCrc(byte[] b) {
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - 4);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length - 4, (int) crc.getValue());
    }
}

package io.vecnn.train;

import io.vecnn.api.Activation;
import io.vecnn.api.Model;
import io.vecnn.api.Optimizer;
import io.vecnn.api.Parameter;
import io.vecnn.layers.Dense;
import io.vecnn.layers.Losses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointTest {

    /** A checkpoint after a little training, so the optimizer state is not zero. */
    private static Path trained(Path dir, Model m, Optimizer opt) throws IOException {
        Dataset.Split d = TestData.digits();
        Path file = dir.resolve("model.vecnn");
        Trainer.builder(m, Losses.softmaxCrossEntropy(), opt).batchSize(64).epochs(2).checkpoint(file).build()
                .fit(d.first(), d.second());
        return file;
    }

    @Test
    void roundTripIsBitExact(@TempDir Path dir) throws IOException {
        Model m = TestData.classifier(1, true);
        Optimizer opt = Optimizers.adam(1e-4f);
        Path file = trained(dir, m, opt);
        Checkpoint.Loaded l = Checkpoint.load(file);
        List<Parameter> a = m.parameters();
        List<Parameter> b = l.model().parameters();
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).name(), b.get(i).name());
            assertArrayEquals(a.get(i).value().data(), b.get(i).value().data(), a.get(i).name());
            for (int s = 0; s < 2; s++) {
                assertArrayEquals(opt.state(a, i, s), l.optimizerState().get(i)[s], "optimizer slot " + s + " of " + a.get(i).name());
            }
        }
        assertEquals(opt.iterations(), l.iterations());
        assertEquals(2, l.state().epochsDone());
        assertEquals(2, l.state().history().size());
        assertEquals(m.toString(), l.model().toString());
        // Saving the loaded model again gives the same bytes.
        Path again = dir.resolve("again.vecnn");
        Optimizer opt2 = Optimizers.adam(1e-4f);
        Checkpoint.restoreOptimizer(l, opt2, l.model().parameters());
        Checkpoint.save(again, l.model(), opt2, l.state());
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(again));
    }

    private static String loadError(Path file) {
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Checkpoint.load(file));
        assertTrue(e.getMessage().startsWith(file.toString()), "the message names the file: " + e.getMessage());
        return e.getMessage();
    }

    private static void write(Path f, byte[] bytes, boolean fixCrc) throws IOException {
        if (fixCrc) {
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, bytes.length - 4);
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length - 4, (int) crc.getValue());
        }
        Files.write(f, bytes);
    }

    @Test
    void corruptFilesAreRejectedWithTheReason(@TempDir Path dir) throws IOException {
        Path file = trained(dir, TestData.classifier(2, false), Optimizers.sgd(0.9f, false, 0f));
        byte[] good = Files.readAllBytes(file);
        Path bad = dir.resolve("bad.vecnn");

        byte[] b = good.clone();
        b[0] = 'X';
        write(bad, b, true);
        assertTrue(loadError(bad).contains("bad magic"));

        b = good.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(8, Checkpoint.VERSION + 1);
        write(bad, b, true);
        assertTrue(loadError(bad).contains("newer"));
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 0);
        write(bad, b, true);
        assertTrue(loadError(bad).contains("older"));

        b = good.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(12, good.length);
        write(bad, b, true);
        assertTrue(loadError(bad).contains("header length"));
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(12, -1);
        write(bad, b, true);
        assertTrue(loadError(bad).contains("header length"));

        b = good.clone();
        b[good.length / 2] ^= 0x10;
        write(bad, b, false);
        assertTrue(loadError(bad).contains("bad checksum"));
    }

    @Test
    void aTruncationAtAnyByteIsRejected(@TempDir Path dir) throws IOException {
        Model m = Model.builder(3).add(Dense.of(2)).build();
        Path file = dir.resolve("small.vecnn");
        Checkpoint.save(file, m, Optimizers.adam(0f), new Trainer.State(1, 0, 0, Double.NaN, 0, List.of()));
        byte[] good = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.vecnn");
        for (int len = 0; len < good.length; len++) {
            Files.write(cut, Arrays.copyOf(good, len));
            loadError(cut);
        }
    }

    /** Rewrites the header (keeping its length) and fixes the checksum: shapes that do not fit must fail. */
    @Test
    void shapesThatDoNotFitTheArchitectureAreRejected(@TempDir Path dir) throws IOException {
        Model m = Model.builder(4).add(Dense.of(6)).add(Dense.of(3)).build();
        Path file = dir.resolve("m.vecnn");
        Checkpoint.save(file, m, Optimizers.sgd(0f), new Trainer.State(1, 0, 0, Double.NaN, 0, List.of()));
        byte[] good = Files.readAllBytes(file);
        int hl = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getInt(12);
        String header = new String(good, 16, hl, StandardCharsets.UTF_8);
        Path bad = dir.resolve("bad.vecnn");

        assertTrue(tamper(bad, good, header, "dense dense1 units=i:3 ", "dense dense1 units=i:2 ").contains("dense2.weight"));
        String wider = tamper(bad, good, header, "input input 4", "input input 5");
        assertTrue(wider.contains("dense1.weight"), wider);
        // A tensor pointing outside the payload, and one overlapping another.
        String offsets = header.replaceFirst("tensor dense1.bias 1 6 96", "tensor dense1.bias 1 6 9999");
        assertTrue(tamper(bad, good, header, header, offsets.substring(0, Math.min(offsets.length(), header.length())))
                .contains("does not fit"));
        assertTrue(tamper(bad, good, header, "tensor dense1.bias 1 6 96", "tensor dense1.bias 1 6 92").contains("overlaps"));
    }

    private static String tamper(Path bad, byte[] good, String header, String from, String to) throws IOException {
        assertTrue(header.contains(from), "fixture: header has '" + from + "':\n" + header);
        String h = header.replace(from, to);
        byte[] nh = h.getBytes(StandardCharsets.UTF_8);
        byte[] b = new byte[good.length - header.length() + nh.length];
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(good, 0, 12).putInt(nh.length).put(nh).put(good, 16 + header.length(), good.length - 16 - header.length());
        write(bad, b, true);
        return loadError(bad);
    }

    @Test
    void savingNeverDamagesTheOldCheckpoint(@TempDir Path dir) throws IOException {
        Model m = Model.builder(3).add(Dense.of(2)).build();
        Trainer.State st = new Trainer.State(1, 0, 0, Double.NaN, 0, List.of());
        Path file = dir.resolve("keep.vecnn");
        Checkpoint.save(file, m, Optimizers.adam(0f), st);
        byte[] before = Files.readAllBytes(file);

        // A model this format cannot describe: refused before anything is written.
        Model custom = Model.builder(3).add(Dense.of(2, Activation.elementwise("cube", z -> z * z * z, (z, h) -> 3 * z * z))).build();
        IOException e = assertThrows(IOException.class, () -> Checkpoint.save(file, custom, Optimizers.adam(0f), st));
        assertTrue(e.getMessage().contains("dense1") && e.getMessage().contains("cube"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));

        // A directory that does not exist.
        IOException missing = assertThrows(IOException.class,
                () -> Checkpoint.save(dir.resolve("nope/keep.vecnn"), m, Optimizers.adam(0f), st));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());

        // A directory that is not writable (skipped as root, who may write anywhere).
        Path ro = Files.createDirectory(dir.resolve("ro"));
        Path roFile = ro.resolve("keep.vecnn");
        Files.write(roFile, before);
        ro.toFile().setWritable(false);
        try {
            if (!Files.isWritable(ro)) {
                IOException denied = assertThrows(IOException.class, () -> Checkpoint.save(roFile, m, Optimizers.adam(0f), st));
                assertTrue(denied.getMessage().contains("not writable"), denied.getMessage());
                assertArrayEquals(before, Files.readAllBytes(roFile));
            }
        } finally {
            ro.toFile().setWritable(true);
        }

        // A crash mid-save leaves only a temporary file beside the intact checkpoint; no temporary
        // file remains after a successful save.
        Checkpoint.save(file, m, Optimizers.adam(0f), st);
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }

    @Test
    void aMissingFileIsNamed(@TempDir Path dir) {
        IOException e = assertThrows(IOException.class, () -> Checkpoint.load(dir.resolve("none.vecnn")));
        assertTrue(e.getMessage().contains("none.vecnn"), e.getMessage());
    }
}

package io.vecnn.train;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzz tests of the file readers: whatever the bytes, a reader returns a valid dataset or
 * checkpoint or throws {@link MalformedDataException} (or another IOException), never anything else
 * (no IndexOutOfBounds, NegativeArraySize, OutOfMemoryError from a forged size).
 */
class ReaderFuzzTest {

    /**
     * Blind mutations of the stored corpus (byte flips, overwritten ints, cuts, insertions), a
     * deterministic complement to the replay: Jazzer 0.24 cannot instrument class file 69 (JDK 25),
     * so its coverage-guided mode finds nothing new here.
     */
    @org.junit.jupiter.api.Test
    void mutatedCorpusFilesOnlyEverGiveMalformedData() throws Exception {
        java.util.Random r = new java.util.Random(20261123);
        for (String kind : new String[] {"idx", "csv", "checkpoint"}) {
            Path dir = Path.of(ReaderFuzzTest.class.getResource("ReaderFuzzTestInputs/" + kind).toURI());
            java.util.List<Path> seeds;
            try (var s = Files.list(dir)) {
                seeds = s.sorted().toList();
            }
            for (Path seed : seeds) {
                byte[] original = Files.readAllBytes(seed);
                for (int round = 0; round < 300; round++) {
                    byte[] m = mutate(original, r);
                    switch (kind) {
                        case "idx" -> idx(m);
                        case "csv" -> csv(m);
                        default -> checkpoint(m);
                    }
                }
            }
        }
    }

    private static byte[] mutate(byte[] in, java.util.Random r) {
        byte[] b = in.length == 0 ? new byte[] {(byte) r.nextInt()} : in.clone();
        switch (r.nextInt(5)) {
            case 0 -> b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
            case 1 -> {
                if (b.length >= 4) {
                    int at = r.nextInt(b.length - 3);
                    int v = r.nextBoolean() ? r.nextInt() : (r.nextBoolean() ? Integer.MAX_VALUE : -1);
                    b[at] = (byte) (v >>> 24);
                    b[at + 1] = (byte) (v >>> 16);
                    b[at + 2] = (byte) (v >>> 8);
                    b[at + 3] = (byte) v;
                }
            }
            case 2 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length + 1));
            case 3 -> {
                int at = r.nextInt(b.length + 1);
                byte[] ext = new byte[b.length + 1 + r.nextInt(8)];
                System.arraycopy(b, 0, ext, 0, at);
                for (int i = at; i < at + ext.length - b.length; i++) {
                    ext[i] = (byte) r.nextInt();
                }
                System.arraycopy(b, at, ext, at + ext.length - b.length, b.length - at);
                b = ext;
            }
            default -> b[r.nextInt(b.length)] = (byte) r.nextInt();
        }
        return b;
    }

    @FuzzTest(maxDuration = "30s")
    void idx(byte[] data) throws IOException {
        try {
            Idx.Tensor t = Idx.read(new ByteArrayInputStream(data), "fuzz", data.length);
            long n = 1;
            for (int d : t.dims()) {
                n *= d;
            }
            if (n != t.values().length) {
                throw new AssertionError("dims " + java.util.Arrays.toString(t.dims()) + " but " + t.values().length + " values");
            }
        } catch (MalformedDataException expected) {
            // the documented outcome for bad input
        }
    }

    @FuzzTest(maxDuration = "30s")
    void csv(byte[] data) throws IOException {
        try {
            Dataset d = Csv.read(new ByteArrayInputStream(data), "fuzz", Csv.Options.defaults());
            if (d.size() < 1) {
                throw new AssertionError("an empty dataset was returned");
            }
        } catch (MalformedDataException expected) {
            // the documented outcome for bad input
        }
    }

    @FuzzTest(maxDuration = "30s")
    void checkpoint(byte[] data) throws IOException {
        Path f = Files.createTempFile("fuzz", ".vecnn");
        try {
            Files.write(f, data);
            Checkpoint.load(f);
        } catch (MalformedDataException expected) {
            // the documented outcome for bad input
        } finally {
            Files.deleteIfExists(f);
        }
    }
}

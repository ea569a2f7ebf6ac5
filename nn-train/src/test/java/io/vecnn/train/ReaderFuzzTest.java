package io.vecnn.train;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Fuzz tests of the file readers: whatever the bytes, a reader returns a valid dataset or
 * checkpoint or throws {@link MalformedDataException} (or another IOException), never anything else
 * (no IndexOutOfBounds, NegativeArraySize, OutOfMemoryError from a forged size).
 */
class ReaderFuzzTest {

    /**
     * Blind mutations of the stored corpus (byte flips, overwritten ints, cuts, insertions): a
     * deterministic complement to the replay, through the same checks as the fuzz targets.
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
            // A fixed budget per reader, as the corpus grows with fuzzing; a checkpoint costs a file each.
            int rounds = Math.max(1, (kind.equals("checkpoint") ? 900 : 3600) / seeds.size());
            for (Path seed : seeds) {
                byte[] original = Files.readAllBytes(seed);
                for (int round = 0; round < rounds; round++) {
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

    /**
     * The IDX reader: whether the length is known up front (a raw file) or not (a compressed file or a
     * pipe) changes when an error is found, never the outcome; values are finite unless allowed.
     */
    @FuzzTest(maxDuration = "30s")
    void idx(byte[] data) throws IOException {
        Idx.Tensor known = idxOrNull(data, data.length, false);
        Idx.Tensor unknown = idxOrNull(data, -1, false);
        if ((known == null) != (unknown == null)
                || known != null && (!Arrays.equals(known.dims(), unknown.dims()) || !Arrays.equals(known.values(), unknown.values()))) {
            throw new AssertionError("the outcome depends on whether the length is known");
        }
        if (known != null) {
            long n = 1;
            for (int d : known.dims()) {
                n *= d;
            }
            if (n != known.values().length) {
                throw new AssertionError("dims " + Arrays.toString(known.dims()) + " but " + known.values().length + " values");
            }
            for (float v : known.values()) {
                if (!Float.isFinite(v)) {
                    throw new AssertionError("a non-finite value passed");
                }
            }
        }
        Idx.Tensor lenient = idxOrNull(data, data.length, true);
        if (known != null && (lenient == null || !Arrays.equals(known.values(), lenient.values()))) {
            throw new AssertionError("allowing non-finite values changed a finite file's outcome");
        }
    }

    private static Idx.Tensor idxOrNull(byte[] data, long knownSize, boolean allowNonFinite) throws IOException {
        try {
            return Idx.read(new ByteArrayInputStream(data), "fuzz", knownSize, allowNonFinite);
        } catch (MalformedDataException expected) {
            if (!expected.getMessage().startsWith("fuzz: ")) {
                throw new AssertionError("the message does not start with the file's name: " + expected.getMessage());
            }
            return null;
        }
    }

    /**
     * The CSV reader, with the defaults and with the other paths (header forced, label first,
     * non-finite values allowed): a table consistent with itself, or a message that names the file.
     */
    @FuzzTest(maxDuration = "30s")
    void csv(byte[] data) throws IOException {
        csv(data, Csv.Options.defaults().withMaxLineLength(1 << 12));
        csv(data, Csv.Options.defaults().withHeader(Csv.Header.PRESENT).withLabelColumn(0).withAllowNonFinite(true));
    }

    private static void csv(byte[] data, Csv.Options options) throws IOException {
        try {
            Csv.Table t = Csv.read(new ByteArrayInputStream(data), "fuzz", options);
            Dataset d = t.dataset();
            if (d.size() < 1 || t.classNames().size() != d.classes()
                    || !t.featureNames().isEmpty() && t.featureNames().size() != d.features()
                    || options.header() == Csv.Header.PRESENT && t.featureNames().isEmpty()) {
                throw new AssertionError("an inconsistent table: " + d.size() + " rows, " + d.classes() + " classes, names "
                        + t.classNames() + ", features " + d.features() + " named " + t.featureNames());
            }
            for (int i = 0; i < d.size() && !options.allowNonFinite(); i++) {
                for (float v : d.sample(i)) {
                    if (!Float.isFinite(v)) {
                        throw new AssertionError("a non-finite value passed");
                    }
                }
            }
        } catch (MalformedDataException expected) {
            if (!expected.getMessage().startsWith("fuzz:")) {
                throw new AssertionError("the message does not start with the file's name: " + expected.getMessage());
            }
        }
    }

    /**
     * The checkpoint loader, read only: the bytes as they are (almost always a bad checksum), then
     * with a correct CRC-32C in their last four bytes, so that mutations reach the header parser and
     * the tensor checks behind the checksum.
     */
    @FuzzTest(maxDuration = "30s")
    void checkpoint(byte[] data) throws IOException {
        Path f = Files.createTempFile("fuzz", ".vecnn");
        try {
            load(f, data);
            if (data.length >= 4) {
                byte[] fixed = data.clone();
                java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
                crc.update(fixed, 0, fixed.length - 4);
                java.nio.ByteBuffer.wrap(fixed, fixed.length - 4, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
                load(f, fixed);
            }
        } finally {
            Files.deleteIfExists(f);
        }
    }

    private static void load(Path f, byte[] bytes) throws IOException {
        Files.write(f, bytes);
        try {
            Checkpoint.load(f);
        } catch (MalformedDataException expected) {
            // the documented outcome for bad input
        }
    }
}

package io.vecnn.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataReadersTest {

    static byte[] idx(int type, int[] dims, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + payload.length);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.put(payload).array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(raw);
        }
        return out.toByteArray();
    }

    private static String idxError(Path dir, byte[] content) throws IOException {
        Path f = dir.resolve("bad-idx");
        Files.write(f, content);
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Idx.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        // The same content compressed fails the same way (where the size check does not need the file length).
        Path g = dir.resolve("bad-idx.gz");
        Files.write(g, gzip(content));
        assertThrows(MalformedDataException.class, () -> Idx.read(g));
        return e.getMessage();
    }

    @Test
    void readsRawAndGzipIdx(@TempDir Path dir) throws IOException {
        byte[] pixels = new byte[2 * 3 * 2];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 20);
        }
        Path raw = dir.resolve("img");
        Files.write(raw, idx(0x08, new int[] {2, 3, 2}, pixels));
        Path gz = dir.resolve("img.gz");
        Files.write(gz, gzip(idx(0x08, new int[] {2, 3, 2}, pixels)));
        Idx.Tensor a = Idx.read(raw);
        Idx.Tensor b = Idx.read(gz);
        assertArrayEquals(new int[] {2, 3, 2}, a.dims());
        assertEquals(6, a.itemSize());
        assertArrayEquals(a.values(), b.values());
        assertEquals(220f, a.values()[11]);
    }

    @Test
    void badIdxFilesAreRejectedWithTheReason(@TempDir Path dir) throws IOException {
        assertTrue(idxError(dir, new byte[] {1, 0, 8, 1, 0, 0, 0, 1, 0}).contains("wrong magic"));
        assertTrue(idxError(dir, idx(0x07, new int[] {1}, new byte[1])).contains("unknown type code 07"));
        assertTrue(idxError(dir, new byte[] {0, 0, 8, 0}).contains("0 dimensions"));
        assertTrue(idxError(dir, idx(0x08, new int[] {1, 1, 1, 1, 1}, new byte[1])).contains("5 dimensions"));
        assertTrue(idxError(dir, idx(0x08, new int[] {0}, new byte[0])).contains("dimension 0 is 0"));
        assertTrue(idxError(dir, idx(0x08, new int[] {-5}, new byte[0])).contains("dimension 0"));
        // Checked against the file's length as soon as the first size is read.
        assertTrue(idxError(dir, idx(0x08, new int[] {65536, 65536}, new byte[0])).contains("need at least 65536 bytes"));
        assertTrue(idxError(dir, idx(0x08, new int[] {10, 10}, new byte[99])).contains("need 100 bytes"));
        assertTrue(idxError(dir, idx(0x0C, new int[] {3}, new byte[11])).contains("12 bytes"));
        assertTrue(idxError(dir, idx(0x08, new int[] {3}, new byte[5])).contains("trailing bytes"));
        assertTrue(idxError(dir, new byte[] {0, 0, 8}).contains("truncated header"));
        assertTrue(idxError(dir, new byte[] {0, 0, 8, 2, 0, 0, 0, 4}).contains("truncated header"));
        // Truncated inside the payload of a compressed file (the length is not known up front).
        Path g = dir.resolve("short.gz");
        Files.write(g, gzip(Arrays.copyOf(idx(0x08, new int[] {4, 4}, new byte[16]), 15)));
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Idx.read(g));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void imageAndLabelFilesMustAgree(@TempDir Path dir) throws IOException {
        Path img = dir.resolve("images");
        Files.write(img, idx(0x08, new int[] {3, 2, 2}, new byte[12]));
        Path lab = dir.resolve("labels");
        Files.write(lab, idx(0x08, new int[] {2}, new byte[] {1, 2}));
        MalformedDataException count = assertThrows(MalformedDataException.class, () -> Idx.dataset("t", img, lab, 10, 1f));
        assertTrue(count.getMessage().contains("3 images") && count.getMessage().contains("2 labels"), count.getMessage());
        Files.write(lab, idx(0x08, new int[] {3}, new byte[] {1, 12, 2}));
        MalformedDataException range = assertThrows(MalformedDataException.class, () -> Idx.dataset("t", img, lab, 10, 1f));
        assertTrue(range.getMessage().contains("label 12.0 at item 1") && range.getMessage().contains("0..9"), range.getMessage());
        Files.write(lab, idx(0x08, new int[] {3}, new byte[] {1, 9, 2}));
        Dataset d = Idx.dataset("t", img, lab, 10, 1f);
        assertEquals(3, d.size());
        assertEquals(4, d.features());
    }

    private static String csvError(Path dir, String content) throws IOException {
        Path f = dir.resolve("bad.csv");
        Files.writeString(f, content);
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Csv.read(f, Csv.Options.defaults()));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        return e.getMessage();
    }

    @Test
    void badCsvFilesAreRejectedWithTheReason(@TempDir Path dir) throws IOException {
        assertTrue(csvError(dir, "1,2,0\n3,4\n").contains("bad.csv:2: 2 columns, the lines before have 3"));
        assertTrue(csvError(dir, "1,2,0\n3,x4,1\n").contains("bad.csv:2:2: 'x4' is not a number"));
        assertTrue(csvError(dir, "1,NaN,0\n").contains("not finite"));
        assertTrue(csvError(dir, "1,Infinity,0\n").contains("not finite"));
        assertTrue(csvError(dir, "").contains("empty"));
        assertTrue(csvError(dir, "\n\n").contains("no data rows"));
        assertTrue(csvError(dir, "1,2,1.5\n").contains("bad.csv:1:3: label '1.5' is not a class id"));
        assertTrue(csvError(dir, "1,2,-1\n").contains("bad.csv:1:3: label '-1'"));
        Path header = dir.resolve("h.csv");
        Files.writeString(header, "a,b,label\n");
        MalformedDataException h = assertThrows(MalformedDataException.class,
                () -> Csv.read(header, Csv.Options.defaults().withHeader(Csv.Header.PRESENT)));
        assertTrue(h.getMessage().contains("header only"), h.getMessage());
        // Non-finite values pass when explicitly allowed.
        Path nan = dir.resolve("nan.csv");
        Files.writeString(nan, "1,NaN,0\n2,3,1\n");
        assertTrue(Float.isNaN(Csv.read(nan, Csv.Options.defaults().withAllowNonFinite(true)).dataset().sample(0)[1]));
    }

    @Test
    void csvWithHeaderAndLabelColumn(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("ok.csv.gz");
        Files.write(f, gzip("label,x,y\n2,0.5,1\n0,1.5,-2\n".getBytes(StandardCharsets.UTF_8)));
        Dataset d = Csv.read(f, Csv.Options.defaults().withHeader(Csv.Header.PRESENT).withLabelColumn(0).withClasses(3)).dataset();
        assertEquals(2, d.size());
        assertEquals(2, d.features());
        assertEquals(2, d.label(0));
        assertArrayEquals(new float[] {1.5f, -2f}, d.sample(1));
    }

    @Test
    void theEmbeddedDigitsAreComplete() throws IOException {
        Dataset d = Datasets.digits();
        assertEquals(1797, d.size());
        assertEquals(64, d.features());
        assertEquals(10, d.classes());
        int[] counts = new int[10];
        float max = 0;
        for (int i = 0; i < d.size(); i++) {
            counts[d.label(i)]++;
            for (float v : d.sample(i)) {
                max = Math.max(max, v);
            }
        }
        for (int c : counts) {
            assertTrue(c > 170 && c < 190, Arrays.toString(counts));
        }
        assertEquals(1f, max, "pixels 0..16 scaled to [0, 1]");
    }

    @Test
    void splitsAreSeededAndDisjoint() throws IOException {
        Dataset d = Datasets.digits();
        Dataset.Split a = d.split(0.25, 3);
        Dataset.Split b = d.split(0.25, 3);
        assertEquals(a.first().size() + a.second().size(), d.size());
        assertEquals(Math.round(d.size() * 0.25), a.second().size());
        assertArrayEquals(a.second().sample(5), b.second().sample(5));
        assertThrows(IllegalArgumentException.class, () -> d.split(0, 1));
        assertThrows(IllegalArgumentException.class, () -> Dataset.of("x", new float[4], 2, new int[] {0, 5}, 3));
    }
}

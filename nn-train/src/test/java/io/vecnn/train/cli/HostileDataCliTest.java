package io.vecnn.train.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line fed hostile data files: one line naming the file and where, exit code 1, and the
 * model saved before untouched; a table as users export it trains.
 */
class HostileDataCliTest {

    private static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(raw);
        }
        return out.toByteArray();
    }

    private static byte[] idx(int type, int[] dims, int payload) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + payload);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.array();
    }

    @Test
    void badDataFilesFailInOneLineAndTheSavedModelStays(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("m.vecnn");
        Cli.Run first = Cli.run("train", "--epochs", "1", "--no-progress", "--out", model.toString());
        assertEquals(0, first.code(), first.err());
        byte[] saved = Files.readAllBytes(model);
        String rows = "0.1,0.2,0\n0.3,0.4,1\n".repeat(20);
        String[][] cases = {
            {rows + "0.5,1.5f,1\n", ":41:2: '1.5f' is not a number"},
            {rows + "0x1p3,0.5,0\n", ":41:1: '0x1p3' is not a number"},
            {rows + "0.5,1e39,1\n", ":41:2: '1e39' is outside float's range"},
            {rows + "NaN,0.5,1\n", ":41:1: value 'NaN' is not finite"},
            {rows + "0.5,\"0.5,1\n", ":41:2: a quoted field is not closed"},
            {rows + "1,2," + "9".repeat(5 << 20) + "\n", ":41: the line is longer than 4194304 characters"},
        };
        for (String[] c : cases) {
            Path csv = dir.resolve("bad.csv");
            Files.writeString(csv, c[0]);
            Cli.Run r = Cli.run("train", "--epochs", "1", "--no-progress", "--data", csv.toString(), "--out", model.toString());
            assertEquals(1, r.code(), c[1] + ": " + r.out() + r.err());
            assertTrue(r.err().startsWith("error: " + csv + c[1]), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertArrayEquals(saved, Files.readAllBytes(model), "the model saved before changed: " + c[1]);
        }
        // An IDX directory whose compressed images claim 2^30 pixels.
        Path idx = Files.createDirectory(dir.resolve("idx"));
        Files.write(idx.resolve("train-images-idx3-ubyte.gz"), gzip(idx(0x08, new int[] {1 << 14, 256, 256}, 16)));
        Files.write(idx.resolve("train-labels-idx1-ubyte"), idx(0x08, new int[] {1 << 14}, 1 << 14));
        Cli.Run bomb = Cli.run("train", "--epochs", "1", "--no-progress", "--data", idx.toString(), "--out", model.toString());
        assertEquals(1, bomb.code(), bomb.err());
        assertTrue(bomb.err().startsWith("error: " + idx.resolve("train-images-idx3-ubyte.gz") + ": truncated: the data ends at byte 32"
                + " of the decompressed data"), bomb.err());
        assertArrayEquals(saved, Files.readAllBytes(model));
    }

    @Test
    void aTableAsUsersExportItTrains(@TempDir Path dir) throws Exception {
        StringBuilder csv = new StringBuilder("\"x\",\"y\",\"kind\"\r\n");
        java.util.Random r = new java.util.Random(4);
        for (int i = 0; i < 300; i++) {
            boolean inner = r.nextBoolean();
            double radius = inner ? r.nextDouble() : 2 + r.nextDouble();
            double angle = r.nextDouble() * 2 * Math.PI;
            csv.append(radius * Math.cos(angle)).append(',').append(radius * Math.sin(angle)).append(',')
                    .append(inner ? "\"inner\"" : "\"outer ring\"").append("\r\n");
        }
        Path data = dir.resolve("rings.csv");
        Files.writeString(data, csv);
        Path model = dir.resolve("rings.vecnn");
        Cli.Run train = Cli.run("train", "--epochs", "30", "--no-progress", "--data", data.toString(), "--out", model.toString());
        assertEquals(0, train.code(), train.err());
        assertTrue(Files.size(model) > 0);
    }
}

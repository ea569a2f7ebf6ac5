package io.vecnn.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static io.vecnn.train.DataReadersTest.gzip;
import static io.vecnn.train.DataReadersTest.idx;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files made by a hostile user (or a broken export): each must fail with a
 * {@link MalformedDataException} whose message starts with the file's name and says where (byte,
 * or line and column), after bounded allocation, leaving the file as it was.
 */
class HostileDataTest {

    /**
     * Bytes allocated by this thread while {@code r} runs (HotSpot's per-thread counter, reached by
     * reflection: the module under test does not read jdk.management).
     */
    private static long allocatedBy(ThrowingRunnable r) throws Exception {
        Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        java.lang.reflect.Method counter = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        long before = (long) counter.invoke(bean);
        r.run();
        return (long) counter.invoke(bean) - before;
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    interface Reader {
        void read(Path file) throws IOException;
    }

    /** Writes {@code content}, reads it, and returns the error's message after checking its form. */
    private static String error(Path file, byte[] content, Reader reader, String where) throws IOException {
        Files.write(file, content);
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> reader.read(file));
        assertTrue(e.getMessage().startsWith(file + where), "expected '" + file + where + "...', got: " + e.getMessage());
        assertArrayEquals(content, Files.readAllBytes(file), "the reader changed its input");
        return e.getMessage();
    }

    private static String idxError(Path dir, byte[] content, String contains) throws IOException {
        Path f = dir.resolve(content.length > 1 && content[0] == 0x1f ? "hostile.gz" : "hostile");
        String m = error(f, content, Idx::read, ": ");
        assertTrue(m.contains(contains), "expected '" + contains + "' in: " + m);
        return m;
    }

    // ---- IDX -------------------------------------------------------------------------------------------

    @Test
    void aTinyCompressedFileClaimingGigabytesAllocatesForItsDataOnly(@TempDir Path dir) throws Exception {
        // 2^30 ubyte values (the most the reader accepts), 4 GiB as floats; 10 bytes of data.
        byte[] bomb = gzip(idx(0x08, new int[] {1024, 1024, 1024}, new byte[10]));
        assertTrue(bomb.length < 64, bomb.length + " bytes");
        long bytes = allocatedBy(() -> idxError(dir, bomb, "truncated: the data ends at byte 26 of the decompressed data"));
        assertTrue(bytes < 16 << 20, "allocated " + bytes + " bytes for a " + bomb.length + "-byte file");
        // The same claim in floats, and through a stream of unknown length (a pipe).
        byte[] floats = gzip(idx(0x0D, new int[] {1 << 28}, new byte[12]));
        long more = allocatedBy(() -> idxError(dir, floats, "the data ends at byte 20 of the decompressed data"));
        assertTrue(more < 16 << 20, "allocated " + more);
        long piped = allocatedBy(() -> assertThrows(MalformedDataException.class, () -> Idx.read(
                new ByteArrayInputStream(idx(0x08, new int[] {1 << 29, 2}, new byte[3])), "pipe", -1, false)));
        assertTrue(piped < 16 << 20, "allocated " + piped);
        // Beyond the limit: refused from the header alone, naming the field.
        idxError(dir, gzip(idx(0x0E, new int[] {1 << 20, 1 << 8}, new byte[0])),
                "dimensions [1048576, 256] (bytes 4-11) describe 2147483648 bytes, more than the 1073741824");
    }

    @Test
    void everyHeaderFieldIsCheckedWhereItIs(@TempDir Path dir) throws IOException {
        idxError(dir, idx(0x08, new int[] {2, 0, 3}, new byte[6]), "dimension 1 is 0 at bytes 8-11");
        idxError(dir, idx(0x08, new int[] {2, 3, -1}, new byte[6]), "dimension 2 is 4294967295 at bytes 12-15");
        idxError(dir, gzip(idx(0x08, new int[] {2, 0}, new byte[0])), "dimension 1 is 0 at bytes 8-11");
        idxError(dir, gzip(new byte[] {0, 0, 8, 3, 0, 0}), "truncated header: the data ends at byte 6 of the decompressed data,"
                + " before dimension 0 of 3 (bytes 4-7)");
        idxError(dir, new byte[] {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1}, "3 dimensions (byte 3) need a 16-byte header, the file has 12");
        idxError(dir, new byte[] {0, 0, 0x0D}, "before the number of dimensions (byte 3)");
        idxError(dir, new byte[] {0x1f}, "truncated header: the data ends at byte 1, before byte 1 of the magic");
        idxError(dir, new byte[] {0x1f, 0, 8, 1}, "wrong magic: bytes 0-1 are 1F 00, an IDX file starts with 00 00");
        idxError(dir, gzip(idx(0x08, new int[] {2}, new byte[5])), "trailing bytes after the 2 bytes of data its dimensions describe"
                + " (from byte 10 of the decompressed data)");
        idxError(dir, idx(0x0B, new int[] {3}, new byte[7]), "1 trailing bytes after the 6 bytes");
    }

    @Test
    void corruptCompressionIsNamed(@TempDir Path dir) throws IOException {
        byte[] good = gzip(idx(0x08, new int[] {64, 64}, new byte[4096]));
        byte[] cut = java.util.Arrays.copyOf(good, good.length - 12);
        idxError(dir, cut, "corrupt or truncated gzip data after ");
        byte[] badCrc = good.clone();
        badCrc[badCrc.length - 6] ^= 1;   // the CRC-32 in the trailer
        idxError(dir, badCrc, "corrupt or truncated gzip data after 4108 decompressed bytes");
    }

    private static byte[] floats(int type, int[] dims, double... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * (type == 0x0D ? 4 : 8));
        for (double v : values) {
            if (type == 0x0D) {
                b.putFloat((float) v);
            } else {
                b.putDouble(v);
            }
        }
        return idx(type, dims, b.array());
    }

    @Test
    void nonFiniteFloatImagesAreRejectedUnlessAllowed(@TempDir Path dir) throws IOException {
        idxError(dir, floats(0x0D, new int[] {2, 3}, 0, 1, 2, 3, 4, Float.NaN), "value NaN at item 1, element 2 (byte 32) is not finite");
        idxError(dir, gzip(floats(0x0D, new int[] {2, 2}, 0, Float.NEGATIVE_INFINITY, 2, 3)),
                "value -Infinity at item 0, element 1 (byte 16 of the decompressed data) is not finite");
        idxError(dir, floats(0x0E, new int[] {3}, 0, Double.POSITIVE_INFINITY, 1), "value Infinity at item 1, element 0 (byte 16)");
        // A finite double beyond float's range is an error even where non-finite values are allowed.
        Path big = dir.resolve("big");
        Files.write(big, floats(0x0E, new int[] {2}, 1, 1e300));
        for (boolean allow : new boolean[] {false, true}) {
            MalformedDataException e = assertThrows(MalformedDataException.class, () -> Idx.read(big, allow));
            assertTrue(e.getMessage().startsWith(big + ": value 1.0E300 at item 1, element 0 (byte 16) is outside float's range"),
                    e.getMessage());
        }
        Path nan = dir.resolve("nan");
        Files.write(nan, floats(0x0D, new int[] {2}, Float.NaN, 1));
        assertTrue(Float.isNaN(Idx.read(nan, true).values()[0]));
        // Labels are never non-finite: a float label file with NaN fails as a label.
        Path images = dir.resolve("images");
        Files.write(images, idx(0x08, new int[] {2, 1}, new byte[2]));
        MalformedDataException label = assertThrows(MalformedDataException.class, () -> Idx.dataset("t", images, nan, 10, 1f));
        assertTrue(label.getMessage().startsWith(nan + ": value NaN at item 0"), label.getMessage());
    }

    @Test
    void devicesAndPipesAreReadWithoutALength() throws IOException {
        Path zero = Path.of("/dev/zero");
        if (Files.exists(zero)) {
            MalformedDataException e = assertThrows(MalformedDataException.class, () -> Idx.read(zero));
            assertEquals("/dev/zero: unknown type code 00 at byte 2 (known: 08 ubyte, 09 byte, 0B short, 0C int, 0D float, 0E double)",
                    e.getMessage());
        }
    }

    // ---- CSV numbers -----------------------------------------------------------------------------------

    private static String csvError(Path dir, String content, Csv.Options options, String where) throws IOException {
        return error(dir.resolve("hostile.csv"), content.getBytes(StandardCharsets.UTF_8), f -> Csv.read(f, options), where);
    }

    private static String csvError(Path dir, String content, String where) throws IOException {
        return csvError(dir, content, Csv.Options.defaults(), where);
    }

    @Test
    void onlyPlainDecimalNumbersAreFeatures(@TempDir Path dir) throws IOException {
        String[] notNumbers = {"1.5f", "2d", "2D", "1.5F", "0x1p3", "0x10", "1_000", "1e", "e5", "--1", "+-1", ".", "1.2.3", "1 2",
            "１", "٣", "1e+", "Infinityx", "NaN1", "0b101", "1L", "five", "1,"};
        for (String t : notNumbers) {
            String q = t.contains(",") ? "\"" + t + "\"" : t;
            String m = csvError(dir, "0.5,2,0\n1.5," + q + ",1\n", ":2:2: ");
            assertTrue(m.contains("'" + t + "' is not a number"), t + ": " + m);
        }
        // What the grammar takes: sign, fraction alone, exponent of either case and sign, blanks around.
        Path ok = dir.resolve("ok.csv");
        Files.writeString(ok, "+1,-.5,1.,1e3, 2.5E-2 ,\t-0,0\n7,1e-50,123456789.0,3.4e38,0.1,1E+1,1\n");
        Dataset d = Csv.read(ok, Csv.Options.defaults()).dataset();
        assertArrayEquals(new float[] {1, -0.5f, 1, 1000, 0.025f, -0f}, d.sample(0));
        assertArrayEquals(new float[] {7, 0f, 123456789f, 3.4e38f, 0.1f, 10}, d.sample(1));
    }

    @Test
    void nonFiniteWordsNeedTheOptionAndOverflowIsAlwaysAnError(@TempDir Path dir) throws IOException {
        for (String t : new String[] {"NaN", "nan", "-nan", "Infinity", "-Infinity", "inf", "+INF", "-inf"}) {
            String m = csvError(dir, "1," + t + ",0\n", ":1:2: ");
            assertTrue(m.contains("value '" + t + "' is not finite"), m);
        }
        Csv.Options allow = Csv.Options.defaults().withAllowNonFinite(true);
        Path f = dir.resolve("nonfinite.csv");
        Files.writeString(f, "nan,-inf,Infinity,0\n");
        assertArrayEquals(new float[] {Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY},
                Csv.read(f, allow).dataset().sample(0));
        for (String t : new String[] {"1e39", "-1e39", "3.5e38", "1" + "0".repeat(39), "1e2147483648"}) {
            for (Csv.Options o : new Csv.Options[] {Csv.Options.defaults(), allow}) {
                String m = csvError(dir, "1,2,0\n3," + t + ",1\n", o, ":2:2: ");
                assertTrue(m.contains(" is outside float's range"), m);
            }
        }
    }

    /** Short numbers take a fast path: it must give exactly what Float.parseFloat gives. */
    @Test
    void theFastNumberPathRoundsLikeParseFloat() {
        Random r = new Random(1);
        for (int i = 0; i < 200_000; i++) {
            String t = switch (i % 4) {
                case 0 -> Integer.toString(r.nextInt(1 << 25) - (1 << 24));
                case 1 -> (r.nextInt(1 << 24)) + "e" + (r.nextInt(24) - 12);
                case 2 -> "0." + "0".repeat(r.nextInt(4)) + r.nextInt(1 << 24);
                default -> Float.toString(Float.intBitsToFloat(r.nextInt()) % 1e12f);
            };
            if (t.contains("N") || t.contains("I")) {
                continue;
            }
            char[] c = t.toCharArray();
            float fast = Csv.toFloat(c, 0, c.length);
            assertEquals(Float.floatToIntBits(Float.parseFloat(t)), Float.floatToIntBits(fast), t);
        }
    }

    // ---- CSV lines -------------------------------------------------------------------------------------

    /** An endless first line of "1,1,1,...", produced on the fly. */
    private static InputStream endlessLine(long bytes) {
        return new InputStream() {
            long left = bytes;

            @Override
            public int read() {
                return left-- > 0 ? (left % 2 == 0 ? ',' : '1') : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                for (int i = 0; i < n; i++) {
                    b[off + i] = (byte) (--left % 2 == 0 ? ',' : '1');
                }
                return n;
            }
        };
    }

    @Test
    void aHugeLineFailsNamingItWithoutHoldingIt(@TempDir Path dir) throws Exception {
        long bytes = allocatedBy(() -> {
            MalformedDataException e = assertThrows(MalformedDataException.class,
                    () -> Csv.read(endlessLine(64L << 20), "endless.csv", Csv.Options.defaults()));
            assertTrue(e.getMessage().startsWith("endless.csv:1: the line is longer than 4194304 characters"), e.getMessage());
        });
        assertTrue(bytes < 96 << 20, "a 64 MiB line allocated " + bytes + " bytes");
        // One field without a comma, on line 3; a quoted field that never closes, opened on line 2.
        String longField = "1,2,0\n3,4,1\n" + "5".repeat(2000) + ",0\n";
        String m = csvError(dir, longField, Csv.Options.defaults().withMaxLineLength(1000), ":3: ");
        assertTrue(m.contains("the line is longer than 1000 characters"), m);
        String open = "1,2,0\n\"3\n" + "4\n".repeat(1000) + ",1\n";
        assertTrue(csvError(dir, open, Csv.Options.defaults().withMaxLineLength(1000), ":2: ").contains("longer than 1000"));
        assertTrue(csvError(dir, "1,2,0\n\"3,4,1\n", ":2:1: ").contains("a quoted field is not closed before the end of the file"));
    }

    @Test
    void brokenQuotingEncodingAndCompressionAreNamed(@TempDir Path dir) throws IOException {
        assertTrue(csvError(dir, "1,2,0\n3,\"4\"x,1\n", ":2:2: ").contains("'x' after a closing quote"));
        assertTrue(csvError(dir, "1,2,0\n3,4\"5,1\n", ":2:2: ").contains("a quote inside an unquoted field"));
        // Invalid UTF-8 (a lone continuation byte) on line 3, at byte 14.
        byte[] bad = "1,2,a\n3,4,b\n5,\u00e9,c\n".getBytes(StandardCharsets.UTF_8);
        bad[14] = (byte) 0xA9;
        Path f = dir.resolve("latin.csv");
        String m = error(f, bad, p -> Csv.read(p, Csv.Options.defaults()), ":3: ");
        assertTrue(m.contains("not valid UTF-8 (byte 14)"), m);
        byte[] gz = gzip("1,2,0\n".repeat(5000).getBytes(StandardCharsets.UTF_8));
        Path cut = dir.resolve("cut.csv.gz");
        String c = error(cut, java.util.Arrays.copyOf(gz, gz.length / 2), p -> Csv.read(p, Csv.Options.defaults()), ":");
        assertTrue(c.contains("corrupt or truncated gzip data"), c);
        // Control characters are shown escaped, long fields cut.
        String ctl = csvError(dir, "1,2,0\n3,\u0000\u0007" + "x".repeat(100) + ",1\n", ":2:2: ");
        assertTrue(ctl.contains("'\\u0000\\u0007xxx") && ctl.contains("...' (102 characters)"), ctl);
        assertTrue(csvError(dir, "1;2;0\n3;4;1\n", ":1: ").contains("this line has semicolons"));
        assertTrue(csvError(dir, "1,,0\n", ":1:2: ").contains("an empty field (a missing value)"));
        assertTrue(csvError(dir, "1,2,0\n1,2,\n", ":2:3: ").contains("an empty label"));
        assertTrue(csvError(dir, "1,2,0\n1,2,3,4\n", ":2: ").contains("4 columns, the lines before have 3"));
    }

    // ---- CSV as users bring it -------------------------------------------------------------------------

    private static Csv.Table table(Path dir, String content, Csv.Options options) throws IOException {
        Path f = dir.resolve("table.csv");
        Files.writeString(f, content);
        return Csv.read(f, options);
    }

    @Test
    void anExportedTableWithAHeaderAndNamedClassesReads(@TempDir Path dir) throws IOException {
        // As R's write.csv and spreadsheets write it: quoted header, byte-order mark, CRLF, quoted class names.
        String iris = "\uFEFF\"sepal.length\",\"sepal.width\",\"species\"\r\n5.1,3.5,\"setosa\"\r\n6.3,2.5,\"virginica\"\r\n"
                + "5.9,3.0,\"versicolor\"\r\n4.9,3.1,\"setosa\"\r\n";
        Csv.Table t = table(dir, iris, Csv.Options.defaults());
        assertEquals(List.of("sepal.length", "sepal.width"), t.featureNames());
        assertEquals(List.of("setosa", "versicolor", "virginica"), t.classNames());
        Dataset d = t.dataset();
        assertEquals(4, d.size());
        assertEquals(3, d.classes());
        assertEquals(List.of(0, 2, 1, 0), List.of(d.label(0), d.label(1), d.label(2), d.label(3)));
        assertArrayEquals(new float[] {6.3f, 2.5f}, d.sample(1));
        // The same rows in another order give the same class ids.
        List<String> rows = new ArrayList<>(List.of("5.1,3.5,setosa", "6.3,2.5,virginica", "5.9,3.0,versicolor", "4.9,3.1,setosa"));
        Collections.shuffle(rows, new Random(3));
        Csv.Table shuffled = table(dir, "a,b,species\n" + String.join("\n", rows) + "\n", Csv.Options.defaults());
        assertEquals(t.classNames(), shuffled.classNames());
        for (int i = 0; i < 4; i++) {
            int expected = switch (rows.get(i).substring(rows.get(i).lastIndexOf(',') + 1)) {
                case "setosa" -> 0;
                case "versicolor" -> 1;
                default -> 2;
            };
            assertEquals(expected, shuffled.dataset().label(i), rows.get(i));
        }
    }

    @Test
    void theLabelColumnByNameOrIndex(@TempDir Path dir) throws IOException {
        String content = "label,x,y\n2,0.5,1\n0,1.5,-2\n";
        Csv.Table byName = table(dir, content, Csv.Options.defaults().withLabelName("label"));
        assertEquals(List.of("x", "y"), byName.featureNames());
        assertEquals(List.of("0", "1", "2"), byName.classNames());
        assertArrayEquals(new float[] {1.5f, -2f}, byName.dataset().sample(1));
        Csv.Table byIndex = table(dir, content, Csv.Options.defaults().withLabelColumn(0));
        assertEquals(byName.featureNames(), byIndex.featureNames());
        assertEquals(2, byIndex.dataset().label(0));
        // A header of numbers only is not detected, but can be forced.
        Csv.Table forced = table(dir, "1,2,3\n0.5,1,0\n0.7,2,1\n", Csv.Options.defaults().withHeader(Csv.Header.PRESENT));
        assertEquals(List.of("1", "2"), forced.featureNames());
        assertEquals(2, forced.dataset().size());
        Csv.Table none = table(dir, "1,2,0\n0.5,1,1\n", Csv.Options.defaults());
        assertEquals(List.of(), none.featureNames());
        assertEquals(2, none.dataset().size());
        // String labels and no header: the first line is data.
        Csv.Table plain = table(dir, "5.1,3.5,setosa\n6.3,2.5,virginica\n", Csv.Options.defaults());
        assertEquals(2, plain.dataset().size());
        assertEquals(List.of("setosa", "virginica"), plain.classNames());

        assertTrue(csvError(dir, content, Csv.Options.defaults().withLabelName("class"), ":1: ")
                .contains("no column is named 'class'; the header has label, x, y"));
        assertTrue(csvError(dir, "x,x,y\n1,2,3\n", Csv.Options.defaults().withLabelName("x"), ":1: ")
                .contains("columns 1 and 2 are both named 'x'"));
        assertTrue(csvError(dir, content, Csv.Options.defaults().withLabelColumn(3), ":1: ")
                .contains("label column index 3 (counted from 0) does not exist: the line has 3 columns"));
        assertTrue(csvError(dir, "a,b,c\n", ": ").contains("no data rows (header only)"));
        IllegalArgumentException noHeader = assertThrows(IllegalArgumentException.class,
                () -> Csv.Options.defaults().withHeader(Csv.Header.ABSENT).withLabelName("label"));
        assertTrue(noHeader.getMessage().contains("no header"), noHeader.getMessage());
    }

    @Test
    void classNamesFromTrainingMapATestFile(@TempDir Path dir) throws IOException {
        List<String> names = List.of("setosa", "versicolor", "virginica");
        Csv.Options known = Csv.Options.defaults().withClassNames(names);
        Csv.Table test = table(dir, "a,b,species\n1,2,virginica\n3,4,virginica\n", known);
        assertEquals(names, test.classNames());
        assertEquals(3, test.dataset().classes());
        assertEquals(2, test.dataset().label(1));
        assertTrue(csvError(dir, "a,b,species\n1,2,virginica\n3,4,Setosa\n", known, ":3:3: ")
                .contains("label 'Setosa' is not one of the 3 classes ['setosa', 'versicolor', 'virginica']"));
        // Numeric labels written as "1.0" are the class named "1".
        Csv.Table numeric = table(dir, "1,1.0\n2,0\n", Csv.Options.defaults().withClassNames(List.of("0", "1")));
        assertEquals(1, numeric.dataset().label(0));
    }

    @Test
    void labelsThatAreNoClassesAreNamed(@TempDir Path dir) throws IOException {
        assertTrue(csvError(dir, "1,2,0\n1,2,1e-400\n", ":2:3: ").contains("label '1e-400' is not a class id"));
        assertTrue(csvError(dir, "1,2,0\n1,2,100000\n", ":2:3: ").contains("implies more than 65536 classes"));
        assertTrue(csvError(dir, "1,2,0\n1,2,7\n", Csv.Options.defaults().withClasses(5), ":2:3: ")
                .contains("label '7' is not a class 0..4"));
        assertTrue(csvError(dir, "1,2,cat\n1,2,cat\n", ":1:3: ").contains("is the only class name"));
        assertTrue(csvError(dir, "1,2,cat\n1,2,dog\n", Csv.Options.defaults().withClasses(3), ": ")
                .contains("2 class names in column 3 ['cat', 'dog'], but 3 classes were asked for"));
        // A column of identifiers is no label column: refused before the map of names grows without bound.
        StringBuilder ids = new StringBuilder();
        for (int i = 0; i <= Csv.MAX_INFERRED_CLASSES; i++) {
            ids.append("1,id").append(i).append('\n');
        }
        assertTrue(csvError(dir, ids.toString(), ":65537:2: ").contains("more than 65536 distinct labels"));
    }
}

package io.vecnn.interop;

import io.vecnn.api.Matrix;
import io.vecnn.api.Model;
import io.vecnn.api.Parameter;
import io.vecnn.layers.Activations;
import io.vecnn.layers.Dense;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest {
    @TempDir
    Path dir;

    private static Model mlp(long seed) {
        return Model.builder(5).add(Dense.of(4, Activations.relu())).add(Dense.of(3)).seed(seed).build();
    }

    static float[] flat(Matrix m) {
        return java.util.Arrays.copyOfRange(m.data(), m.offset(), m.offset() + m.size());
    }

    private static List<float[]> values(Model m) {
        List<float[]> l = new ArrayList<>();
        for (Parameter p : m.parameters()) {
            l.add(flat(p.value()));
        }
        return l;
    }

    @Test
    void saveThenLoadIsBitExactAndPredictsTheSame() throws IOException {
        Model a = mlp(1);
        Ort.randomizeParameters(a, 7);
        Path f = dir.resolve("a.safetensors");
        SafeTensors.save(a, f);
        Model b = mlp(2);
        SafeTensors.load(f, b);
        List<float[]> va = values(a);
        List<float[]> vb = values(b);
        for (int i = 0; i < va.size(); i++) {
            assertArrayEquals(va.get(i), vb.get(i), a.parameters().get(i).name());
        }
        Matrix x = Ort.random(3, 5, new SplittableRandom(3));
        assertArrayEquals(flat(a.predict(x)), flat(b.predict(x)));
    }

    @Test
    void fileHasPyTorchShapesVecnnNamesAndPtMetadata() throws IOException {
        Model a = mlp(1);
        Path f = dir.resolve("a.safetensors");
        SafeTensors.save(a, f);
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(List.of("dense1.weight", "dense1.bias", "dense2.weight", "dense2.bias"), List.copyOf(c.tensors().keySet()));
        assertArrayEquals(new long[] {4, 5}, c.tensors().get("dense1.weight").shape(), "out × in, as nn.Linear.weight");
        assertArrayEquals(new long[] {4}, c.tensors().get("dense1.bias").shape());
        assertEquals("pt", c.metadata().get("format"));
        assertTrue(c.metadata().get("producer").startsWith("vecnn "));
        Dense d1 = (Dense) a.nodes().get(0);
        assertArrayEquals(flat(d1.weight().value()), c.tensors().get("dense1.weight").values());
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8, "the data section starts 8-byte aligned");
    }

    @Test
    void wrongShapeMissingAndExtraTensorsAreRefusedAndLeaveTheModelUnchanged() throws IOException {
        Model m = mlp(1);
        List<float[]> before = values(m);
        Map<String, SafeTensors.Tensor> good = SafeTensors.read(save(mlp(5))).tensors();

        Map<String, SafeTensors.Tensor> transposed = new java.util.LinkedHashMap<>(good);
        transposed.put("dense2.weight", new SafeTensors.Tensor(new long[] {4, 3}, new float[12]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.load(write(transposed), m));
        assertTrue(e.getMessage().contains("'dense2.weight'") && e.getMessage().contains("[4, 3]")
                && e.getMessage().contains("[3, 4]"), e.getMessage());

        Map<String, SafeTensors.Tensor> missing = new java.util.LinkedHashMap<>(good);
        missing.remove("dense1.bias");
        e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.load(write(missing), m));
        assertTrue(e.getMessage().contains("no tensor 'dense1.bias'"), e.getMessage());

        Map<String, SafeTensors.Tensor> extra = new java.util.LinkedHashMap<>(good);
        extra.put("num_batches_tracked", new SafeTensors.Tensor(new long[0], new float[1]));
        e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.load(write(extra), m));
        assertTrue(e.getMessage().contains("does not have: num_batches_tracked"), e.getMessage());

        List<float[]> after = values(m);
        for (int i = 0; i < before.size(); i++) {
            assertArrayEquals(before.get(i), after.get(i), "the model is unchanged");
        }
    }

    @Test
    void nameMappingReadsPyTorchSequentialNames() throws IOException {
        Model a = mlp(1);
        Ort.randomizeParameters(a, 9);
        Map<String, String> torchIndex = Map.of("dense1", "0", "dense2", "2");
        java.util.function.UnaryOperator<String> names = n -> torchIndex.get(n.substring(0, n.indexOf('.'))) + n.substring(n.indexOf('.'));
        Path f = dir.resolve("seq.safetensors");
        SafeTensors.save(a, f, names);
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(SafeTensors.read(f).tensors().keySet()));
        Model b = mlp(2);
        SafeTensors.load(f, b, names);
        assertArrayEquals(values(a).get(2), values(b).get(2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.load(f, b, n -> "same"));
        assertTrue(e.getMessage().contains("'same'"), e.getMessage());
    }

    @Test
    void nonZeroValuesWhereTheMaskHasNoConnectionAreRefused() throws IOException {
        boolean[][] mask = {{true, false}, {true, true}};
        Model m = Model.builder(2).add(Dense.of(2).mask(mask)).build();
        Map<String, SafeTensors.Tensor> t = Map.of(
                "dense1.weight", new SafeTensors.Tensor(new long[] {2, 2}, new float[] {1, 2, 3, 4}),
                "dense1.bias", new SafeTensors.Tensor(new long[] {2}, new float[] {0, 0}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.load(write(t), m));
        assertTrue(e.getMessage().contains("element 1") && e.getMessage().contains("mask"), e.getMessage());
    }

    @Test
    void f16AndBf16AreWidenedExactly() throws IOException {
        // 1, −2.5, 65504 (F16's largest), 2^−24 (its smallest subnormal); BF16: 1, −2.5, 3.0e38-ish, 2^−133.
        short[] f16 = {0x3C00, (short) 0xC100, 0x7BFF, 0x0001};
        float[] f16Values = {1f, -2.5f, 65504f, 0x1p-24f};
        float[] bf16Values = {1f, -2.5f, Float.intBitsToFloat(0x7F7F0000), Float.intBitsToFloat(0x00010000)};
        ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : f16) {
            data.putShort(s);
        }
        for (float v : bf16Values) {
            data.putShort((short) (Float.floatToRawIntBits(v) >>> 16));
        }
        Path f = file("{\"h\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[8,16]}}", data.array());
        SafeTensors.Contents c = SafeTensors.read(f);
        assertArrayEquals(f16Values, c.tensors().get("h").values());
        assertArrayEquals(bf16Values, c.tensors().get("b").values());
        assertArrayEquals(new long[] {2, 2}, c.tensors().get("b").shape());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "F64|would be rounded",
            "I64|vecnn reads F32, F16 and BF16",
    })
    void otherDtypesAreRefusedNamingTheTensor(String dtype, String message) throws IOException {
        Path f = file("{\"w\":{\"dtype\":\"" + dtype + "\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]);
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains(message) && e.getMessage().contains(f.toString()),
                e.getMessage());
    }

    /** Each malformed header or layout, with a fragment of the error it must produce. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "` {}`|does not start with '{'",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}|not valid JSON (at line 1 column 54)",
            "{\"a\":[]}|not the expected JSON: Expected BEGIN_OBJECT but was BEGIN_ARRAY",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}|names 'a' twice",
            "{\"a\":{\"dtype\":\"F33\",\"shape\":[2],\"data_offsets\":[0,8]}}|dtype 'F33'",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"extra\":1}}|unknown field 'extra'",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}|not a non-negative integer",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}|not a non-negative integer",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}|not [begin, end]",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}|lacks data_offsets",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}|ok",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[2,6]}}|'b' starts at byte 2 of the data, expected 4",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}|'a' starts at byte 4 of the data, expected 0",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}|takes 12 bytes",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}|overflows",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}|the tensors cover 4 bytes of data, the file holds 8",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}|the tensors cover 16 bytes of data, the file holds 8 after its header (it is truncated)",
            "{\"__metadata__\":{\"k\":1}}|metadata 'k' is not a string",
            "{}  x|not valid JSON (at line 1 column 6)",
    })
    void malformedFilesAreRefusedNamingWhatIsWrong(String header, String message) throws IOException {
        Path f = file(header, new byte[8]);
        if (message.equals("ok")) {
            assertEquals(2, SafeTensors.read(f).tensors().size(), "offsets may come in any order in the header");
            return;
        }
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains(message) && e.getMessage().startsWith(f.toString()), e.getMessage());
    }

    @Test
    void headerLengthIsBoundedAndMustFitTheFile() throws IOException {
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertMessage(tiny, "fewer than the 8");
        Path huge = raw(100_000_001L, "{}".getBytes(StandardCharsets.UTF_8));
        assertMessage(huge, "exceeds the limit of 100000000");
        Path negative = raw(-1L, "{}".getBytes(StandardCharsets.UTF_8));
        assertMessage(negative, "18446744073709551615 exceeds the limit");
        Path beyond = raw(50, "{}".getBytes(StandardCharsets.UTF_8));
        assertMessage(beyond, "exceeds the file's 2 bytes");
        Path notUtf8 = raw(2, new byte[] {'{', (byte) 0xFF});
        assertMessage(notUtf8, "not valid UTF-8");
    }

    private void assertMessage(Path f, String fragment) {
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void writeRefusesAReservedNameAndAShapeThatDoesNotHoldTheValues() {
        assertThrows(IllegalArgumentException.class, () -> new SafeTensors.Tensor(new long[] {2, 2}, new float[3]));
        Map<String, SafeTensors.Tensor> t = Map.of("__metadata__", new SafeTensors.Tensor(new long[] {1}, new float[1]));
        assertThrows(IllegalArgumentException.class, () -> write(t));
    }

    private Path save(Model m) throws IOException {
        Path f = Files.createTempFile(dir, "m", ".safetensors");
        SafeTensors.save(m, f);
        return f;
    }

    private Path write(Map<String, SafeTensors.Tensor> tensors) throws IOException {
        Path f = Files.createTempFile(dir, "t", ".safetensors");
        SafeTensors.write(f, new SafeTensors.Contents(tensors, Map.of()));
        return f;
    }

    private Path file(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        out.writeBytes(h);
        out.writeBytes(data);
        Path f = Files.createTempFile(dir, "h", ".safetensors");
        Files.write(f, out.toByteArray());
        return f;
    }

    private Path raw(long headerLength, byte[] rest) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerLength).array());
        out.writeBytes(rest);
        Path f = Files.createTempFile(dir, "r", ".safetensors");
        Files.write(f, out.toByteArray());
        return f;
    }
}

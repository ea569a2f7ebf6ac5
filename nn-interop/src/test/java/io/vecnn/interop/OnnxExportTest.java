package io.vecnn.interop;

import io.vecnn.api.Activation;
import io.vecnn.api.Layer;
import io.vecnn.api.LayerConfig;
import io.vecnn.api.Matrix;
import io.vecnn.api.Model;
import io.vecnn.api.Shape;
import io.vecnn.interop.onnx.proto.OnnxProto;
import io.vecnn.layers.Activations;
import io.vecnn.layers.Add;
import io.vecnn.layers.Concat;
import io.vecnn.layers.Dense;
import io.vecnn.layers.Dropout;
import io.vecnn.layers.Flatten;
import io.vecnn.layers.LayerNorm;
import io.vecnn.layers.Embedding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OnnxExportTest {
    @ParameterizedTest
    @ValueSource(strings = {"identity", "sigmoid", "tanh", "relu", "leaky_relu(0.2)", "elu(0.7)", "gelu", "gelu_erf", "softplus",
            "silu", "softmax"})
    void everyBuiltinActivationMatchesPredict(String name) throws Exception {
        Activation f = Activations.named(name);
        Model m = Model.builder(5).add(Dense.of(9, f)).add(Dense.of(4, f)).seed(name.hashCode()).build();
        Ort.randomizeParameters(m, 11);
        double worst = Ort.checkAgainstPredict(m, 12);
        System.out.printf("ONNX %s: worst relative error %.2e%n", name, worst);
    }

    @Test
    void layerNormOnFeatureVectorsAndOverTheLastDimensionOfImages() throws Exception {
        Model v = Model.builder(6).add(Dense.of(9, Activations.geluErf())).add(LayerNorm.of()).add(Dense.of(4)).build();
        Ort.randomizeParameters(v, 31);
        System.out.printf("ONNX layer_norm: worst relative error %.2e%n", Ort.checkAgainstPredict(v, 32));
        Model img = Model.builder(Shape.image(2, 3, 5)).add(LayerNorm.of(1e-3f)).add(Flatten.of()).add(Dense.of(3)).build();
        Ort.randomizeParameters(img, 33);
        Ort.checkAgainstPredict(img, 34);
    }

    @Test
    void embeddingIsCastAndGather() throws Exception {
        Model m = Model.builder(4).add(Embedding.of(11, 3)).add(Flatten.of()).add(Dense.of(2, Activations.tanh())).build();
        byte[] onnx = OnnxExport.toBytes(m);
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        for (int batch : new int[] {1, 7}) {
            Matrix ids = Matrix.zeros(batch, 4);
            for (int i = 0; i < ids.size(); i++) {
                ids.data()[i] = r.nextInt(11);
            }
            Ort.assertClose(m.predict(ids), Ort.run(onnx, m, ids), "embedding, batch " + batch);
        }
    }

    @Test
    void denseWithoutBiasAndDropoutMidwayAndLast() throws Exception {
        Model m = Model.builder(6)
                .add(Dense.of(8, Activations.relu()).bias(false))
                .add(Dropout.of(0.5f))
                .add(Dense.of(3, Activations.tanh()))
                .add(Dropout.of(0.25f))
                .build();
        Ort.randomizeParameters(m, 21);
        Ort.checkAgainstPredict(m, 22);
    }

    @Test
    void flattenOfAnImageInput() throws Exception {
        Model m = Model.builder(Shape.image(2, 3, 4))
                .add(Flatten.of())
                .add(Dense.of(5, Activations.relu()))
                .add(Dense.of(3, Activations.softmax()))
                .build();
        Ort.randomizeParameters(m, 31);
        Ort.checkAgainstPredict(m, 32);
        OnnxProto.ModelProto p = OnnxProto.ModelProto.parseFrom(OnnxExport.toBytes(m));
        List<OnnxProto.TensorShapeProto.Dimension> dims = p.getGraph().getInput(0).getType().getTensorType().getShape().getDimList();
        assertEquals("batch", dims.get(0).getDimParam());
        assertEquals(List.of(2L, 3L, 4L), dims.subList(1, 4).stream().map(d -> d.getDimValue()).toList(), "NCHW input");
    }

    @Test
    void graphWithResidualAddConcatAndTwoInputs() throws Exception {
        Model m = Model.graph()
                .input("x", Shape.of(6))
                .input("y", Shape.of(3))
                .add("a", Dense.of(6, Activations.tanh()), "x")
                .add("residual", Add.of(), "x", "a")
                .add("b", Dense.of(4, Activations.gelu()), "residual")
                .add("cat", Concat.of(), "residual", "b", "y")
                .add("out", Dense.of(3, Activations.softmax()), "cat")
                .build();
        Ort.randomizeParameters(m, 41);
        Ort.checkAgainstPredict(m, 42);
    }

    @Test
    void addOfThreeInputsAndAnOutputThatIsNotTheLastNode() throws Exception {
        Model m = Model.graph()
                .input("x", Shape.of(4))
                .add("a", Dense.of(4, Activations.relu()), "x")
                .add("b", Dense.of(4, Activations.sigmoid()), "x")
                .add("sum", Add.of(), "x", "a", "b")
                .add("unused", Dense.of(2), "sum")
                .output("sum")
                .build();
        Ort.randomizeParameters(m, 51);
        Ort.checkAgainstPredict(m, 52);
    }

    @Test
    void fileHoldsOpset17AndPyTorchShapedInitializersUnderVecnnNames(@TempDir Path dir) throws Exception {
        Model m = Model.builder(5).add(Dense.of(3, Activations.relu())).add(Dense.of(2)).build();
        Path file = dir.resolve("m.onnx");
        OnnxExport.write(m, file);
        OnnxProto.ModelProto p = OnnxProto.ModelProto.parseFrom(Files.readAllBytes(file));
        assertEquals(17, p.getOpsetImport(0).getVersion());
        assertEquals("", p.getOpsetImport(0).getDomain());
        assertEquals("vecnn", p.getProducerName());
        Map<String, List<Long>> dims = p.getGraph().getInitializerList().stream()
                .collect(Collectors.toMap(t -> t.getName(), t -> t.getDimsList()));
        assertEquals(Map.of("dense1.weight", List.of(3L, 5L), "dense1.bias", List.of(3L),
                "dense2.weight", List.of(2L, 3L), "dense2.bias", List.of(2L)), dims);
        assertEquals(List.of("Gemm", "Relu", "Gemm"), p.getGraph().getNodeList().stream().map(n -> n.getOpType()).toList());
        assertEquals("dense2", p.getGraph().getOutput(0).getName());
    }

    @Test
    void userDefinedActivationIsRefusedNamingTheLayerAndNothingIsWritten(@TempDir Path dir) throws Exception {
        Activation swish = Activation.elementwise("swish", z -> z / (1 + Math.exp(-z)), (z, h) -> 0);
        Model m = Model.builder(4).add(Dense.of(3, Activations.relu())).add(Dense.of(2, swish).name("head")).build();
        Path file = dir.resolve("m.onnx");
        Files.write(file, new byte[] {1, 2, 3});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.write(m, file));
        assertTrue(e.getMessage().contains("'head'") && e.getMessage().contains("'swish'") && e.getMessage().contains("user-defined"),
                e.getMessage());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(file), "the existing file is untouched");
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
    }

    @Test
    void aUserFunctionUnderABuiltinNameIsRefused() {
        Activation fakeRelu = Activation.elementwise("relu", z -> Math.max(z, 0.5 * z), (z, h) -> 1);
        Model m = Model.builder(4).add(Dense.of(2, fakeRelu)).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.toBytes(m));
        assertTrue(e.getMessage().contains("'dense1'") && e.getMessage().contains("user-defined"), e.getMessage());
    }

    @Test
    void perUnitActivationIsRefused() {
        Activation mixed = Activation.perUnit(Activations.relu(), Activations.tanh());
        Model m = Model.builder(4).add(Dense.of(2, mixed)).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.toBytes(m));
        assertTrue(e.getMessage().contains("'dense1'") && e.getMessage().contains("per-unit(relu,tanh)"), e.getMessage());
    }

    @Test
    void unknownNodeTypeIsRefusedNamingTheNodeAndTheKnownTypes() {
        Model m = Model.builder(4).add(Dense.of(4)).add(new Scale("scale7", "test-scale", 4)).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.toBytes(m));
        assertTrue(e.getMessage().contains("'scale7'") && e.getMessage().contains("'test-scale'")
                && e.getMessage().contains("dense"), e.getMessage());
    }

    @Test
    void anotherClassClaimingABuiltinTypeNameIsRefused() {
        Model m = Model.builder(4).add(new Scale("impostor", Dense.TYPE, 4)).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.toBytes(m));
        assertTrue(e.getMessage().contains("'impostor'") && e.getMessage().contains(Scale.class.getName()), e.getMessage());
    }

    /** A layer the exporter does not know: y = 2x. */
    record Scale(String name, String type, int width) implements Layer {
        @Override
        public Shape inputShape() {
            return Shape.of(width);
        }

        @Override
        public Shape outputShape() {
            return Shape.of(width);
        }

        @Override
        public LayerConfig config() {
            return LayerConfig.empty();
        }

        @Override
        public State newState() {
            return new State() {
            };
        }

        @Override
        public Matrix forward(Matrix input, State state) {
            Matrix y = input.copy();
            for (int i = 0; i < y.size(); i++) {
                y.data()[y.offset() + i] *= 2;
            }
            return y;
        }

        @Override
        public Matrix backward(Matrix outputGradient, State state, boolean needInputGradient) {
            throw new UnsupportedOperationException();
        }
    }

    /** Running statistics away from 0 and 1, so that the exported BatchNormalization uses them visibly. */
    private static void randomizeBuffers(Model m, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (io.vecnn.api.Node.Buffer b : m.buffers()) {
            float[] d = b.value().data();
            boolean variance = b.name().endsWith("running_var");
            for (int i = 0; i < b.value().size(); i++) {
                d[b.value().offset() + i] = (float) (variance ? 0.2 + 2 * r.nextDouble() : r.nextDouble() * 2 - 1);
            }
        }
    }

    @Test
    void convolutionPoolingAndBatchNormMatchPredict() throws Exception {
        Model cnn = Model.builder(Shape.image(3, 9, 8))
                .add(io.vecnn.layers.Conv2D.of(4, 3).padding(1).bias(false))
                .add(io.vecnn.layers.BatchNorm.of(Activations.relu()))
                .add(io.vecnn.layers.Pool2D.max(2))
                .add(io.vecnn.layers.Conv2D.of(5, 2).stride(2).padding(1).activation(Activations.tanh()))
                .add(io.vecnn.layers.Pool2D.average(3, 1, 1))
                .add(io.vecnn.layers.Pool2D.max(3, 2, 1))
                .add(io.vecnn.layers.Pool2D.globalAverage())
                .add(Flatten.of())
                .add(Dense.of(6))
                .add(io.vecnn.layers.BatchNorm.of(Activations.sigmoid()))
                .add(Dense.of(3))
                .build();
        Ort.randomizeParameters(cnn, 41);
        randomizeBuffers(cnn, 42);
        System.out.printf("ONNX conv/pool/batch_norm: worst relative error %.2e%n", Ort.checkAgainstPredict(cnn, 43));
        OnnxProto.ModelProto p = OnnxProto.ModelProto.parseFrom(OnnxExport.toBytes(cnn));
        List<String> ops = p.getGraph().getNodeList().stream().map(OnnxProto.NodeProto::getOpType).toList();
        assertTrue(ops.containsAll(List.of("Conv", "BatchNormalization", "MaxPool", "AveragePool", "GlobalAveragePool")), ops.toString());
        OnnxProto.TensorProto w = p.getGraph().getInitializerList().stream().filter(t -> t.getName().equals("conv2d1.weight"))
                .findFirst().orElseThrow();
        assertEquals(List.of(4L, 3L, 3L, 3L), w.getDimsList(), "PyTorch's [O, C, kh, kw]");
    }
}

package io.vecnn.layers;

import io.vecnn.api.BuildContext;
import io.vecnn.api.GradientCheck;
import io.vecnn.api.Matrix;
import io.vecnn.api.Mode;
import io.vecnn.api.Model;
import io.vecnn.api.Node;
import io.vecnn.api.Parameter;
import io.vecnn.api.Registry;
import io.vecnn.api.Shape;
import io.vecnn.api.ShapeException;
import io.vecnn.kernels.Kernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Conv2D, pooling and batch normalization: gradient checks at batch 1 and 4, a plain double-loop
 * convolution, PyTorch's running statistics, shards combined as one batch, shape errors and rebuilding
 * through the registry.
 */
class ConvLayersTest {

    @ParameterizedTest(name = "batch {0}")
    @ValueSource(ints = {1, 4})
    void convolutionBatchNormAndAveragePoolingPassTheGradientCheck(int batch) {
        Random r = new Random(batch);
        // conv → bn(image) → avg pool → strided padded conv → global average → dense: the second
        // convolution's input gradient reaches the first layers' parameters.
        Model m = Model.builder(Shape.image(2, 6, 5))
                .add(Conv2D.of(3, 3).padding(1).activation(Activations.tanh()))
                .add(BatchNorm.of(Activations.tanh()))
                .add(Pool2D.average(2, 1, 1))
                .add(Conv2D.of(4, 2).stride(2).padding(1).activation(Activations.softplus()))
                .add(Pool2D.globalAverage())
                .add(Flatten.of())
                .add(Dense.of(3))
                .seed(3).build();
        LayerNormTest.randomise(m, 5);
        GradientCheck.Result result = new GradientCheck().check(m, Losses.softmaxCrossEntropy(),
                TestNets.randomMatrix(r, batch, 60, 1.0), TestNets.targets(r, "softmax-ce", batch, 3));
        assertTrue(result.passed(), result.toString());
        assertEquals(m.parameterCount(), result.checked());
    }

    @ParameterizedTest(name = "batch {0}")
    @ValueSource(ints = {1, 4})
    void maxPoolingAndConvolutionWithoutBiasPassTheGradientCheck(int batch) {
        Random r = new Random(10 + batch);
        Model m = Model.builder(Shape.image(3, 7, 7))
                .add(Conv2D.of(2, 5).stride(2).padding(2).bias(false).activation(Activations.relu()))
                .add(Pool2D.max(3, 2, 1))
                .add(Conv2D.of(3, 1))
                .add(Flatten.of())
                .add(Dense.of(4))
                .seed(6).build();
        // ε small so that no perturbation changes a window's winner or crosses ReLU's kink.
        GradientCheck.Result result = new GradientCheck().epsilon(1e-3).check(m, Losses.meanSquaredError(),
                TestNets.randomMatrix(r, batch, 147, 1.0), TestNets.randomMatrix(r, batch, 4, 1.0));
        assertTrue(result.passed(), result.toString());
    }

    /**
     * Dense batch normalization needs more than one sample per channel (as PyTorch), and at two samples
     * x̂ = ±1 is nearly a step function of the inputs: batch 4 and 7.
     */
    @ParameterizedTest(name = "batch {0}")
    @ValueSource(ints = {4, 7})
    void batchNormAfterADenseLayerPassesTheGradientCheck(int batch) {
        Random r = new Random(20 + batch);
        Model m = Model.builder(5).add(Dense.of(6)).add(BatchNorm.of(Activations.sigmoid())).add(Dense.of(3)).seed(4).build();
        LayerNormTest.randomise(m, 2);
        GradientCheck.Result result = new GradientCheck().check(m, Losses.softmaxCrossEntropy(),
                TestNets.randomMatrix(r, batch, 5, 1.0), TestNets.targets(r, "softmax-ce", batch, 3));
        assertTrue(result.passed(), result.toString());
        Model one = Model.builder(5).add(BatchNorm.of()).build();
        try (Model.Workspace ws = one.newTrainingWorkspace()) {
            String msg = assertThrows(IllegalArgumentException.class, () -> ws.forward(Matrix.zeros(1, 5), Mode.TRAINING, 1))
                    .getMessage();
            assertTrue(msg.contains("batch_norm") && msg.contains("more than 1 value per channel"), msg);
        }
    }

    /** The layer's forward pass against a plain convolution loop in double, for both implementations. */
    @Test
    void convolutionIsThePlainLoop() {
        Random r = new Random(8);
        Model m = Model.builder(Shape.image(3, 5, 7)).add(Conv2D.of(4, 3).stride(2).padding(1).activation(Activations.relu()))
                .seed(1).build();
        LayerNormTest.randomise(m, 4);
        Conv2D conv = (Conv2D) m.layers().get(0);
        Matrix x = TestNets.randomMatrix(r, 2, 105, 1.0);
        float[] w = conv.weight().value().data(), b = conv.bias().value().data();
        int oh = 3, ow = 4;
        for (Kernels k : List.of(Kernels.scalar(), Kernels.get())) {
            try (Model.Workspace ws = m.newWorkspace(k)) {
                Matrix y = ws.forward(x, Mode.INFERENCE, 0);
                for (int n = 0; n < 2; n++) {
                    for (int o = 0; o < 4; o++) {
                        for (int oy = 0; oy < oh; oy++) {
                            for (int ox = 0; ox < ow; ox++) {
                                double s = b[o];
                                for (int c = 0; c < 3; c++) {
                                    for (int i = 0; i < 3; i++) {
                                        for (int j = 0; j < 3; j++) {
                                            int iy = 2 * oy - 1 + i, ix = 2 * ox - 1 + j;
                                            if (iy >= 0 && iy < 5 && ix >= 0 && ix < 7) {
                                                s += (double) w[((o * 3 + c) * 3 + i) * 3 + j] * x.get(n, (c * 5 + iy) * 7 + ix);
                                            }
                                        }
                                    }
                                }
                                double expected = Math.max(0, s);
                                assertEquals(expected, y.get(n, (o * oh + oy) * ow + ox), 1e-5 * (1 + Math.abs(expected)),
                                        k + " at " + n + "," + o + "," + oy + "," + ox);
                            }
                        }
                    }
                }
            }
        }
    }

    /** One step: running = 0.9·running + 0.1·(batch mean, unbiased batch variance), as PyTorch; inference uses them. */
    @Test
    void runningStatisticsFollowPyTorch() {
        Random r = new Random(3);
        Model m = Model.builder(Shape.image(2, 3, 3)).add(BatchNorm.of()).build();
        BatchNorm bn = (BatchNorm) m.layers().get(0);
        Matrix x = TestNets.randomMatrix(r, 4, 18, 2.0);
        try (Model.Workspace ws = m.newTrainingWorkspace()) {
            for (int step = 1; step <= 2; step++) {
                float[] mean0 = bn.runningMean().data().clone(), var0 = bn.runningVar().data().clone();
                ws.forward(x, Mode.TRAINING, step);
                ws.updateBuffers();
                for (int c = 0; c < 2; c++) {
                    double s = 0, sq = 0;
                    for (int n = 0; n < 4; n++) {
                        for (int p = 0; p < 9; p++) {
                            s += x.get(n, c * 9 + p);
                        }
                    }
                    double mean = s / 36;
                    for (int n = 0; n < 4; n++) {
                        for (int p = 0; p < 9; p++) {
                            sq += Math.pow(x.get(n, c * 9 + p) - mean, 2);
                        }
                    }
                    assertEquals(0.9 * mean0[c] + 0.1 * mean, bn.runningMean().data()[c], 1e-6);
                    assertEquals(0.9 * var0[c] + 0.1 * sq / 35, bn.runningVar().data()[c], 1e-6);
                }
            }
            // A second update without a forward pass takes nothing.
            float[] mean = bn.runningMean().data().clone();
            ws.updateBuffers();
            assertArrayEquals(mean, bn.runningMean().data());
        }
        Matrix y = m.predict(x);
        for (int c = 0; c < 2; c++) {
            double scale = 1 / Math.sqrt(bn.runningVar().data()[c] + 1e-5);
            for (int n = 0; n < 4; n++) {
                for (int p = 0; p < 9; p++) {
                    double expected = (x.get(n, c * 9 + p) - bn.runningMean().data()[c]) * scale;
                    assertEquals(expected, y.get(n, c * 9 + p), 1e-5 * (1 + Math.abs(expected)));
                }
            }
        }
    }

    /** Three shards' statistics combine to the whole batch's (what one shard computes), within rounding. */
    @Test
    void shardStatisticsCombineToTheBatchs() {
        Random r = new Random(4);
        Matrix x = TestNets.randomMatrix(r, 7, 12, 3.0);
        Model whole = Model.builder(Shape.of(12)).add(BatchNorm.of()).build();
        Model parts = Model.builder(Shape.of(12)).add(BatchNorm.of()).build();
        try (Model.Workspace ws = whole.newTrainingWorkspace()) {
            ws.forward(x, Mode.TRAINING, 1);
            ws.updateBuffers();
        }
        Model.Workspace[] shards = {parts.newTrainingWorkspace(), parts.newTrainingWorkspace(), parts.newTrainingWorkspace(),
                parts.newTrainingWorkspace()};
        shards[0].forward(x.rows(0, 3), Mode.TRAINING, 1);
        shards[1].forward(x.rows(3, 2), Mode.TRAINING, 1);
        shards[2].forward(x.rows(5, 2), Mode.TRAINING, 1);
        // shards[3] ran no rows this step
        Node bn = parts.nodes().get(0);
        bn.updateBuffers(List.of(shards[0].state(0), shards[1].state(0), shards[2].state(0), shards[3].state(0)));
        BatchNorm a = (BatchNorm) whole.nodes().get(0), b = (BatchNorm) bn;
        for (int c = 0; c < 12; c++) {
            assertEquals(a.runningMean().data()[c], b.runningMean().data()[c], 1e-6);
            assertEquals(a.runningVar().data()[c], b.runningVar().data()[c], 2e-6 * a.runningVar().data()[c]);
        }
        for (Model.Workspace ws : shards) {
            ws.close();
        }
    }

    @Test
    void shapeErrorsNameTheLayerAndBothShapes() {
        ShapeException e = assertThrows(ShapeException.class, () -> Model.builder(10).add(Conv2D.of(2, 3)).build());
        assertTrue(e.getMessage().contains("conv2d") && e.getMessage().contains("C×H×W") && e.getMessage().contains("input 10"),
                e.getMessage());
        e = assertThrows(ShapeException.class, () -> Model.builder(Shape.image(1, 4, 4)).add(Conv2D.of(2, 7)).build());
        assertTrue(e.getMessage().contains("7x7") && e.getMessage().contains("1×4×4"),
                e.getMessage());
        e = assertThrows(ShapeException.class, () -> Model.builder(Shape.image(1, 4, 4)).add(Pool2D.max(2)).add(Flatten.of())
                .add(Pool2D.max(2)).build());
        assertTrue(e.getMessage().contains("max_pool") && e.getMessage().contains("C×H×W"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> Model.builder(Shape.of(2, 3)).add(BatchNorm.of()).build());
        assertTrue(e.getMessage().contains("batch_norm"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Pool2D.max(2, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> BatchNorm.of(1e-5f, 0f, Activations.identity()));
        Model m = Model.builder(Shape.image(1, 4, 4)).add(Conv2D.of(2, 3)).build();
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> m.predict(Matrix.zeros(2, 15)));
        assertTrue(bad.getMessage().contains("16"), bad.getMessage());
    }

    @Test
    void everyNewLayerRebuildsFromItsConfigurationThroughTheRegistry() {
        Model m = Model.builder(Shape.image(3, 9, 8))
                .add(Conv2D.of(4, 3).stride(2).padding(1).bias(false).activation(Activations.leakyRelu(0.2f)))
                .add(BatchNorm.of(1e-3f, 0.2f, Activations.relu()))
                .add(Pool2D.max(3, 1, 1))
                .add(Pool2D.average(2, 2, 1))
                .add(Pool2D.globalAverage())
                .seed(2).build();
        List<Shape> shapes = List.of(Shape.image(3, 9, 8), Shape.image(4, 5, 4), Shape.image(4, 5, 4), Shape.image(4, 5, 4),
                Shape.image(4, 3, 3));
        for (int i = 0; i < m.nodes().size(); i++) {
            Node n = m.nodes().get(i);
            Node again = Registry.layerType(n.type()).create(n.config(), BuildContext.of(n.name(), i, List.of(shapes.get(i)),
                    new Random(9)));
            assertEquals(n.config(), again.config(), n.type());
            assertEquals(n.outputShape(), again.outputShape(), n.type());
            assertEquals(n.parameters().stream().map(Parameter::name).toList(),
                    again.parameters().stream().map(Parameter::name).toList());
            assertEquals(n.buffers().stream().map(Node.Buffer::name).toList(),
                    again.buffers().stream().map(Node.Buffer::name).toList());
        }
        assertEquals(Shape.image(4, 1, 1), m.outputShape());
        assertEquals(List.of("batch_norm2.running_mean", "batch_norm2.running_var"),
                m.buffers().stream().map(Node.Buffer::name).toList());
    }
}

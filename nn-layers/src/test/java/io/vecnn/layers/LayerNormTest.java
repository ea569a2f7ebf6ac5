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

/** LayerNorm: PyTorch's definition in double, gradient checks, vector against scalar, rebuilding from its configuration. */
class LayerNormTest {

    /** γ and β away from 1 and 0, so that their gradients and their use in forward are exercised. */
    static void randomise(Model m, long seed) {
        Random r = new Random(seed);
        for (Parameter p : m.parameters()) {
            float[] d = p.value().data();
            for (int i = 0; i < p.size(); i++) {
                d[p.value().offset() + i] += (float) (r.nextGaussian() * 0.5);
            }
        }
    }

    @ParameterizedTest(name = "batch {0}")
    @ValueSource(ints = {1, 4})
    void gradientCheckOnFeatureVectors(int batch) {
        Random r = new Random(batch);
        Model m = Model.builder(5).add(Dense.of(7, Activations.tanh())).add(LayerNorm.of()).add(Dense.of(3)).seed(4).build();
        randomise(m, 9);
        GradientCheck.Result result = new GradientCheck().check(m, Losses.softmaxCrossEntropy(),
                TestNets.randomMatrix(r, batch, 5, 1.0), TestNets.targets(r, "softmax-ce", batch, 3));
        assertTrue(result.passed(), result.toString());
        assertEquals(m.parameterCount(), result.checked());
    }

    @ParameterizedTest(name = "batch {0}")
    @ValueSource(ints = {1, 4})
    void gradientCheckOnImagesNormalisesTheLastDimension(int batch) {
        Random r = new Random(10 + batch);
        // two in a row: the second one's input gradient reaches the first one's γ and β
        Model m = Model.builder(Shape.image(2, 3, 5)).add(LayerNorm.of()).add(LayerNorm.of()).add(Flatten.of())
                .add(Dense.of(4)).seed(5).build();
        randomise(m, 3);
        GradientCheck.Result result = new GradientCheck().check(m, Losses.meanSquaredError(),
                TestNets.randomMatrix(r, batch, 30, 1.5), TestNets.randomMatrix(r, batch, 4, 1.0));
        assertTrue(result.passed(), result.toString());
    }

    /** The forward pass of an image-shaped input against PyTorch's LayerNorm(W) written out in double. */
    @Test
    void forwardIsPyTorchsDefinitionOverTheLastDimension() {
        Shape shape = Shape.image(3, 4, 7);
        LayerNorm ln = (LayerNorm) LayerNorm.of().create(BuildContext.of("ln", 0, List.of(shape), new Random(1)));
        Model m = Model.builder(shape).add(ln).build();
        randomise(m, 2);
        Random r = new Random(3);
        Matrix x = TestNets.randomMatrix(r, 2, shape.size(), 2.0);
        for (Kernels k : List.of(Kernels.scalar(), Kernels.get())) {
            Matrix y = m.newWorkspace(k).forward(x, Mode.INFERENCE, 0);
            float[] g = ln.weight().value().data(), b = ln.bias().value().data();
            for (int row = 0; row < 2; row++) {
                for (int group = 0; group < 3 * 4; group++) {
                    int base = group * 7;
                    double mean = 0, var = 0;
                    for (int j = 0; j < 7; j++) {
                        mean += x.get(row, base + j);
                    }
                    mean /= 7;
                    for (int j = 0; j < 7; j++) {
                        var += Math.pow(x.get(row, base + j) - mean, 2);
                    }
                    var /= 7;
                    for (int j = 0; j < 7; j++) {
                        double e = g[j] * (x.get(row, base + j) - mean) / Math.sqrt(var + 1e-5) + b[j];
                        assertEquals(e, y.get(row, base + j), 2e-6 * (1 + Math.abs(e)), k.name() + " " + row + "," + group + "," + j);
                    }
                }
            }
        }
    }

    /** Vector and scalar kernels through the layer, over odd widths, forward and backward. */
    @Test
    void vectorAgreesWithScalarOverOddWidths() {
        for (int d : new int[]{1, 2, 3, 5, 7, 15, 17, 33, 65}) {
            Model m = Model.builder(d).add(LayerNorm.of()).seed(d).build();
            randomise(m, d);
            Random r = new Random(d);
            Matrix x = TestNets.randomMatrix(r, 3, d, 1.5);
            Matrix g = TestNets.randomMatrix(r, 3, d, 1.0);
            float[][] results = new float[2][];
            float[][] grads = new float[2][];
            int i = 0;
            for (Kernels k : List.of(Kernels.scalar(), Kernels.vector())) {
                Model.Workspace ws = m.newTrainingWorkspace(k);
                ws.zeroGradients();
                results[i] = ws.forward(x, Mode.TRAINING, 1).copy().data();
                ws.backward(g.copy());
                grads[i] = ws.gradients().buffer().clone();
                i++;
            }
            for (int j = 0; j < results[0].length; j++) {
                assertEquals(results[0][j], results[1][j], 1e-6 * (1 + Math.abs(results[0][j])), "y, width " + d);
            }
            for (int j = 0; j < grads[0].length; j++) {
                assertEquals(grads[0][j], grads[1][j], 1e-5 * (1 + Math.abs(grads[0][j])), "gradient, width " + d);
            }
        }
    }

    @Test
    void rebuildsFromItsConfigurationThroughTheRegistry() {
        Shape shape = Shape.of(9);
        Node ln = LayerNorm.of(1e-3f).create(BuildContext.of("ln", 0, List.of(shape), new Random(1)));
        assertEquals("layer_norm", ln.type());
        Node again = Registry.layerType(ln.type()).create(ln.config(), BuildContext.of("ln", 0, List.of(shape), new Random(2)));
        assertEquals(ln.config(), again.config());
        assertEquals(1e-3f, ((LayerNorm) again).eps());
        assertEquals(List.of("ln.weight", "ln.bias"), again.parameters().stream().map(Parameter::name).toList());
        assertArrayEquals(new float[]{1, 1, 1, 1, 1, 1, 1, 1, 1}, ((LayerNorm) again).weight().value().data());
    }

    @Test
    void badEpsAndWidthsAreNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LayerNorm.of(0f)).getMessage().contains("eps"));
        Model m = Model.builder(4).add(LayerNorm.of()).build();
        String msg = assertThrows(IllegalArgumentException.class, () -> m.predict(Matrix.zeros(2, 5))).getMessage();
        assertTrue(msg.contains("layer_norm") || msg.contains("4"), msg);
    }
}

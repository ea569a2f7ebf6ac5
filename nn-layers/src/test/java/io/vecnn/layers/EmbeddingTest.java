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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Embedding: gather and scatter-add against a direct computation, gradient checks, errors, rebuilding. */
class EmbeddingTest {
    private static final int V = 9, D = 5, T = 4;

    private static Matrix ids(Random r, int rows, int vocabulary) {
        Matrix m = Matrix.zeros(rows, T);
        for (int i = 0; i < m.size(); i++) {
            m.data()[i] = r.nextInt(vocabulary);
        }
        return m;
    }

    private static Model model(long seed) {
        return Model.builder(T).add(Embedding.of(V, D)).add(Flatten.of()).add(Dense.of(6, Activations.tanh()))
                .add(Dense.of(3)).seed(seed).build();
    }

    @ParameterizedTest(name = "batch {0}")
    @ValueSource(ints = {1, 4})
    void gradientCheck(int batch) {
        Random r = new Random(batch);
        Model m = model(batch);
        Matrix x = ids(r, batch, 4); // ids 0..3 of 9: repeats in the batch, and rows that get no gradient
        GradientCheck.Result result = new GradientCheck().check(m, Losses.softmaxCrossEntropy(), x,
                TestNets.targets(r, "softmax-ce", batch, 3));
        assertTrue(result.passed(), result.toString());
        assertEquals(m.parameterCount(), result.checked());
    }

    @Test
    void forwardGathersAndBackwardAddsIntoTheRowsUsedOnly() {
        Random r = new Random(7);
        Model m = Model.builder(T).add(Embedding.of(V, D)).seed(3).build();
        Embedding e = (Embedding) m.nodes().get(0);
        Matrix x = ids(r, 5, 6); // ids 6, 7, 8 unused
        x.set(0, 0, 2f);
        x.set(3, 2, 2f); // id 2 at least twice
        Matrix g = TestNets.randomMatrix(r, 5, T * D, 1.0);
        float[][] grads = new float[2][];
        int which = 0;
        for (Kernels k : List.of(Kernels.scalar(), Kernels.vector())) {
            Model.Workspace ws = m.newTrainingWorkspace(k);
            ws.zeroGradients();
            Matrix y = ws.forward(x, Mode.TRAINING, 1);
            float[] w = e.weight().value().data();
            for (int i = 0; i < 5; i++) {
                for (int t = 0; t < T; t++) {
                    int id = (int) x.get(i, t);
                    for (int j = 0; j < D; j++) {
                        assertEquals(w[id * D + j], y.get(i, t * D + j), 0f, "gathered row");
                    }
                }
            }
            ws.backward(g.copy());
            float[] dw = ws.gradients().get(0).copy().data();
            // the reference: the same additions, in the documented order (sample, then position)
            float[] expected = new float[V * D];
            for (int i = 0; i < 5; i++) {
                for (int t = 0; t < T; t++) {
                    int id = (int) x.get(i, t);
                    for (int j = 0; j < D; j++) {
                        expected[id * D + j] += g.get(i, t * D + j);
                    }
                }
            }
            assertArrayEquals(expected, dw, k.name());
            for (int id = 6; id < V; id++) {
                for (int j = 0; j < D; j++) {
                    assertEquals(0f, dw[id * D + j], "untouched row " + id);
                }
            }
            assertNotEquals(0f, dw[2 * D]);
            grads[which++] = dw;
        }
        assertArrayEquals(grads[0], grads[1], "vector and scalar scatter-add are bit-identical");
    }

    @Test
    void badIdsNameTheLayerTheIdAndItsPosition() {
        Model m = model(1);
        Matrix x = Matrix.zeros(3, T);
        x.set(2, 1, 9f);
        String msg = assertThrows(IllegalArgumentException.class, () -> m.predict(x)).getMessage();
        assertTrue(msg.contains("embedding") && msg.contains("9.0") && msg.contains("sample 2") && msg.contains("position 1")
                && msg.contains("[0, 9)"), msg);
        x.set(2, 1, 1.5f);
        msg = assertThrows(IllegalArgumentException.class, () -> m.predict(x)).getMessage();
        assertTrue(msg.contains("1.5"), msg);
        x.set(2, 1, -1f);
        assertThrows(IllegalArgumentException.class, () -> m.predict(x));
        x.set(2, 1, Float.NaN);
        assertThrows(IllegalArgumentException.class, () -> m.predict(x));
        assertThrows(IllegalArgumentException.class, () -> Embedding.of(0, 3));
        assertThrows(io.vecnn.api.ShapeException.class, () -> Model.builder(Shape.image(1, 2, 2)).add(Embedding.of(3, 2)).build());
    }

    @Test
    void rebuildsFromItsConfigurationThroughTheRegistry() {
        Node e = Embedding.of(V, D).create(BuildContext.of("embedding", 0, List.of(Shape.of(T)), new Random(1)));
        Node again = Registry.layerType(e.type()).create(e.config(), BuildContext.of("embedding", 0, List.of(Shape.of(T)), new Random(2)));
        assertEquals(e.config(), again.config());
        assertEquals(Shape.of(T, D), again.outputShape());
        assertEquals(List.of("embedding.weight"), again.parameters().stream().map(Parameter::name).toList());
        assertEquals(V * D, again.parameters().get(0).size());
    }
}

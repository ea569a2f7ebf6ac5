package io.vecnn.layers;

import io.vecnn.api.Gradients;
import io.vecnn.api.GradientCheck;
import io.vecnn.api.Matrix;
import io.vecnn.api.Mode;
import io.vecnn.api.Model;
import io.vecnn.api.Shape;
import io.vecnn.api.ShapeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Graph models: several inputs, residual adds, concatenations, gradients summed over paths. */
class GraphModelTest {

    /** A residual block and a concatenation with the input: every gradient path is exercised. */
    private static Model residualConcat(long seed) {
        return Model.graph().seed(seed)
                .input("x", Shape.of(5))
                .add("a", Dense.of(6, Activations.tanh()), "x")
                .add("b", Dense.of(6, Activations.silu()), "a")
                .add("sum", Add.of(), "a", "b")                 // a feeds b and the sum: two paths
                .add("both", Concat.of(), "sum", "x", "a")      // and a third path from a
                .add("out", Dense.of(3), "both")
                .build();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void residualAddAndConcatenationPassTheGradientCheck(int batch) {
        Random r = new Random(batch);
        Model m = residualConcat(3);
        assertEquals(Shape.of(17), m.nodes().get(3).outputShape(), "6 + 5 + 6 features");
        for (String loss : new String[] {"softmax-ce", "quadratic"}) {
            GradientCheck.Result res = new GradientCheck().epsilon(1e-3).tolerance(1e-4, 5e-3)
                    .check(m, TestNets.loss(loss), TestNets.randomMatrix(r, batch, 5, 1.0), TestNets.targets(r, loss, batch, 3));
            assertTrue(res.passed(), loss + ": " + res);
        }
    }

    @Test
    void twoInputsAndAnIntermediateOutput() {
        Random r = new Random(9);
        Model m = Model.graph().seed(2)
                .input("image", Shape.of(4))
                .input("meta", Shape.of(3))
                .add("fi", Dense.of(5, Activations.relu()), "image")
                .add("fm", Dense.of(5, Activations.sigmoid()), "meta")
                .add("joined", Add.of(), "fi", "fm")
                .add("head", Dense.of(2), "joined")
                .add("unused", Dense.of(7), "joined")          // runs, but gets no gradient: not on the output's path
                .output("head")
                .build();
        assertEquals(java.util.List.of("image", "meta"), m.inputNames());
        Matrix[] x = {TestNets.randomMatrix(r, 3, 4, 1.0), TestNets.randomMatrix(r, 3, 3, 1.0)};
        GradientCheck.Result res = new GradientCheck().epsilon(1e-3).tolerance(1e-4, 5e-3)
                .check(m, Losses.quadratic(), x, TestNets.randomMatrix(r, 3, 2, 1.0));
        assertTrue(res.passed(), res.toString());
        Gradients g = res.gradients();
        float[] unused = g.get(m.nodes().get(4).parameters().get(0)).copy().data();
        for (float v : unused) {
            assertEquals(0f, v, "a node off the output's path gets no gradient");
        }
        ShapeException batches = assertThrows(ShapeException.class, () -> m.predict(new Matrix[] {x[0], Matrix.zeros(2, 3)}));
        assertTrue(batches.getMessage().contains("meta"), batches.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.predict(x[0]), "two inputs need two batches");
    }

    /**
     * Seed 001's network as a graph without masks: each unit is a node, the missing connection h2 → h3
     * is simply absent, and h1 reaches the output along two paths (through h3 and through h4), whose
     * sub-gradients the model adds up.
     */
    @Test
    void seed001AsAGraphMatchesTheHandPass() {
        double[] p = {0.5, -0.4, 0.3, 0.8, -0.6, 0.7, 0.9, 0.4, -0.3};
        double x1 = 0.7, x2 = 1.0, t = 0.2;
        Model g = Model.graph()
                .input("x", Shape.of(2))
                .add(Dense.withWeights("h1", row(p[0], p[2]), null, SeedExamplesTest.IDENT), "x")          // w11, w21
                .add(Dense.withWeights("h2", row(p[1], p[3]), null, SeedExamplesTest.HALF_SQUARE), "x")    // w12, w22
                .add(Dense.withWeights("h3", row(p[4]), null, SeedExamplesTest.DOUBLE), "h1")             // v11 only
                .add("h1h2", Concat.of(), "h1", "h2")
                .add(Dense.withWeights("h4", row(p[5], p[6]), null, SeedExamplesTest.EXP), "h1h2")        // v12, v22
                .add("h3h4", Concat.of(), "h3", "h4")
                .add(Dense.withWeights("o", row(p[7], p[8]), null, SeedExamplesTest.SIN), "h3h4")         // u1, u2
                .build();
        double[] hand = SeedExamplesTest.byHand(x1, x2, t, (float) p[0], (float) p[1], (float) p[2], (float) p[3], (float) p[4],
                (float) p[5], (float) p[6], (float) p[7], (float) p[8]);
        Model.Workspace ws = g.newTrainingWorkspace();
        Matrix o = ws.forward(Matrix.row((float) x1, (float) x2), Mode.TRAINING, 0);
        Matrix grad = Matrix.zeros(1, 1);
        double j = Losses.quadratic().compute(o, Matrix.row((float) t), grad, ws.kernels());
        ws.backward(grad);
        Gradients gr = ws.gradients();
        double[] fw = {j, w(gr, g, 0, 0), w(gr, g, 1, 0), w(gr, g, 0, 1), w(gr, g, 1, 1), w(gr, g, 2, 0), w(gr, g, 4, 0),
                w(gr, g, 4, 1), w(gr, g, 6, 0), w(gr, g, 6, 1)};
        for (int i = 0; i < hand.length; i++) {
            assertEquals(hand[i], fw[i], 1e-5 + 1e-5 * Math.abs(hand[i]), SeedExamplesTest.NAMES[i]);
        }
        // The same gradients as the masked sequential form of the same network.
        double[] masked = SeedExamplesTest.frameworkGradients(SeedExamplesTest.seed001(p[0], p[1], p[2], p[3], p[4], p[5], p[6],
                p[7], p[8]), (float) x1, (float) x2, (float) t);
        for (int i = 0; i < hand.length; i++) {
            assertEquals(masked[i], fw[i], 1e-6 + 1e-6 * Math.abs(masked[i]), SeedExamplesTest.NAMES[i] + " (masked form)");
        }
        GradientCheck.Result fd = new GradientCheck().epsilon(1e-3).tolerance(1e-4, 1e-3)
                .check(g, Losses.quadratic(), Matrix.row((float) x1, (float) x2), Matrix.row((float) t));
        assertTrue(fd.passed(), fd.toString());
        assertEquals(9, fd.checked(), "nine weights, no mask");
    }

    private static Matrix row(double... v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return Matrix.row(f);
    }

    /** Element k of node n's weight gradient (its only parameter). */
    private static double w(Gradients gr, Model m, int node, int k) {
        return gr.get(m.nodes().get(node).parameters().get(0)).get(0, k);
    }

    @Test
    void mismatchesFailAtBuildTimeNamingTheNode() {
        ShapeException add = assertThrows(ShapeException.class, () -> Model.graph()
                .input("x", Shape.of(4))
                .add("a", Dense.of(3), "x")
                .add("bad", Add.of(), "a", "x"));
        assertTrue(add.getMessage().contains("bad") && add.getMessage().contains("[3, 4]"), add.getMessage());
        ShapeException dense = assertThrows(ShapeException.class, () -> Model.builder(Shape.image(1, 4, 4)).add(Dense.of(3)).build());
        assertTrue(dense.getMessage().contains("dense1") && dense.getMessage().contains("Flatten")
                && dense.getMessage().contains("1×4×4"), dense.getMessage());
        Model flat = Model.builder(Shape.image(1, 4, 4)).add(Flatten.of()).add(Dense.of(3)).build();
        assertEquals(16, flat.nodes().get(1).parameters().get(0).value().cols(), "flatten infers 1·4·4 inputs");
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Model.graph()
                .input("x", Shape.of(2)).add("a", Dense.of(2), "y"));
        assertTrue(unknown.getMessage().contains("'y'"), unknown.getMessage());
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class, () -> Model.graph()
                .input("x", Shape.of(2)).add("x", Dense.of(2), "x"));
        assertTrue(dup.getMessage().contains("'x'"), dup.getMessage());
        ShapeException concat = assertThrows(ShapeException.class, () -> Model.graph()
                .input("img", Shape.image(2, 3, 3)).input("v", Shape.of(4)).add("c", Concat.of(), "img", "v"));
        assertNotNull(concat.getMessage());
        assertEquals(Shape.image(5, 3, 3), Model.graph().input("a", Shape.image(2, 3, 3)).input("b", Shape.image(3, 3, 3))
                .add("c", Concat.of(), "a", "b").build().outputShape(), "channels concatenate");
    }
}

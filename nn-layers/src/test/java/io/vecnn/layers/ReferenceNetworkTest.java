package io.vecnn.layers;

import io.vecnn.api.Gradients;
import io.vecnn.api.Matrix;
import io.vecnn.api.Mode;
import io.vecnn.api.Model;
import io.vecnn.api.Parameter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The float32 framework against {@link DoubleReference} (the four equations neuron by neuron, in
 * double) on random three-layer networks of every activation and loss.
 */
class ReferenceNetworkTest {
    private Gradients grads;


    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String f : TestNets.ELEMENTWISE) {
            for (String loss : new String[] {"quadratic", "bce", "softmax-ce"}) {
                for (int batch : new int[] {1, 4, 37}) {
                    out.add(Arguments.of(f, loss, batch));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} hidden, {1}, batch {2}")
    @MethodSource("cases")
    void matchesTheDoublePrecisionReference(String f, String lossName, int batch) {
        Random r = new Random(f.hashCode() * 31L + lossName.hashCode() + batch);
        int[] sizes = {6, 9, 7, 4};
        int layers = sizes.length - 1;
        // Quadratic cost applies the activation at the output as well (seed 004); the logit losses
        // take a linear output.
        String[] acts = new String[layers];
        for (int l = 0; l < layers; l++) {
            acts[l] = (l == layers - 1 && !lossName.equals("quadratic")) ? "identity" : f;
        }
        double[][][] w = new double[layers][][];
        double[][] b = new double[layers][];
        Model.Builder mb = Model.builder(sizes[0]);
        for (int l = 0; l < layers; l++) {
            Matrix wm = TestNets.randomMatrix(r, sizes[l + 1], sizes[l], 0.6);
            float[] bv = TestNets.randomVector(r, sizes[l + 1], 0.3);
            w[l] = TestNets.toDouble(wm);
            b[l] = new double[bv.length];
            for (int j = 0; j < bv.length; j++) {
                b[l][j] = bv[j];
            }
            mb.add(Dense.withWeights("d" + l, wm, bv, TestNets.activation(acts[l])));
        }
        Model model = mb.build();
        Matrix x = TestNets.randomMatrix(r, batch, sizes[0], 1.0);
        Matrix y = TestNets.targets(r, lossName, batch, sizes[layers]);

        DoubleReference ref = new DoubleReference(w, b, acts, TestNets.ALPHA);
        double refLoss = ref.run(TestNets.toDouble(x), TestNets.toDouble(y), lossName);

        double loss;
        try (Model.Workspace ws = model.newTrainingWorkspace()) {
            grads = ws.gradients();
            Matrix out = ws.forward(x, Mode.TRAINING, 0);
            Matrix g = Matrix.zeros(out.rows(), out.cols());
            loss = TestNets.loss(lossName).compute(out, y, g);
            ws.backward(g);
        }
        assertEquals(refLoss, loss, 1e-5 + 1e-5 * Math.abs(refLoss), "loss");
        List<Parameter> ps = model.parameters();
        for (int l = 0; l < layers; l++) {
            Parameter pw = ps.get(2 * l);
            Parameter pb = ps.get(2 * l + 1);
            for (int j = 0; j < sizes[l + 1]; j++) {
                for (int k = 0; k < sizes[l]; k++) {
                    assertClose(ref.gw[l][j][k], grads.get(pw).get(j, k), pw.name() + "[" + j + "," + k + "]");
                }
                assertClose(ref.gb[l][j], grads.get(pb).get(0, j), pb.name() + "[" + j + "]");
            }
        }
    }

    private static void assertClose(double expected, float actual, String what) {
        // float32 forward and backward through three layers of width <= 9: a few units in the last place
        // of the largest terms; 1e-5 absolute + 1e-4 relative leaves room for that and nothing else.
        double tol = 1e-5 + 1e-4 * Math.abs(expected);
        assertTrue(Math.abs(expected - actual) <= tol, what + ": reference " + expected + ", framework " + actual);
    }
}

package io.vecnn.train;

import io.vecnn.api.Model;
import io.vecnn.layers.Activations;
import io.vecnn.layers.Dense;
import io.vecnn.layers.Losses;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Float targets through the API: scikit-learn's diabetes data, against scikit-learn's MLPRegressor. */
class RegressionTest {
    static final int TRAIN = 353;

    /** The 442 rows of diabetes.csv: 10 features, then the target. */
    static float[][] diabetes() throws IOException {
        try (InputStream in = RegressionTest.class.getResourceAsStream("regression/diabetes.csv")) {
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip().split("\n");
            float[][] rows = new float[lines.length - 1][];
            for (int i = 1; i < lines.length; i++) {
                String[] t = lines[i].split(",");
                rows[i - 1] = new float[t.length];
                for (int j = 0; j < t.length; j++) {
                    rows[i - 1][j] = Float.parseFloat(t[j]);
                }
            }
            return rows;
        }
    }

    static Dataset part(float[][] rows, int from, int to, String name) {
        float[] x = new float[(to - from) * 10];
        float[] y = new float[to - from];
        for (int i = from; i < to; i++) {
            System.arraycopy(rows[i], 0, x, (i - from) * 10, 10);
            y[i - from] = rows[i][10];
        }
        return Dataset.builder(name).features(io.vecnn.api.Shape.of(10), x).targets(y, 1).build();
    }

    @Test
    void aRegressionNetworkBeatsScikitLearnsMlpRegressorOnTheSameSplit() throws IOException {
        float[][] rows = diabetes();
        assertEquals(442, rows.length);
        Dataset train = part(rows, 0, TRAIN, "diabetes-train");
        Dataset test = part(rows, TRAIN, rows.length, "diabetes-test");
        assertEquals(Dataset.Task.REGRESSION, train.task());
        // Features standardised on the training split only; the target scaled likewise (R² is unchanged by it).
        Dataset.Standardization s = train.fitStandardization();
        double mean = 0, sq = 0;
        for (int i = 0; i < train.size(); i++) {
            mean += train.target(i, 0);
        }
        mean /= train.size();
        for (int i = 0; i < train.size(); i++) {
            sq += Math.pow(train.target(i, 0) - mean, 2);
        }
        float mu = (float) mean;
        float sd = (float) Math.sqrt(sq / train.size());
        Dataset tr = scaleTargets(train.standardized(s), mu, sd);
        Dataset te = scaleTargets(test.standardized(s), mu, sd);
        Model m = Model.builder(10).seed(5).add(Dense.of(32, Activations.relu())).add(Dense.of(1)).build();
        Trainer t = Trainer.builder(m, Losses.quadratic(), Optimizers.adamW(0.05f)).learningRate(3e-3)
                .batchSize(32).epochs(150).seed(5).build();
        t.fit(tr, null);
        Evaluation e = t.evaluate(te);
        // scikit-learn 1.2.1 MLPRegressor on this split (make_diabetes.py): default settings 0.588–0.604
        // over seeds 0–2; its best in a small grid (32 hidden units, alpha 1.0) median 0.609 over 5 seeds, best 0.636.
        // This network measured 0.648 when written; the bar is scikit-learn's best median.
        assertTrue(e.r2() >= 0.609, "held-out R² " + e.r2() + " (MSE " + e.mse() + ", MAE " + e.mae() + ")");
        assertEquals(e.score(), e.r2());
        assertTrue(Double.isNaN(e.accuracy()));
    }

    private static Dataset scaleTargets(Dataset d, float mu, float sd) {
        float[] x = new float[d.size() * d.features()];
        float[] y = new float[d.size()];
        for (int i = 0; i < d.size(); i++) {
            System.arraycopy(d.sample(i), 0, x, i * d.features(), d.features());
            y[i] = (d.target(i, 0) - mu) / sd;
        }
        return Dataset.builder(d.name()).features(d.featureShape(), x).targets(y, 1).build();
    }

    @Test
    void metricsFollowTheirDefinitions() {
        // Regression: two outputs, R² averaged over them, as scikit-learn's default does.
        float[] x = new float[8];
        float[] y = {1, 10, 2, 20, 3, 30, 4, 40};
        Dataset d = Dataset.builder("r").features(io.vecnn.api.Shape.of(2), x).targets(y, 2).build();
        Evaluation.Accumulator a = new Evaluation.Accumulator(d);
        a.add(io.vecnn.api.Matrix.of(new float[][] {{1.5f, 10}, {2, 22}, {2, 30}, {4, 38}}),
                io.vecnn.api.Matrix.of(new float[][] {{1, 10}, {2, 20}, {3, 30}, {4, 40}}));
        Evaluation e = a.result(0);
        assertEquals((0.25 + 1 + 0 + 4 + 0 + 0 + 4) / 8, e.mse(), 1e-12);
        assertEquals((0.5 + 1 + 2 + 2) / 8, e.mae(), 1e-12);
        double r2a = 1 - 1.25 / 5.0;      // SS_res 0.25 + 1, SS_tot of 1..4 = 5
        double r2b = 1 - 8.0 / 500.0;
        assertEquals((r2a + r2b) / 2, e.r2(), 1e-12);
        // Classification: precision, recall, F1 from the confusion matrix.
        Dataset c = Dataset.of("c", new float[4], 1, new int[] {0, 1, 2, 2}, 3);
        Evaluation.Accumulator b = new Evaluation.Accumulator(c);
        b.add(io.vecnn.api.Matrix.of(new float[][] {{1, 0, 0}, {0, 0, 1}, {0, 0, 1}, {0, 1, 0}}),
                io.vecnn.api.Matrix.of(new float[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0, 0, 1}}));
        Evaluation ce = b.result(0);
        assertEquals(0.5, ce.accuracy());
        assertEquals(0.5, ce.precision(2));
        assertEquals(0.5, ce.recall(2));
        assertEquals(0.0, ce.f1(1));
        assertEquals((1 + 0 + 0.5) / 3, ce.macroF1(), 1e-12);
        assertTrue(Arrays.deepEquals(new int[][] {{1, 0, 0}, {0, 0, 1}, {0, 1, 1}}, ce.confusion()));
        // Multi-label: flags predicted set where the logit is above 0.
        Dataset ml = Dataset.builder("m").features(io.vecnn.api.Shape.of(1), new float[2]).multiLabel(new float[] {1, 0, 1, 1, 0, 0}, 3).build();
        Evaluation.Accumulator mm = new Evaluation.Accumulator(ml);
        mm.add(io.vecnn.api.Matrix.of(new float[][] {{2, -1, -3}, {1, 1, 0.5f}}), io.vecnn.api.Matrix.of(new float[][] {{1, 0, 1}, {1, 0, 0}}));
        Evaluation me = mm.result(0);
        assertEquals(3.0 / 6, me.accuracy(), 1e-12);     // TP 2, FP 2, FN 1, TN 1
        assertEquals(2.0 / 4, me.microPrecision(), 1e-12);
        assertEquals(2.0 / 3, me.microRecall(), 1e-12);
    }
}

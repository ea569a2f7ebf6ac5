package io.vecnn.train;

import io.vecnn.api.Matrix;
import io.vecnn.api.Model;
import io.vecnn.api.Optimizer;
import io.vecnn.api.Parameter;
import io.vecnn.layers.Activations;
import io.vecnn.layers.Dense;
import io.vecnn.layers.LayerNorm;
import io.vecnn.layers.Losses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Checkpoint round trips of the layers added for issue 12, bit for bit, after some training. */
class NewLayersCheckpointTest {

    /** Saves after training, loads, compares every tensor and prediction bit for bit, and saves the same bytes again. */
    static void roundTrip(Path dir, Model m, Dataset train, Dataset test) throws IOException {
        Optimizer opt = Optimizers.adam(3e-3f);
        Path file = dir.resolve("model.vecnn");
        Trainer.builder(m, Losses.softmaxCrossEntropy(), opt).batchSize(32).epochs(1).checkpoint(file).build().fit(train, test);
        Checkpoint.Loaded l = Checkpoint.load(file);
        List<Parameter> a = m.parameters(), b = l.model().parameters();
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).name(), b.get(i).name());
            assertArrayEquals(a.get(i).value().data(), b.get(i).value().data(), a.get(i).name());
        }
        assertEquals(m.toString(), l.model().toString());
        Matrix x = Matrix.zeros(7, test.features());
        Matrix y = Matrix.zeros(7, test.targetWidth());
        test.gather(new int[]{0, 1, 2, 3, 4, 5, 6}, 0, 7, x, y);
        assertArrayEquals(m.predict(x).data(), l.model().predict(x).data(), "predictions");
        Path again = dir.resolve("again.vecnn");
        Optimizer opt2 = Optimizers.adam(3e-3f);
        Checkpoint.restoreOptimizer(l, opt2, l.model().parameters());
        Checkpoint.save(again, l.model(), opt2, l.state());
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(again));
    }

    @Test
    void layerNormRoundTripsBitExact(@TempDir Path dir) throws IOException {
        Dataset.Split d = TestData.digits();
        Model m = Model.builder(64).seed(3).add(Dense.of(32, Activations.geluErf())).add(LayerNorm.of(1e-4f))
                .add(Dense.of(10)).build();
        roundTrip(dir, m, d.first(), d.second());
        LayerNorm ln = (LayerNorm) m.nodes().get(1);
        // training moved γ away from its initial ones: the round trip compared real values
        float[] g = ln.weight().value().data();
        boolean moved = false;
        for (float v : g) {
            moved |= v != 1f;
        }
        org.junit.jupiter.api.Assertions.assertTrue(moved, "γ trained");
    }
}

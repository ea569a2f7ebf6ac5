package io.vecnn.train;

import io.vecnn.api.Gradients;
import io.vecnn.api.Loss;
import io.vecnn.api.Model;
import io.vecnn.kernels.Kernels;
import io.vecnn.layers.Losses;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The step seam: an engine of ShardWorkers summed in shard order gives the built-in engine's weights. */
class StepEngineTest {

    /** Computes the shards last to first (as remote workers may finish), sums them in shard order. */
    static final class ReversedEngine implements StepEngine {
        final ShardWorker[] workers;
        final Gradients sum;
        int steps;

        ReversedEngine(Model m, Loss loss, Dataset d, int batch, int shards) {
            workers = new ShardWorker[shards];
            for (int j = 0; j < shards; j++) {
                workers[j] = new ShardWorker(m, loss, d, batch, j, shards, Kernels.get().withThreads(1));
            }
            sum = m.newGradients();
        }

        @Override
        public double step(int epoch, int[] order, int from, int rows, long step, Evaluation.Accumulator score) {
            for (int j = workers.length - 1; j >= 0; j--) {
                workers[j].compute(order, from, rows, step);
            }
            sum.copyFrom(workers[0].gradients());
            double l = workers[0].lastLoss() * workers[0].lastRows();
            score.add(workers[0].score());
            workers[0].score().reset();
            for (int j = 1; j < workers.length; j++) {
                sum.add(workers[j].gradients());
                l += workers[j].lastLoss() * workers[j].lastRows();
                score.add(workers[j].score());
                workers[j].score().reset();
            }
            steps++;
            return l / rows;
        }

        @Override
        public Gradients gradients() {
            return sum;
        }

        @Override
        public void close() {
            for (ShardWorker w : workers) {
                w.close();
            }
        }
    }

    @Test
    void anEngineOfShardWorkersSummedInOrderGivesTheTrainersWeights() throws IOException {
        Dataset train = TestData.digits().first();
        Model reference = TestData.classifier(9, true);
        List<EpochMetrics> expected = Trainer.builder(reference, Losses.softmaxCrossEntropy(), Optimizers.adam(0f)).batchSize(100)
                .epochs(2).shards(3).replicas(2).build().fit(train, null);
        Model m = TestData.classifier(9, true);
        ReversedEngine[] engine = new ReversedEngine[1];
        List<EpochMetrics> got = Trainer.builder(m, Losses.softmaxCrossEntropy(), Optimizers.adam(0f)).batchSize(100).epochs(2)
                .engine((model, loss, d, batch, k) -> engine[0] = new ReversedEngine(model, loss, d, batch, 3)).build().fit(train, null);
        float[][] a = TestData.weights(reference);
        float[][] b = TestData.weights(m);
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(a[i], b[i], "parameter " + i);
        }
        assertEquals(expected.get(1).trainLoss(), got.get(1).trainLoss(), 0.0);
        assertEquals(expected.get(1).trainScore(), got.get(1).trainScore(), 0.0);
        assertEquals(2 * ((train.size() + 99) / 100), engine[0].steps, "one engine step per batch");
    }

    @Test
    void shardWorkerGeometryAndBadShardsAreNamed() {
        int rows = 10;
        int covered = 0;
        for (int j = 0; j < 3; j++) {
            assertEquals(covered, ShardWorker.shardStart(rows, 3, j));
            covered += ShardWorker.shardRows(rows, 3, j);
        }
        assertEquals(rows, covered);
        Model m = TestData.classifier(1, false);
        Dataset d = TestData.digits().first();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ShardWorker(m, Losses.softmaxCrossEntropy(), d, 32, 3, 3, Kernels.get()));
        assertTrue(e.getMessage().contains("shard 3 of 3"), e.getMessage());
    }
}

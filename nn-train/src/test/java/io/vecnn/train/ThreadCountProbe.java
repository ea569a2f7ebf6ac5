package io.vecnn.train;

import io.vecnn.api.Model;
import io.vecnn.kernels.Kernels;
import io.vecnn.layers.Activations;
import io.vecnn.layers.Dense;
import io.vecnn.layers.Dropout;
import io.vecnn.layers.Losses;

import java.util.Arrays;

/**
 * Trains a fixed model and prints a hash of its weights; run by TrainerTest in fresh JVMs.
 * Arguments: replicas and shards (default 1 and 1); kernel threads come from {@code -Dvecnn.threads}.
 */
public final class ThreadCountProbe {
    private ThreadCountProbe() {
    }

    public static void main(String[] args) throws Exception {
        int replicas = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int shards = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        Dataset.Split d = Datasets.digits().split(0.2, 1998);
        // Wide enough layers and batches that the GEMMs split across threads; dropout draws per shard row.
        Model m = Model.builder(64).seed(3)
                .add(Dense.of(512, Activations.relu()))
                .add(Dropout.of(0.1f))
                .add(Dense.of(256, Activations.gelu()))
                .add(Dense.of(10)).build();
        Trainer.builder(m, Losses.softmaxCrossEntropy(), Optimizers.adam(0f)).batchSize(256).epochs(2).seed(3)
                .replicas(replicas).shards(shards).clipGradientNorm(5).build()
                .fit(d.first(), null);
        int h = 1;
        for (float[] w : TestData.weights(m)) {
            h = 31 * h + Arrays.hashCode(w);
        }
        System.out.println("kernels " + Kernels.get() + ", " + replicas + " replicas, " + shards + " shards");
        System.out.println("weights " + Integer.toHexString(h));
    }
}

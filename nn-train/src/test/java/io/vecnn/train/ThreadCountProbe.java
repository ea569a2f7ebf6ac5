package io.vecnn.train;

import io.vecnn.api.Model;
import io.vecnn.kernels.Kernels;
import io.vecnn.layers.Losses;

import java.util.Arrays;

/** Trains a fixed model and prints a hash of its weights; run by TrainerTest in fresh JVMs. */
public final class ThreadCountProbe {
    private ThreadCountProbe() {
    }

    public static void main(String[] args) throws Exception {
        Dataset.Split d = Datasets.digits().split(0.2, 1998);
        // Wide enough layers and batches that the GEMMs split across threads.
        Model m = Model.builder(64).seed(3)
                .add(io.vecnn.layers.Dense.of(512, io.vecnn.layers.Activations.relu()))
                .add(io.vecnn.layers.Dense.of(256, io.vecnn.layers.Activations.gelu()))
                .add(io.vecnn.layers.Dense.of(10)).build();
        Trainer.builder(m, Losses.softmaxCrossEntropy(), Optimizers.adam(0f)).batchSize(256).epochs(2).seed(3).build()
                .fit(d.first(), null);
        int h = 1;
        for (float[] w : TestData.weights(m)) {
            h = 31 * h + Arrays.hashCode(w);
        }
        System.out.println("kernels " + Kernels.get());
        System.out.println("weights " + Integer.toHexString(h));
    }
}

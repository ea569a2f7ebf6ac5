package io.vecnn.spark;

import io.vecnn.api.Model;
import io.vecnn.layers.Activations;
import io.vecnn.layers.Dense;
import io.vecnn.layers.Flatten;
import io.vecnn.layers.Losses;
import io.vecnn.train.Datasets;
import io.vecnn.train.EpochMetrics;
import io.vecnn.train.Evaluation;
import io.vecnn.train.LearningRateSchedule;
import io.vecnn.train.Optimizers;
import io.vecnn.train.Trainer;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.util.List;
import java.util.Locale;

/**
 * Trains Fashion-MNIST (784-256-128-10 ReLU, Adam, cosine decay) on a local Spark with N workers and
 * prints the test accuracy: the README's command ({@code mvn -P fashion}). Options: {@code --workers N}
 * (default 2), {@code --epochs E} (5), {@code --batch B} (global batch, 256), {@code --transport
 * barrier|tree_aggregate}, {@code --data DIR} (IDX files, default Debian's dataset-fashion-mnist).
 */
public final class FashionMnistOnSpark {
    private FashionMnistOnSpark() {
    }

    static Model network() {
        return Model.builder(io.vecnn.api.Shape.image(1, 28, 28)).seed(42).add(Flatten.of()).add(Dense.of(256, Activations.relu()))
                .add(Dense.of(128, Activations.relu())).add(Dense.of(10)).build();
    }

    static TrainerSetup setup(int epochs, int batch) {
        return m -> Trainer.builder(m, Losses.softmaxCrossEntropy(), Optimizers.adam(0f)).batchSize(batch).epochs(epochs)
                .schedule(LearningRateSchedule.cosine(1e-3, 1e-5, epochs)).seed(42);
    }

    /**
     * Runs the training.
     *
     * @param args the options above
     * @throws Exception if the data cannot be read or training fails
     */
    public static void main(String[] args) throws Exception {
        int workers = 2;
        int epochs = 5;
        int batch = 256;
        String transport = "barrier";
        java.nio.file.Path data = Datasets.FASHION_MNIST;
        for (int i = 0; i < args.length; i += 2) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--workers" -> workers = Integer.parseInt(v);
                case "--epochs" -> epochs = Integer.parseInt(v);
                case "--batch" -> batch = Integer.parseInt(v);
                case "--transport" -> transport = v;
                case "--data" -> data = java.nio.file.Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; known: --workers N --epochs E --batch B --transport barrier|tree_aggregate --data DIR");
            }
        }
        Datasets.TrainTest tt = Datasets.idxDirectory(data);
        SparkSession spark = SparkSession.builder().master("local[" + workers + ",2]").appName("vecnn fashion-mnist")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            Model model = network();
            long start = System.nanoTime();
            List<EpochMetrics> history = SparkTrainer.builder(JavaSparkContext.fromSparkContext(spark.sparkContext()), setup(epochs, batch))
                    .workers(workers).transport(SparkTrainer.Transport.valueOf(transport.toUpperCase(Locale.ROOT))).build()
                    .fit(model, tt.train(), null);
            double seconds = (System.nanoTime() - start) / 1e9;
            for (EpochMetrics m : history) {
                System.out.printf(Locale.ROOT, "epoch %d: train loss %.4f, train accuracy %.2f %%, %.1f s%n", m.epoch(), m.trainLoss(),
                        100 * m.trainScore(), m.seconds());
            }
            Evaluation test = Trainer.evaluate(model, Losses.softmaxCrossEntropy(), tt.test());
            System.out.printf(Locale.ROOT, "Fashion-MNIST on Spark (local, %d workers, %s, global batch %d, %d epochs): test accuracy %.2f %% "
                    + "(%d test images), %.1f s in fit%n", workers, transport, batch, epochs, 100 * test.accuracy(), tt.test().size(), seconds);
        } finally {
            spark.stop();
        }
    }
}

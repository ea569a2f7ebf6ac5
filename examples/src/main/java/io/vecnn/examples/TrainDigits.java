package io.vecnn.examples;

import io.vecnn.api.Matrix;
import io.vecnn.api.Model;
import io.vecnn.layers.Activations;
import io.vecnn.layers.Dense;
import io.vecnn.layers.Losses;
import io.vecnn.train.Dataset;
import io.vecnn.train.Datasets;
import io.vecnn.train.Evaluation;
import io.vecnn.train.LearningRateSchedule;
import io.vecnn.train.Optimizers;
import io.vecnn.train.Trainer;

import java.io.IOException;

public final class TrainDigits {
    public static void main(String[] args) throws IOException {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        Dataset.Split data = Datasets.digits().split(0.2, 42);     // 1,797 8×8 images, 20 % held out
        Model model = Model.builder(64)
                .add(Dense.of(128, Activations.relu()))
                .add(Dense.of(64, Activations.relu()))
                .add(Dense.of(10))                                  // logits: the loss applies softmax
                .seed(42)
                .build();
        Trainer trainer = Trainer.builder(model, Losses.softmaxCrossEntropy(), Optimizers.adam(0f)) // 0: no weight decay
                .schedule(LearningRateSchedule.cosine(1e-3, 1e-5, epochs))
                .batchSize(32)
                .epochs(epochs)
                .build();
        trainer.fit(data.first(), data.second());
        Evaluation test = trainer.evaluate(data.second());
        System.out.printf("held-out accuracy %.1f %%%n", 100 * test.accuracy());
        Matrix logits = model.predict(data.second().features(0, 5));  // thread-safe
        System.out.println("first prediction: " + logits.argMax(0));
    }
}

package io.vecnn.spark;

import io.vecnn.api.Model;
import io.vecnn.train.Trainer;

import java.io.Serializable;

/**
 * How to train: returns a {@link Trainer.Builder} for a model, with its loss, optimizer, schedule,
 * batch size, epochs, seed and clipping set. Spark ships it to every task (it must be serializable:
 * a lambda assigned to this type is), so that every worker configures the same trainer; nn-spark adds
 * the engine and, on one worker, the checkpoint (so the setup should set none: use
 * {@link SparkTrainer.Builder#checkpoint}). The same setup on one JVM with
 * {@code .shards(workers)} is the run a distributed one reproduces bit for bit.
 */
@FunctionalInterface
public interface TrainerSetup extends Serializable {
    /**
     * A trainer builder for {@code model}.
     *
     * @param model the model to train (the driver's, or a worker's replica of it)
     * @return the builder (not yet built)
     */
    Trainer.Builder configure(Model model);
}

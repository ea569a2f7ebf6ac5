package io.vecnn.train;

import io.vecnn.api.Gradients;
import io.vecnn.api.Loss;
import io.vecnn.api.Model;
import io.vecnn.kernels.Kernels;

import java.io.IOException;

/**
 * What computes a training step's gradient for the {@link Trainer}: forward, loss and backward over
 * the shards of a batch and the sum of their gradients in shard order. The trainer keeps everything
 * else (order of the samples, gradient check and clipping, the optimizer's update, schedules,
 * checkpoints), so an engine that computes each shard with a {@link ShardWorker} and adds the
 * buffers in shard order gives the weights of the built-in engine, wherever its shards run. The
 * built-in engine (the default of {@link Trainer.Builder#engine}) runs the shards on replica
 * threads; nn-spark's runs them in Spark tasks.
 */
public interface StepEngine extends AutoCloseable {

    /**
     * Computes the gradient of the mean loss over the batch {@code order[from .. from + rows)}.
     *
     * @param epoch the epoch (1-based) whose sample order {@code order} is
     * @param order the epoch's sample order ({@link Trainer#epochOrder})
     * @param from  the batch's first position in {@code order}
     * @param rows  the batch's row count
     * @param step  the training step (1-based)
     * @param score the epoch's training-score statistics, to which the batch's outputs are added
     * @return the batch's mean loss: Σ shard loss × shard rows / rows, summed in shard order
     * @throws IOException if a remote shard cannot be reached or fails
     */
    double step(int epoch, int[] order, int from, int rows, long step, Evaluation.Accumulator score) throws IOException;

    /**
     * The summed gradient of the last {@link #step}, in the layout of the model's parameters; the
     * trainer may scale it in place (clipping) and then applies the optimizer with it.
     *
     * @return the gradient buffer
     */
    Gradients gradients();

    /**
     * After the optimizer's update of a step, for models with nodes that have buffers (batch
     * normalization's running statistics): each such node updates them from the step's shard states
     * in shard order ({@link io.vecnn.api.Node#updateBuffers}). The trainer calls it only for such
     * models; the default refuses them, as an engine whose shards run elsewhere must gather the
     * shards' statistics first.
     *
     * @throws UnsupportedOperationException if this engine does not update buffers
     */
    default void updateBuffers() {
        throw new UnsupportedOperationException(getClass().getName()
                + " does not update layer buffers (such as batch normalization's running statistics)");
    }

    /** Releases the workspaces and connections. */
    @Override
    void close();

    /** Opens an engine for one {@link Trainer#fit} call. */
    @FunctionalInterface
    interface Factory {
        /**
         * An engine for training {@code model} on {@code train}.
         *
         * @param model     the model the trainer updates
         * @param loss      the loss
         * @param train     the training set
         * @param batchSize the global batch size
         * @param kernels   the trainer's kernels
         * @return the engine, closed by the trainer when {@code fit} ends
         * @throws IOException if the engine cannot start (for example its workers cannot be reached)
         */
        StepEngine open(Model model, Loss loss, Dataset train, int batchSize, Kernels kernels) throws IOException;
    }
}

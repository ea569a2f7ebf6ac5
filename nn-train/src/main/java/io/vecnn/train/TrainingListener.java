package io.vecnn.train;

/**
 * User code called by the {@link Trainer}. Methods run on the training thread, between steps;
 * {@link #onStep} takes primitives so that calling it allocates nothing.
 */
public interface TrainingListener {
    /**
     * After each optimizer step.
     *
     * @param epoch         the epoch, from 1
     * @param step          the global step count after this step
     * @param batchInEpoch  this batch's index in the epoch, from 1
     * @param batchesPerEpoch batches in an epoch
     * @param loss          this batch's mean loss
     * @param batchSize     samples in this batch
     */
    default void onStep(int epoch, long step, int batchInEpoch, int batchesPerEpoch, double loss, int batchSize) {
    }

    /**
     * After each epoch's validation pass (and checkpoint, if configured).
     *
     * @param metrics the epoch's metrics
     */
    default void onEpoch(EpochMetrics metrics) {
    }
}

package io.vecnn.train;

/**
 * What one epoch measured.
 *
 * @param epoch              the epoch, from 1
 * @param trainLoss          mean training loss over the epoch's batches (as trained, dropout active)
 * @param trainAccuracy      fraction of training samples classified right during the epoch
 * @param validationLoss     mean loss on the validation set (NaN without one)
 * @param validationAccuracy accuracy on the validation set (NaN without one)
 * @param learningRate       the learning rate at the epoch's last step
 * @param seconds            wall time of the epoch's training steps (not validation)
 * @param samplesPerSecond   training throughput over the epoch
 */
public record EpochMetrics(int epoch, double trainLoss, double trainAccuracy, double validationLoss,
                           double validationAccuracy, double learningRate, double seconds, double samplesPerSecond) {
}

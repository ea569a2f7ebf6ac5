package io.vecnn.train;

/**
 * What one epoch measured. The score is the task's headline metric: accuracy for classification
 * and multi-label data, R² for regression (see {@link Evaluation#score()}).
 *
 * @param epoch             the epoch, from 1
 * @param trainLoss         mean training loss over the epoch's batches (as trained, dropout active)
 * @param trainScore        the score of the training batches during the epoch
 * @param validationLoss    mean loss on the validation set (NaN without one)
 * @param validationScore   the score on the validation set (NaN without one)
 * @param learningRate      the learning rate at the epoch's last step
 * @param seconds           wall time of the epoch's training steps (not validation)
 * @param samplesPerSecond  training throughput over the epoch
 */
public record EpochMetrics(int epoch, double trainLoss, double trainScore, double validationLoss,
                           double validationScore, double learningRate, double seconds, double samplesPerSecond) {
}
